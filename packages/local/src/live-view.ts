/**
 * The security team's live view: a subscriber to the live feed's channel (over the
 * AppSync Events WebSocket protocol, as a dashboard would) that turns each audit event
 * into one short line.
 */
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';

/** The fields of an audit event the view prints (see `AuditEvent` in @authwatch/audit). */
export interface ViewedEvent {
  time?: number;
  type_name?: string;
  activity_name?: string;
  status?: string;
  severity?: string;
  message?: string;
  user?: { name?: string; uid?: string; type?: string };
  src_endpoint?: { ip?: string; location?: { country?: string } };
  metadata?: { event_code?: string; log_name?: string };
  unmapped?: {
    clientId?: string;
    reason?: string;
    mode?: string;
    attempt?: number;
    maxAttempts?: number;
    matchedRules?: string[];
    claimsAdded?: string[];
    scopesAdded?: string[];
    linkedToUser?: string;
  };
}

// Pads to a column; never cuts: a user id or client id is only useful whole (searchable).
const pad = (text: string, width: number) =>
  text.length >= width ? text : text + ' '.repeat(width - text.length);

/** One line: time, outcome, what happened, who, and the detail that matters. */
export function formatAuditLine(event: ViewedEvent): string {
  const time = new Date(event.time ?? Date.now()).toISOString().slice(11, 23);
  const failed = event.status === 'Failure';
  const mark = failed ? '✗' : '✓';
  const what = event.message ?? event.type_name ?? event.activity_name ?? 'event';
  const facts: string[] = [];
  const u = event.unmapped ?? {};
  if (u.reason) facts.push(`reason="${u.reason}"`);
  if (u.mode) facts.push(`mode=${u.mode}`);
  if (u.attempt !== undefined) {
    facts.push(`attempt=${u.attempt}${u.maxAttempts !== undefined ? `/${u.maxAttempts}` : ''}`);
  }
  if (u.linkedToUser) facts.push(`linked=${u.linkedToUser}`);
  if (u.matchedRules && u.matchedRules.length > 0) facts.push(`rules=${u.matchedRules.join(',')}`);
  if (u.scopesAdded && u.scopesAdded.length > 0) facts.push(`+scopes=${u.scopesAdded.join(',')}`);
  if (event.src_endpoint?.ip) {
    const country = event.src_endpoint.location?.country;
    facts.push(`ip=${event.src_endpoint.ip}${country ? `(${country})` : ''}`);
  }
  // CloudTrail's events know the user by sub only.
  const who = event.user?.name ?? event.user?.uid ?? (u.clientId ? `client:${u.clientId}` : '-');
  return `${time} ${mark} ${pad(what, 34)} ${pad(who, 36)} ${facts.join(' ')}`.trimEnd();
}

export interface LiveViewOptions {
  /** The live feed's base URL, `http://127.0.0.1:<port>`. */
  liveFeedUrl: string;
  /** Channel pattern to follow (default `/auth/*`). */
  channel?: string;
  /**
   * How long events are held to be shown in the order they happened (default 150 ms):
   * the handlers send in batches, each a moment apart, so a later batch may hold an
   * earlier event. 0 shows each event as it arrives.
   */
  reorderMs?: number;
  onEvent(event: ViewedEvent): void;
}

export interface LiveView {
  /** Events received so far (each shown as a line, unless it is not an audit event). */
  readonly received: number;
  /** Shows the events held for reordering now, in time order. */
  flush(): void;
  close(): Promise<void>;
}

/**
 * Holds events for `windowMs` after the first of a group arrives, then hands the group
 * on sorted by `time` (stable: equal times keep their arrival order).
 */
export function reorderBuffer(
  windowMs: number,
  emit: (event: ViewedEvent) => void,
): { push(event: ViewedEvent): void; flush(): void } {
  let held: ViewedEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const group = held;
    held = [];
    group.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
    for (const event of group) emit(event);
  };
  return {
    push(event) {
      if (windowMs <= 0) return emit(event);
      held.push(event);
      timer ??= setTimeout(flush, windowMs);
    },
    flush,
  };
}

/** Subscribes to the live feed; resolves once the subscription is confirmed. */
export function subscribeLiveView(options: LiveViewOptions): Promise<LiveView> {
  const base = new URL(options.liveFeedUrl);
  const host = base.host;
  const auth = { host, Authorization: 'local-live-view' };
  const header = `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`;
  const wsUrl = `${base.protocol === 'https:' ? 'wss' : 'ws'}://${host}/event/realtime`;
  const socket = new WebSocket(wsUrl, ['aws-appsync-event-ws', header]);
  const id = randomUUID();
  let received = 0;
  const buffer = reorderBuffer(options.reorderMs ?? 150, (event) => options.onEvent(event));
  return new Promise<LiveView>((resolve, reject) => {
    const fail = (error: Error) => reject(error);
    socket.once('error', fail);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (raw) => {
      let message: { type?: string; id?: string; event?: unknown };
      try {
        message = JSON.parse(String(raw)) as typeof message;
      } catch {
        return;
      }
      // `null`, a number or an array is JSON too, and no message: skipped.
      if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
      if (message.type === 'connection_ack') {
        socket.send(
          JSON.stringify({
            type: 'subscribe',
            id,
            channel: options.channel ?? '/auth/*',
            authorization: auth,
          }),
        );
      } else if (message.type === 'subscribe_success' && message.id === id) {
        socket.off('error', fail);
        socket.on('error', () => undefined);
        resolve({
          get received() {
            return received;
          },
          flush: () => buffer.flush(),
          close: () =>
            new Promise<void>((done) => {
              buffer.flush();
              if (socket.readyState === WebSocket.CLOSED) return done();
              socket.once('close', () => done());
              socket.close();
            }),
        });
      } else if (message.type === 'subscribe_error' || message.type === 'connection_error') {
        fail(new Error(`live feed refused the subscription: ${JSON.stringify(message)}`));
      } else if (message.type === 'data' && message.id === id) {
        received += 1;
        try {
          const event =
            typeof message.event === 'string' ? JSON.parse(message.event) : message.event;
          if (typeof event === 'object' && event !== null) buffer.push(event as ViewedEvent);
        } catch {
          // not an audit event
        }
      }
    });
  });
}
