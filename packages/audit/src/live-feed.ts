/**
 * The live feed: publishes events to an AppSync Events channel over HTTP
 * (`POST https://<http-domain>/event`, body `{channel, events: [<JSON string>...]}`,
 * at most 5 events per call), SigV4-signed for the `appsync` service. Best effort:
 * a short timeout, never past the deadline, failures counted but not sent to the
 * fallback log (the durable copy is Firehose's).
 *
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/publish-http.html
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AuditEvent } from './ocsf.js';
import type { AuditSink, SendOptions, SendResult } from './sink.js';

/** Static credentials or a provider, as SignatureV4 takes them. */
export type SignerCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** AppSync Events accepts at most this many events per publish call. */
export const LIVE_FEED_MAX_EVENTS_PER_CALL = 5;

export interface LiveFeedSinkOptions {
  /** Publish URL, e.g. `https://abc.appsync-api.eu-west-1.amazonaws.com/event`. */
  url: string;
  /** Channel, e.g. `/auth/sign-in`. */
  channel: string;
  /** Region for SigV4. */
  region: string;
  /** Longest one publish may take (default 300 ms; never past the deadline). */
  timeoutMs?: number;
  /** Credentials; the default Node provider chain unless given. */
  credentials?: SignerCredentials;
  /** An API key instead of SigV4 (`x-api-key`), for API-key-authorised APIs. */
  apiKey?: string;
  fetch?: typeof fetch;
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
  const timeoutMs = options.timeoutMs ?? 300;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const signer = options.apiKey
    ? undefined
    : new SignatureV4({
        service: 'appsync',
        region: options.region,
        credentials: options.credentials ?? defaultProvider(),
        sha256: Sha256,
      });

  const publish = async (events: AuditEvent[], deadline: number): Promise<AuditEvent[]> => {
    const remaining = Math.min(timeoutMs, deadline - now());
    if (remaining <= 0) return events;
    const body = publishBody(options.channel, events);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      host: url.host,
    };
    try {
      if (signer) {
        const request = new HttpRequest({
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          path: url.pathname,
          headers,
          body,
        });
        const signed = await signer.sign(request);
        Object.assign(headers, signed.headers);
      } else if (options.apiKey) {
        headers['x-api-key'] = options.apiKey;
      }
      const { host: _host, ...sendHeaders } = headers;
      const response = await doFetch(url, {
        method: 'POST',
        headers: sendHeaders,
        body,
        signal: AbortSignal.timeout(Math.max(1, Math.min(remaining, deadline - now()))),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return events;
      }
      const answer = (await response.json().catch(() => ({}))) as PublishResponse;
      const failedIndexes = new Set((answer.failed ?? []).map((entry) => entry.index));
      return events.filter((_event, index) => failedIndexes.has(index));
    } catch {
      return events;
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
