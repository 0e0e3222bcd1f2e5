/**
 * Watching the live feed: resolve an AppSync Events API's endpoints with `GetApi`,
 * subscribe to a channel over WebSocket, and hand every event that passes the filters
 * to a callback (the `authwatch-watch` command prints them).
 *
 * Auth: a Cognito user-pool token (subscribers in a security group), an API key, or
 * SigV4 with the caller's AWS credentials (when the namespace allows IAM subscribers).
 * When the AppSync endpoint is plain `http://` (AWS_ENDPOINT_URL_APPSYNC pointing at
 * the local stack), the realtime socket is `ws://` and the HTTP host `http://`.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
 */
import { randomUUID } from 'node:crypto';
import { AppSyncClient, GetApiCommand } from '@aws-sdk/client-appsync';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import WebSocket from 'ws';
import { DEFAULT_LIVE_FEED_CHANNEL } from './config.js';
import { nativeSha256, type SignerCredentials } from './live-feed-signer.js';
import type { AuditEvent } from './ocsf.js';

export const EVENT_WS_PROTOCOL = 'aws-appsync-event-ws';

export interface EventApiEndpoints {
  /** Host (and port) of the HTTP endpoint, e.g. `abc.appsync-api.eu-west-1.amazonaws.com`. */
  httpHost: string;
  /** Host (and port) of the realtime endpoint. */
  realtimeHost: string;
  /** `true` when the endpoints are plain http/ws (the local stack). */
  insecure: boolean;
}

/** Resolves the API's endpoints with GetApi. */
export async function resolveEventApi(
  client: AppSyncClient,
  apiId: string,
  insecure: boolean,
): Promise<EventApiEndpoints> {
  const { api } = await client.send(new GetApiCommand({ apiId }));
  const httpHost = api?.dns?.HTTP;
  const realtimeHost = api?.dns?.REALTIME;
  if (!httpHost || !realtimeHost) throw new Error(`API ${apiId} has no HTTP or REALTIME endpoint`);
  return { httpHost, realtimeHost, insecure };
}

/** How the watcher authenticates. */
export type WatchAuth =
  | { type: 'token'; token: string }
  | { type: 'apiKey'; apiKey: string }
  | { type: 'iam'; region: string; credentials?: SignerCredentials };

/** The auth headers for the connection (`body` `{}`) or one subscription (its body). */
export async function authHeaders(
  auth: WatchAuth,
  endpoints: EventApiEndpoints,
  body: string,
): Promise<Record<string, string>> {
  if (auth.type === 'token') return { host: endpoints.httpHost, Authorization: auth.token };
  if (auth.type === 'apiKey') return { host: endpoints.httpHost, 'x-api-key': auth.apiKey };
  const [hostname, port] = endpoints.httpHost.split(':');
  const signer = new SignatureV4({
    service: 'appsync',
    region: auth.region,
    credentials: auth.credentials ?? defaultProvider(),
    sha256: nativeSha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: endpoints.insecure ? 'http:' : 'https:',
      hostname,
      ...(port ? { port: Number(port) } : {}),
      path: '/event',
      headers: {
        accept: 'application/json, text/javascript',
        'content-encoding': 'amz-1.0',
        'content-type': 'application/json; charset=UTF-8',
        host: endpoints.httpHost,
      },
      body,
    }),
  );
  return signed.headers as Record<string, string>;
}

export interface WatchFilter {
  /** User name, user id (sub) or email. */
  user?: string;
  status?: 'success' | 'failure';
  client?: string;
  /**
   * Also show CloudTrail's `sign-in-call` records (API Activity): off by default, as
   * they are the source IP of a sign-in the trigger's logon line already shows.
   */
  all?: boolean;
}

/** Whether an event passes the filters. */
export function matchesFilter(event: AuditEvent, filter: WatchFilter): boolean {
  // Each sign-in shows once: its logon line; the call that carried its IP only on request.
  if (filter.all !== true && event.metadata?.log_name === 'sign-in-call') return false;
  if (filter.status === 'success' && event.status_id !== 1) return false;
  if (filter.status === 'failure' && event.status_id !== 2) return false;
  if (filter.client !== undefined && event.unmapped?.clientId !== filter.client) return false;
  if (filter.user !== undefined) {
    const { name, uid, email_addr } = event.user ?? {};
    if (![name, uid, email_addr].includes(filter.user)) return false;
  }
  return true;
}

// Control characters in outside data would let an event rewrite the terminal.
function clean(value: unknown): string {
  const text = value === undefined || value === null || value === '' ? '-' : String(value);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * One readable line: time, status, activity, user, client, ip, detail.
 *
 *     2026-11-23T21:00:00.000Z FAILURE challenge-failed     user=member-1 client=1abc ip=203.0.113.10  wrong answer (attempt 2 of 3)
 */
export function formatEventLine(event: AuditEvent): string {
  const time = Number.isFinite(event.time) ? new Date(event.time).toISOString() : clean(event.time);
  const status = event.status_id === 1 ? 'SUCCESS' : event.status_id === 2 ? 'FAILURE' : 'UNKNOWN';
  const activity = clean(event.metadata?.log_name ?? event.activity_name).padEnd(20);
  return [
    time,
    status,
    activity,
    `user=${clean(event.user?.name ?? event.user?.uid)}`,
    `client=${clean(event.unmapped?.clientId)}`,
    `ip=${clean(event.src_endpoint?.ip)}${
      event.src_endpoint?.location?.country ? `(${clean(event.src_endpoint.location.country)})` : ''
    }`,
    ` ${clean(event.status_detail)}`,
  ].join(' ');
}

/** One WebSocket frame of the AppSync Events protocol: a JSON object, else undefined. */
export function parseFrame(raw: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The messages of an error frame's `errors`, joined, made safe for a terminal: whatever
 * the server sent (not an array, entries without a message) gives a string.
 */
export function frameErrors(errors: unknown): string {
  if (!Array.isArray(errors)) return '';
  return errors
    .map((entry) =>
      clean(
        typeof entry === 'object' && entry !== null
          ? (entry as { message?: unknown }).message
          : entry,
      ),
    )
    .join('; ');
}

/** Parses a data message's `event` string into an audit event, or undefined. */
export function parseLiveEvent(raw: unknown): AuditEvent | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const value = JSON.parse(raw) as unknown;
    if (value === null || typeof value !== 'object') return undefined;
    const event = value as AuditEvent;
    if (typeof event.metadata?.uid !== 'string' || typeof event.class_uid !== 'number') {
      return undefined;
    }
    return event;
  } catch {
    return undefined;
  }
}

export interface WatchOptions {
  endpoints: EventApiEndpoints;
  auth: WatchAuth;
  channel?: string;
  filter?: WatchFilter;
  onEvent(event: AuditEvent): void;
  /** Called once the subscription is confirmed. */
  onReady?(): void;
  /** Called when the connection ends or fails. */
  onClose?(reason: string): void;
}

export interface Watcher {
  close(): void;
  /** Resolves when subscribed, rejects if the connection or subscription fails. */
  ready: Promise<void>;
}

/** Opens the WebSocket, subscribes to the channel and calls `onEvent` per matching event. */
export function watchLiveFeed(options: WatchOptions): Watcher {
  const channel = options.channel ?? DEFAULT_LIVE_FEED_CHANNEL;
  const filter = options.filter ?? {};
  const scheme = options.endpoints.insecure ? 'ws' : 'wss';
  let socket: WebSocket | undefined;
  let closed = false;
  let settle: { resolve(): void; reject(error: Error): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let keepAlive: NodeJS.Timeout | undefined;
  let connectionTimeoutMs = 300_000;
  // AppSync sends `ka` well within connectionTimeoutMs; silence longer than that means
  // the connection is dead even if the socket has not noticed.
  const armKeepAlive = () => {
    if (keepAlive) clearTimeout(keepAlive);
    keepAlive = setTimeout(() => fail('no keep-alive from the server'), connectionTimeoutMs);
    keepAlive.unref();
  };
  const fail = (reason: string) => {
    if (keepAlive) clearTimeout(keepAlive);
    settle?.reject(new Error(reason));
    settle = undefined;
    if (!closed) options.onClose?.(reason);
    closed = true;
    socket?.close();
  };

  void (async () => {
    const connectAuth = await authHeaders(options.auth, options.endpoints, '{}');
    const header = Buffer.from(JSON.stringify(connectAuth)).toString('base64url');
    socket = new WebSocket(`${scheme}://${options.endpoints.realtimeHost}/event/realtime`, [
      EVENT_WS_PROTOCOL,
      `header-${header}`,
    ]);
    const subscriptionId = randomUUID();
    socket.on('open', () => socket?.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('error', (error) => fail(`connection failed: ${error.message}`));
    socket.on('close', (code) => fail(`connection closed (${code})`));
    socket.on('message', async (raw) => {
      // A frame that is not a JSON object (`null` is JSON too) is no message: skipped.
      const message = parseFrame(raw.toString()) as
        | {
            type?: string;
            id?: string;
            event?: unknown;
            errors?: unknown;
            connectionTimeoutMs?: number;
          }
        | undefined;
      if (message === undefined) return;
      switch (message.type) {
        case 'connection_ack': {
          if (typeof message.connectionTimeoutMs === 'number' && message.connectionTimeoutMs > 0) {
            connectionTimeoutMs = message.connectionTimeoutMs;
          }
          armKeepAlive();
          const body = JSON.stringify({ channel });
          const authorization = await authHeaders(options.auth, options.endpoints, body);
          socket?.send(
            JSON.stringify({ type: 'subscribe', id: subscriptionId, channel, authorization }),
          );
          return;
        }
        case 'subscribe_success':
          settle?.resolve();
          settle = undefined;
          options.onReady?.();
          return;
        case 'subscribe_error':
        case 'connection_error':
        case 'error':
          fail(`${message.type}: ${frameErrors(message.errors)}`);
          return;
        case 'data': {
          if (message.id !== subscriptionId) return;
          const event = parseLiveEvent(message.event);
          if (event && matchesFilter(event, filter)) options.onEvent(event);
          return;
        }
        case 'ka':
          armKeepAlive();
          return;
        default:
          // Anything newer: nothing to do.
          return;
      }
    });
  })().catch((error: Error) => fail(error.message));

  return {
    ready,
    close() {
      closed = true;
      if (keepAlive) clearTimeout(keepAlive);
      settle?.reject(new Error('closed'));
      settle = undefined;
      socket?.close();
    },
  };
}

/** Whether the AppSync endpoint in use is plain http (the local stack). */
export function isInsecureEndpoint(env: Record<string, string | undefined>): boolean {
  const endpoint = env.AWS_ENDPOINT_URL_APPSYNC ?? env.AWS_ENDPOINT_URL;
  return endpoint?.startsWith('http://') ?? false;
}

export { AppSyncClient };
