/**
 * The live feed: publishes events to an AppSync Events channel over HTTP
 * (`POST https://<http-domain>/event`, body `{channel, events: [<JSON string>...]}`,
 * at most 5 events per call), SigV4-signed for the `appsync` service. Best effort:
 * a short timeout, never past the deadline, failures counted but not sent to the
 * fallback log (the durable copy is Firehose's).
 *
 * Requests go through the SDK's own `NodeHttpHandler` (keep-alive connections,
 * connection and request timeouts) and are signed with Node's native SHA-256: on a
 * warm connection a publish costs well under a millisecond of the trigger's time.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpHandlerOptions } from '@smithy/types';
import type { AuditEvent } from './ocsf.js';
import type { AuditSink, SendOptions, SendResult } from './sink.js';

/** Static credentials or a provider, as SignatureV4 takes them. */
export type SignerCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** AppSync Events accepts at most this many events per publish call. */
export const LIVE_FEED_MAX_EVENTS_PER_CALL = 5;

/** SigV4's hash: Node's native SHA-256 (what the SDK's own clients use in Node). */
export const nativeSha256 = Hash.bind(null, 'sha256');

/** The HTTP response a request handler answers with (a subset of Smithy's). */
export interface LiveFeedResponse {
  statusCode: number;
  /** A readable stream or bytes; the sink reads it to the end either way. */
  body?: unknown;
}

/**
 * What sends a signed request: the SDK's `NodeHttpHandler` unless given (tests pass a
 * stand-in). It must honour `abortSignal`.
 */
export interface LiveFeedRequestHandler {
  handle(
    request: HttpRequest,
    options?: HttpHandlerOptions,
  ): Promise<{ response: LiveFeedResponse }>;
}

export interface LiveFeedSinkOptions {
  /** Publish URL, e.g. `https://abc.appsync-api.eu-west-1.amazonaws.com/event`. */
  url: string;
  /** Channel, e.g. `/auth/sign-in`. */
  channel: string;
  /** Region for SigV4. */
  region: string;
  /** Longest one publish may take (default 300 ms; never past the deadline). */
  timeoutMs?: number;
  /** Longest a new connection may take to open (default: `timeoutMs`). */
  connectionTimeoutMs?: number;
  /** Credentials; the default Node provider chain unless given. */
  credentials?: SignerCredentials;
  /** An API key instead of SigV4 (`x-api-key`), for API-key-authorised APIs. */
  apiKey?: string;
  /** Sends the requests: a keep-alive `NodeHttpHandler` unless given. */
  requestHandler?: LiveFeedRequestHandler;
  now?: () => number;
}

/** One publish request's body: at most 5 events, each a JSON string. */
export function publishBody(channel: string, events: readonly AuditEvent[]): string {
  return JSON.stringify({ channel, events: events.map((event) => JSON.stringify(event)) });
}

interface PublishResponse {
  successful?: { identifier?: string; index?: number }[];
  failed?: { identifier?: string; index?: number; code?: number | string; message?: string }[];
}

/** Reads a response body to the end (also frees a keep-alive socket for the next call). */
async function readBody(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const parts: Buffer[] = [];
    for await (const part of body as AsyncIterable<Uint8Array | string>) {
      parts.push(typeof part === 'string' ? Buffer.from(part) : Buffer.from(part));
    }
    return Buffer.concat(parts).toString('utf8');
  }
  return '';
}

/**
 * Creates the live-feed sink.
 *
 * @example
 * ```ts
 * const live = createLiveFeedSink({ url, channel: '/auth/sign-in', region: 'eu-west-1' });
 * ```
 */
export function createLiveFeedSink(options: LiveFeedSinkOptions): AuditSink {
  const url = new URL(options.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`live feed URL must be http(s), got '${url.protocol}'`);
  }
  const timeoutMs = options.timeoutMs ?? 300;
  const now = options.now ?? Date.now;
  const handler: LiveFeedRequestHandler =
    options.requestHandler ??
    new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? timeoutMs,
      requestTimeout: timeoutMs,
    });
  const signer = options.apiKey
    ? undefined
    : new SignatureV4({
        service: 'appsync',
        region: options.region,
        credentials: options.credentials ?? defaultProvider(),
        sha256: nativeSha256,
      });
  const port = url.port ? { port: Number(url.port) } : {};

  const publish = async (events: AuditEvent[], deadline: number): Promise<AuditEvent[]> => {
    const remaining = Math.min(timeoutMs, deadline - now());
    if (remaining <= 0) return events;
    const body = publishBody(options.channel, events);
    // One timer per publish, cleared as soon as it settles (see the Firehose sink).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), remaining);
    try {
      let request = new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...port,
        path: url.pathname,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          host: url.host,
          ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}),
        },
        body,
      });
      if (signer) request = (await signer.sign(request)) as HttpRequest;
      const { response } = await handler.handle(request, { abortSignal: controller.signal });
      const text = await readBody(response.body);
      if (response.statusCode < 200 || response.statusCode >= 300) return events;
      let answer: PublishResponse = {};
      try {
        answer = JSON.parse(text) as PublishResponse;
      } catch {
        // An answer that is not JSON: the publish was accepted, nothing names a failure.
      }
      const failedIndexes = new Set((answer.failed ?? []).map((entry) => entry.index));
      return events.filter((_event, index) => failedIndexes.has(index));
    } catch {
      return events;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    name: 'live-feed',
    durable: false,
    async send(events: readonly AuditEvent[], { deadline }: SendOptions): Promise<SendResult> {
      const calls: AuditEvent[][] = [];
      for (let i = 0; i < events.length; i += LIVE_FEED_MAX_EVENTS_PER_CALL) {
        calls.push(events.slice(i, i + LIVE_FEED_MAX_EVENTS_PER_CALL));
      }
      const failed = (await Promise.all(calls.map((call) => publish(call, deadline)))).flat();
      return failed.length === 0 ? { failed } : { failed, reason: 'live feed publish failed' };
    },
  };
}
