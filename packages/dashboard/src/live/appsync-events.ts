/**
 * A client of the AppSync Events real-time protocol, small enough for the page:
 * - connect to `<realtime>/event/realtime` with the subprotocols `aws-appsync-event-ws`
 *   and `header-<base64url of {host, Authorization}>`;
 * - `connection_init` → `connection_ack` (with `connectionTimeoutMs`);
 * - `subscribe {id, channel, authorization}` → `subscribe_success` / `subscribe_error`;
 * - `data {id, event}`: `event` is a JSON string, handed on parsed;
 * - `ka` keep-alives: silence longer than `connectionTimeoutMs` means the connection is
 *   dead, even if the socket has not noticed;
 * - reconnect after any loss with exponential back-off and full jitter, subscriptions
 *   renewed with a fresh token.
 * The same code talks to AWS over `wss://` and to the local feed over `ws://` (Amplify's
 * client refuses a non-TLS endpoint).
 *
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/event-api-websocket-protocol.html
 */

export const EVENT_WS_PROTOCOL = 'aws-appsync-event-ws';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

/** The WebSocket surface the client uses (the browser's, or `ws` in Node tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface EventsClientOptions {
  /** `wss://<realtime domain>/event/realtime` (or `ws://…` locally). */
  realtimeUrl: string;
  /**
   * The auth headers of a request with `body` (`{}` to connect, `{"channel":…}` to
   * subscribe): `{host, Authorization: <token>}` with a Cognito token, or SigV4-signed
   * headers in IAM mode. Called for each connect and subscribe, so they are fresh.
   */
  authHeaders(body: string): Promise<Record<string, string>>;
  /** Makes a socket (default: the global WebSocket). */
  createSocket?: (url: string, protocols: string[]) => SocketLike;
  /** First reconnect delay and its ceiling (default 500 ms, 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  onStatus?: (status: LiveStatus, detail?: string) => void;
}

interface Subscription {
  id: string;
  channel: string;
  onEvent(event: unknown): void;
  onError?(message: string): void;
  confirmed: boolean;
}

/** base64url without padding, as the `header-` subprotocol needs. */
export function base64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function frameErrors(errors: unknown): string {
  if (!Array.isArray(errors) || errors.length === 0) return 'no detail';
  return errors
    .map((error) => {
      const e = error as { errorType?: unknown; message?: unknown };
      return [e.errorType, e.message].filter((part) => typeof part === 'string').join(': ');
    })
    .join('; ');
}

export function createEventsClient(options: EventsClientOptions) {
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as number));
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const createSocket =
    options.createSocket ??
    ((url: string, protocols: string[]) => new WebSocket(url, protocols) as unknown as SocketLike);
  const subscriptions = new Map<string, Subscription>();
  let socket: SocketLike | undefined;
  let acknowledged = false;
  let closed = false;
  let attempt = 0;
  let reconnectTimer: unknown;
  let keepAliveTimer: unknown;
  let connectionTimeoutMs = 300_000;
  let status: LiveStatus = 'closed';

  const setStatus = (next: LiveStatus, detail?: string) => {
    status = next;
    options.onStatus?.(next, detail);
  };

  const send = (frame: unknown) => {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
  };

  const sendSubscribe = async (subscription: Subscription) => {
    const authorization = await options.authHeaders(
      JSON.stringify({ channel: subscription.channel }),
    );
    send({ type: 'subscribe', id: subscription.id, channel: subscription.channel, authorization });
  };

  const armKeepAlive = () => {
    if (keepAliveTimer !== undefined) clearTimer(keepAliveTimer);
    keepAliveTimer = setTimer(() => drop('no keep-alive from the server'), connectionTimeoutMs);
  };

  /** Ends the current socket and, unless closed, schedules the next attempt. */
  const drop = (reason: string) => {
    if (keepAliveTimer !== undefined) clearTimer(keepAliveTimer);
    keepAliveTimer = undefined;
    const old = socket;
    socket = undefined;
    acknowledged = false;
    if (old) {
      old.onopen = old.onmessage = old.onclose = old.onerror = null;
      try {
        old.close();
      } catch {
        // Already closed.
      }
    }
    for (const subscription of subscriptions.values()) subscription.confirmed = false;
    if (closed) return;
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt) * (0.5 + random() / 2);
    attempt += 1;
    setStatus('reconnecting', reason);
    reconnectTimer = setTimer(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
  };

  const onFrame = (raw: unknown) => {
    let message: {
      type?: unknown;
      id?: unknown;
      event?: unknown;
      errors?: unknown;
      connectionTimeoutMs?: unknown;
    };
    try {
      message = JSON.parse(String(raw));
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    const subscription = typeof message.id === 'string' ? subscriptions.get(message.id) : undefined;
    switch (message.type) {
      case 'connection_ack':
        acknowledged = true;
        attempt = 0;
        if (typeof message.connectionTimeoutMs === 'number' && message.connectionTimeoutMs > 0) {
          connectionTimeoutMs = message.connectionTimeoutMs;
        }
        armKeepAlive();
        setStatus('live');
        for (const pending of subscriptions.values()) void sendSubscribe(pending);
        return;
      case 'ka':
        armKeepAlive();
        return;
      case 'subscribe_success':
        if (subscription) subscription.confirmed = true;
        return;
      case 'subscribe_error':
        subscription?.onError?.(frameErrors(message.errors));
        return;
      case 'data': {
        if (!subscription || typeof message.event !== 'string') return;
        try {
          subscription.onEvent(JSON.parse(message.event));
        } catch {
          // An event that is not JSON is no event.
        }
        return;
      }
      case 'connection_error':
      case 'error':
        drop(`${String(message.type)}: ${frameErrors(message.errors)}`);
        return;
      default:
        return;
    }
  };

  const connect = async () => {
    if (closed || socket) return;
    setStatus(attempt === 0 ? 'connecting' : 'reconnecting');
    let protocols: string[];
    try {
      protocols = [
        EVENT_WS_PROTOCOL,
        `header-${base64Url(JSON.stringify(await options.authHeaders('{}')))}`,
      ];
    } catch (error) {
      drop(`no credentials: ${(error as Error).message}`);
      return;
    }
    if (closed || socket) return;
    const next = createSocket(options.realtimeUrl, protocols);
    socket = next;
    next.onopen = () => send({ type: 'connection_init' });
    next.onmessage = (event) => onFrame(event.data);
    next.onclose = (event) => drop(`connection closed (${event.code})`);
    next.onerror = () => drop('connection failed');
  };

  return {
    /** Subscribes to a channel (or a `/ns/*` pattern); returns the unsubscribe. */
    subscribe(
      channel: string,
      onEvent: (event: unknown) => void,
      onError?: (message: string) => void,
    ): () => void {
      const subscription: Subscription = {
        id: crypto.randomUUID(),
        channel,
        onEvent,
        ...(onError ? { onError } : {}),
        confirmed: false,
      };
      subscriptions.set(subscription.id, subscription);
      if (acknowledged) void sendSubscribe(subscription);
      else void connect();
      return () => {
        subscriptions.delete(subscription.id);
        send({ type: 'unsubscribe', id: subscription.id });
      };
    },
    /** Whether a subscription is confirmed by the server (tests, status line). */
    confirmed(): number {
      return [...subscriptions.values()].filter((s) => s.confirmed).length;
    },
    get status() {
      return status;
    },
    close(): void {
      closed = true;
      if (reconnectTimer !== undefined) clearTimer(reconnectTimer);
      drop('closed');
      subscriptions.clear();
      setStatus('closed');
    },
  };
}

export type EventsClient = ReturnType<typeof createEventsClient>;

/** The auth headers of Cognito user-pool mode: the token as `Authorization`. */
export function tokenAuth(httpHost: string, token: () => Promise<string>) {
  return async (_body: string): Promise<Record<string, string>> => ({
    host: httpHost,
    Authorization: await token(),
  });
}
