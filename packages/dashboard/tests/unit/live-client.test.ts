/**
 * The page's AppSync Events client against the local feed (packages/local/src/live-feed):
 * the same frames AWS sends, over ws://, with `ws` standing in for the browser's WebSocket.
 */
import { createLiveFeedServer, type LiveFeedServer } from '@authwatch/local';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  base64Url,
  createEventsClient,
  EVENT_WS_PROTOCOL,
  type LiveStatus,
  type SocketLike,
  tokenAuth,
} from '../../src/live/appsync-events.js';

let feed: LiveFeedServer;
let url: string;
const opened: { url: string; protocols: string[] }[] = [];

const createSocket = (target: string, protocols: string[]) => {
  opened.push({ url: target, protocols });
  return new WebSocket(target, protocols) as unknown as SocketLike;
};

/** Resolves when `check` holds, polling the event loop (no wall-clock assertion). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeEach(async () => {
  opened.length = 0;
  feed = createLiveFeedServer({ keepAliveMs: 50 });
  const http = await feed.start(0);
  url = `${http.replace(/^http/, 'ws')}/event/realtime`;
});

afterEach(async () => {
  await feed.stop();
});

describe('the AppSync Events client', () => {
  it('connects with the protocol and auth subprotocols, subscribes with authorization and hands on events', async () => {
    const statuses: LiveStatus[] = [];
    const received: unknown[] = [];
    const client = createEventsClient({
      realtimeUrl: url,
      authHeaders: tokenAuth(
        'example.appsync-api.eu-west-1.amazonaws.com',
        async () => 'header.payload.signature',
      ),
      createSocket,
      onStatus: (status) => statuses.push(status),
    });
    client.subscribe('/auth/sign-in', (event) => received.push(event));
    await until(() => client.confirmed() === 1, 'the subscription');

    feed.publish('/auth/sign-in', [JSON.stringify({ n: 1 }), JSON.stringify({ n: 2 })]);
    feed.publish('/auth/other', [JSON.stringify({ n: 3 })]);
    await until(() => received.length === 2, 'two events');

    expect(received).toEqual([{ n: 1 }, { n: 2 }]);
    expect(statuses.slice(0, 2)).toEqual(['connecting', 'live']);
    const [protocol, header] = opened[0]!.protocols;
    expect(protocol).toBe(EVENT_WS_PROTOCOL);
    expect(header).toBe(
      `header-${base64Url(JSON.stringify({ host: 'example.appsync-api.eu-west-1.amazonaws.com', Authorization: 'header.payload.signature' }))}`,
    );
    expect(header).not.toMatch(/[+/=]/);
    client.close();
    expect(client.status).toBe('closed');
  });

  it('reconnects after the connection drops, with back-off, and subscribes again with a fresh token', async () => {
    let tokens = 0;
    const delays: number[] = [];
    const received: unknown[] = [];
    const client = createEventsClient({
      realtimeUrl: url,
      authHeaders: tokenAuth('local', async () => {
        tokens += 1;
        return `token-${tokens}`;
      }),
      createSocket,
      random: () => 1,
      backoff: { initialMs: 20, maxMs: 1_000 },
      setTimer: (run, ms) => {
        delays.push(ms);
        return setTimeout(run, ms);
      },
    });
    client.subscribe('/auth/*', (event) => received.push(event));
    await until(() => client.confirmed() === 1, 'the first subscription');

    feed.dropConnections();
    await until(() => opened.length === 2 && client.confirmed() === 1, 'the second subscription');
    feed.publish('/auth/sign-in', [JSON.stringify({ after: 'reconnect' })]);
    await until(() => received.length === 1, 'an event after reconnecting');

    expect(received).toEqual([{ after: 'reconnect' }]);
    // The first retry waits the initial delay (jitter at its top with random() = 1).
    expect(delays).toContain(20);
    expect(tokens).toBeGreaterThanOrEqual(3);
    client.close();
  });

  it('takes silence longer than the connection timeout as a dead connection', async () => {
    const reasons: string[] = [];
    const timers: { run: () => void; ms: number }[] = [];
    const client = createEventsClient({
      realtimeUrl: url,
      authHeaders: tokenAuth('local', async () => 't'),
      createSocket,
      setTimer: (run, ms) => {
        timers.push({ run, ms });
        return timers.length;
      },
      clearTimer: () => undefined,
      onStatus: (status, detail) => {
        if (status === 'reconnecting' && detail) reasons.push(detail);
      },
    });
    client.subscribe('/auth/sign-in', () => undefined);
    await until(() => client.confirmed() === 1, 'the subscription');

    // The keep-alive timer armed at connection_ack, for connectionTimeoutMs (300 s locally).
    const keepAlive = timers.find((timer) => timer.ms === 300_000);
    keepAlive?.run();

    expect(keepAlive).toBeDefined();
    expect(reasons).toEqual(['no keep-alive from the server']);
    client.close();
  });

  it('reports a subscription the server refuses', async () => {
    const errors: string[] = [];
    const client = createEventsClient({
      realtimeUrl: url,
      authHeaders: tokenAuth('local', async () => 't'),
      createSocket,
    });
    client.subscribe(
      'not a channel',
      () => undefined,
      (message) => errors.push(message),
    );
    await until(() => errors.length === 1, 'the subscribe_error');

    expect(errors[0]).toMatch(/\w+/);
    client.close();
  });
});
