/**
 * An AppSync Events-compatible endpoint for offline runs and tests:
 *
 * - HTTP publish: `POST /event` with `{channel, events: [<JSON string>, ...]}` (1 to 5
 *   events), answering `{successful: [{identifier, index}], failed: []}`;
 * - WebSocket at `/event/realtime` with the subprotocols `aws-appsync-event-ws` and
 *   `header-<base64url JSON of the auth headers>`: `connection_init` →
 *   `connection_ack`, `ka` keep-alives, `subscribe {id, channel, authorization}` →
 *   `subscribe_success`, `data {id, event: <JSON string>}` for every matching publish
 *   (a channel pattern may end in `/*`), `unsubscribe` → `unsubscribe_success`, and
 *   `publish` over the socket;
 * - the control-plane answer of `GetApi` (`GET /v2/apis/{apiId}`), so
 *   `@aws-sdk/client-appsync` pointed at it with `AWS_ENDPOINT_URL_APPSYNC` resolves
 *   the endpoints (both `dns.HTTP` and `dns.REALTIME` are this server's host:port).
 *
 * Authorization is required to be present (an `authorization` / `Authorization`
 * header, SigV4 or a Cognito token, or `x-api-key`) but is NOT verified: no signature,
 * token or key is checked. This is a development fake, never a security boundary.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { channelMatches, isChannel, isChannelPattern } from './channels.js';

export const EVENT_WS_PROTOCOL = 'aws-appsync-event-ws';
const MAX_EVENTS_PER_PUBLISH = 5;
const MAX_EVENT_BYTES = 240 * 1024;

export interface LiveFeedServerOptions {
  /** The API id `GetApi` answers for (default `local-events`). */
  apiId?: string;
  /** The API's name (default `authwatch-live-feed`). */
  name?: string;
  /** Keep-alive interval in ms (default 60,000). */
  keepAliveMs?: number;
  /** `connectionTimeoutMs` announced in `connection_ack` (default 300,000). */
  connectionTimeoutMs?: number;
  /** Region and account in the API ARN (default us-east-1, 000000000000). */
  region?: string;
  accountId?: string;
}

export interface LiveFeedServerStats {
  published: number;
  delivered: number;
  connections: number;
  subscriptions: number;
}

export interface LiveFeedServer {
  readonly listener: Server;
  readonly apiId: string;
  /** `http://host:port` once started. */
  readonly url: string;
  readonly stats: LiveFeedServerStats;
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
  /** Closes every WebSocket connection (to test clients' reconnection). */
  dropConnections(): void;
  /** Publishes JSON-string events to a channel, as a POST /event would. */
  publish(channel: string, events: string[]): number;
}

interface Subscription {
  id: string;
  pattern: string;
  socket: WebSocket;
}

function hasAuthorization(headers: Record<string, unknown> | undefined): boolean {
  if (!headers || typeof headers !== 'object') return false;
  const keys = Object.keys(headers).map((key) => key.toLowerCase());
  return keys.includes('authorization') || keys.includes('x-api-key');
}

/** Decodes the `header-<base64url>` subprotocol into the auth headers, if valid. */
export function decodeHeaderProtocol(protocol: string): Record<string, unknown> | undefined {
  if (!protocol.startsWith('header-')) return undefined;
  try {
    const value = JSON.parse(Buffer.from(protocol.slice(7), 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

function badRequest(res: ServerResponse, message: string): void {
  json(res, 400, { errors: [{ errorType: 'BadRequestException', message }] });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Validates a publish body's events: 1-5 strings of JSON, each within the size limit. */
function validEvents(events: unknown): events is string[] {
  if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS_PER_PUBLISH) {
    return false;
  }
  return events.every((event) => {
    if (typeof event !== 'string' || Buffer.byteLength(event) > MAX_EVENT_BYTES) return false;
    try {
      JSON.parse(event);
      return true;
    } catch {
      return false;
    }
  });
}

/** The API id the local live feed answers `GetApi` for (`liveFeedApiId` in outputs.json). */
export const LOCAL_LIVE_FEED_API_ID = 'local-events';

/**
 * Creates the fake; `start()` listens.
 *
 * @example
 * ```ts
 * const live = createLiveFeedServer();
 * const url = await live.start(4010); // AUDIT_LIVE_FEED_ENDPOINT=http://127.0.0.1:4010/event
 * ```
 */
export function createLiveFeedServer(options: LiveFeedServerOptions = {}): LiveFeedServer {
  const apiId = options.apiId ?? LOCAL_LIVE_FEED_API_ID;
  const name = options.name ?? 'authwatch-live-feed';
  const keepAliveMs = options.keepAliveMs ?? 60_000;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 300_000;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const subscriptions = new Map<WebSocket, Map<string, Subscription>>();
  const stats: LiveFeedServerStats = {
    published: 0,
    delivered: 0,
    connections: 0,
    subscriptions: 0,
  };
  let url = '';
  let host = '';

  const publish = (channel: string, events: string[]): number => {
    stats.published += events.length;
    let delivered = 0;
    for (const subs of subscriptions.values()) {
      for (const sub of subs.values()) {
        if (!channelMatches(sub.pattern, channel)) continue;
        for (const event of events) {
          sub.socket.send(JSON.stringify({ type: 'data', id: sub.id, event }));
          delivered += 1;
        }
      }
    }
    stats.delivered += delivered;
    return delivered;
  };

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = await readBody(req);
    if (req.method === 'POST' && path === '/event') {
      if (!hasAuthorization(req.headers as Record<string, unknown>)) {
        json(res, 401, {
          errors: [{ errorType: 'UnauthorizedException', message: 'missing authorization' }],
        });
        return;
      }
      let parsed: { channel?: unknown; events?: unknown };
      try {
        parsed = JSON.parse(body) as { channel?: unknown; events?: unknown };
      } catch {
        badRequest(res, 'body is not JSON');
        return;
      }
      if (!isChannel(parsed?.channel)) {
        badRequest(res, 'channel must be a path like /namespace/name');
        return;
      }
      if (!validEvents(parsed.events)) {
        badRequest(res, `events must be 1 to ${MAX_EVENTS_PER_PUBLISH} JSON strings`);
        return;
      }
      publish(parsed.channel, parsed.events);
      json(res, 200, {
        successful: parsed.events.map((_event, index) => ({ identifier: randomUUID(), index })),
        failed: [],
      });
      return;
    }
    const apiMatch = /^\/v2\/apis\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && apiMatch) {
      const requested = decodeURIComponent(apiMatch[1] ?? '');
      if (requested !== apiId) {
        json(
          res,
          404,
          { message: `API ${requested} not found` },
          { 'x-amzn-errortype': 'NotFoundException' },
        );
        return;
      }
      json(res, 200, {
        api: {
          apiId,
          name,
          apiArn: `arn:aws:appsync:${region}:${accountId}:apis/${apiId}`,
          dns: { HTTP: host, REALTIME: host },
          created: Math.floor(Date.now() / 1000),
          xrayEnabled: false,
          tags: {},
          eventConfig: {
            authProviders: [{ authType: 'AWS_IAM' }, { authType: 'API_KEY' }],
            connectionAuthModes: [{ authType: 'AWS_IAM' }, { authType: 'API_KEY' }],
            defaultPublishAuthModes: [{ authType: 'AWS_IAM' }],
            defaultSubscribeAuthModes: [{ authType: 'AWS_IAM' }, { authType: 'API_KEY' }],
          },
        },
      });
      return;
    }
    json(res, 404, {
      errors: [{ errorType: 'NotFound', message: `no route ${req.method} ${path}` }],
    });
  };

  const listener = createServer((req, res) => {
    handleHttp(req, res).catch(() => {
      if (!res.headersSent)
        json(res, 500, { errors: [{ errorType: 'InternalFailure', message: 'internal error' }] });
    });
  });

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(EVENT_WS_PROTOCOL) ? EVENT_WS_PROTOCOL : false),
  });

  listener.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const auth = offered.map(decodeHeaderProtocol).find((value) => value !== undefined);
    if (
      path !== '/event/realtime' ||
      !offered.includes(EVENT_WS_PROTOCOL) ||
      !hasAuthorization(auth)
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (socket: WebSocket) => {
    stats.connections += 1;
    const subs = new Map<string, Subscription>();
    subscriptions.set(socket, subs);
    let keepAlive: NodeJS.Timeout | undefined;
    const send = (message: unknown) => socket.send(JSON.stringify(message));
    socket.on('close', () => {
      if (keepAlive) clearInterval(keepAlive);
      subscriptions.delete(socket);
    });
    socket.on('message', (raw) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString());
      } catch {
        send({
          type: 'error',
          errors: [{ errorType: 'BadRequestException', message: 'not JSON' }],
        });
        return;
      }
      // `null`, a number or an array is JSON too, and no message.
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        send({
          type: 'error',
          errors: [{ errorType: 'BadRequestException', message: 'not a JSON object' }],
        });
        return;
      }
      const message = parsed as Record<string, unknown>;
      const id = typeof message.id === 'string' ? message.id : undefined;
      switch (message.type) {
        case 'connection_init':
          send({ type: 'connection_ack', connectionTimeoutMs });
          if (!keepAlive) {
            keepAlive = setInterval(() => send({ type: 'ka' }), keepAliveMs);
            keepAlive.unref();
          }
          return;
        case 'subscribe': {
          if (!id || !isChannelPattern(message.channel)) {
            send({
              type: 'subscribe_error',
              id,
              errors: [{ errorType: 'BadRequestException', message: 'invalid channel or id' }],
            });
            return;
          }
          if (!hasAuthorization(message.authorization as Record<string, unknown> | undefined)) {
            send({
              type: 'subscribe_error',
              id,
              errors: [{ errorType: 'UnauthorizedException', message: 'missing authorization' }],
            });
            return;
          }
          subs.set(id, { id, pattern: message.channel, socket });
          stats.subscriptions += 1;
          send({ type: 'subscribe_success', id });
          return;
        }
        case 'unsubscribe':
          if (id && subs.delete(id)) send({ type: 'unsubscribe_success', id });
          else
            send({
              type: 'unsubscribe_error',
              id,
              errors: [{ errorType: 'UnknownOperationError', message: 'unknown subscription' }],
            });
          return;
        case 'publish': {
          if (!id || !isChannel(message.channel) || !validEvents(message.events)) {
            send({
              type: 'publish_error',
              id,
              errors: [{ errorType: 'BadRequestException', message: 'invalid publish' }],
            });
            return;
          }
          publish(message.channel, message.events);
          send({
            type: 'publish_success',
            id,
            successful: message.events.map((_e, index) => ({ identifier: randomUUID(), index })),
            failed: [],
          });
          return;
        }
        default:
          send({
            type: 'error',
            id,
            errors: [
              {
                errorType: 'UnsupportedOperation',
                message: `unknown type ${String(message.type)}`,
              },
            ],
          });
      }
    });
  });

  return {
    listener,
    apiId,
    stats,
    get url() {
      return url;
    },
    publish,
    dropConnections() {
      for (const socket of subscriptions.keys()) socket.terminate();
    },
    async start(port = 0, bindHost = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, bindHost, () => {
          listener.off('error', reject);
          resolve();
        });
      });
      const address = listener.address() as AddressInfo;
      host = `${bindHost}:${address.port}`;
      url = `http://${host}`;
      return url;
    },
    async stop() {
      for (const socket of subscriptions.keys()) socket.terminate();
      wss.close();
      listener.closeAllConnections();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
