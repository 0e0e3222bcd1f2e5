import {
  type AuditEvent,
  createAuditor,
  createLiveFeedSink,
  createMemoryFallback,
  createMemorySink,
} from '@authwatch/audit';
import { startWatch } from '@authwatch/audit/cli';
import { AppSyncClient, GetApiCommand } from '@aws-sdk/client-appsync';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  channelMatches,
  createLiveFeedServer,
  decodeHeaderProtocol,
  type LiveFeedServer,
} from '../../src/live-feed/index.js';
import { someEvents } from './helpers.js';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let server: LiveFeedServer | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server?.stop();
  server = undefined;
});

async function startServer(): Promise<LiveFeedServer> {
  server = createLiveFeedServer({ keepAliveMs: 50 });
  await server.start();
  return server;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + 15_000;
  while (Date.now() < giveUpAt) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A raw WebSocket subscriber speaking the AppSync Events protocol. */
async function subscribe(url: string, channel: string) {
  const host = new URL(url).host;
  const header = Buffer.from(JSON.stringify({ host, 'x-api-key': 'da2-local' })).toString(
    'base64url',
  );
  const socket = new WebSocket(`${url.replace('http', 'ws')}/event/realtime`, [
    'aws-appsync-event-ws',
    `header-${header}`,
  ]);
  closers.push(() => socket.close());
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await until(() => messages.some((m) => m.type === 'connection_ack'), 'connection_ack');
  socket.send(
    JSON.stringify({
      type: 'subscribe',
      id: 'sub-1',
      channel,
      authorization: { host, 'x-api-key': 'da2-local' },
    }),
  );
  await until(
    () => messages.some((m) => m.type === 'subscribe_success' || m.type === 'subscribe_error'),
    'subscribe answer',
  );
  return { socket, messages, data: () => messages.filter((m) => m.type === 'data') };
}

describe('live feed against the local AppSync Events endpoint', () => {
  it('delivers events published by the SigV4 live-feed sink to a WebSocket subscriber', async () => {
    // Prepare
    const live = await startServer();
    const subscriber = await subscribe(live.url, '/auth/*');
    const sink = createLiveFeedSink({
      url: `${live.url}/event`,
      channel: '/auth/sign-in',
      region: 'us-east-1',
      credentials,
      // Generous: the machine running the tests may be loaded; speed is the bench's job.
      timeoutMs: 5_000,
    });
    const events = someEvents(7);

    // Act
    const result = await sink.send(events, { deadline: Date.now() + 5_000 });
    await until(() => subscriber.data().length === 7, 'seven data messages');

    // Assess: 7 events in calls of at most 5, each a JSON string
    expect(result.failed).toEqual([]);
    expect(live.stats.published).toBe(7);
    const received = subscriber.data().map((m) => JSON.parse(m.event as string) as AuditEvent);
    expect(received.map((e) => e.metadata.uid).sort()).toEqual(
      events.map((e) => e.metadata.uid).sort(),
    );
    expect(subscriber.data()[0]?.id).toBe('sub-1');
  });

  it('keeps the connection alive with ka messages', async () => {
    const live = await startServer();
    const subscriber = await subscribe(live.url, '/auth/sign-in');

    await until(() => subscriber.messages.some((m) => m.type === 'ka'), 'a keep-alive');

    expect(subscriber.messages[0]).toMatchObject({ type: 'connection_ack' });
  });

  it('refuses a bad channel pattern and stops delivering after unsubscribe', async () => {
    const live = await startServer();
    const bad = await subscribe(live.url, 'auth/*');
    expect(bad.messages.at(-1)).toMatchObject({ type: 'subscribe_error', id: 'sub-1' });

    const subscriber = await subscribe(live.url, '/auth/sign-in');
    subscriber.socket.send(JSON.stringify({ type: 'unsubscribe', id: 'sub-1' }));
    await until(
      () => subscriber.messages.some((m) => m.type === 'unsubscribe_success'),
      'unsubscribe',
    );
    live.publish('/auth/sign-in', ['{"a":1}']);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(subscriber.data()).toEqual([]);
  });

  it('refuses a publish without authorization or with more than 5 events', async () => {
    const live = await startServer();

    const anonymous = await fetch(`${live.url}/event`, {
      method: 'POST',
      body: JSON.stringify({ channel: '/auth/sign-in', events: ['{}'] }),
    });
    const tooMany = await fetch(`${live.url}/event`, {
      method: 'POST',
      headers: { 'x-api-key': 'da2-local' },
      body: JSON.stringify({ channel: '/auth/sign-in', events: Array(6).fill('{}') }),
    });

    expect(anonymous.status).toBe(401);
    expect(tooMany.status).toBe(400);
  });

  it('answers GetApi for the real AppSync client, and NotFound for another id', async () => {
    const live = await startServer();
    const client = new AppSyncClient({ endpoint: live.url, region: 'us-east-1', credentials });

    const { api } = await client.send(new GetApiCommand({ apiId: live.apiId }));

    expect(api?.dns).toEqual({ HTTP: new URL(live.url).host, REALTIME: new URL(live.url).host });
    await expect(client.send(new GetApiCommand({ apiId: 'nope' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });
});

describe('authwatch-watch against the local live feed', () => {
  it('prints one line per matching event, applying the status and user filters', async () => {
    // Prepare
    const live = await startServer();
    const out: string[] = [];
    const io = {
      stdout: (text: string) => out.push(text),
      stderr: () => undefined,
      env: {
        AWS_ENDPOINT_URL_APPSYNC: live.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    };
    const appsync = new AppSyncClient({ endpoint: live.url, region: 'us-east-1', credentials });
    const watch = startWatch([live.apiId, '--status', 'failure'], io, appsync);
    closers.push(() => watch.stop());
    await watch.ready;
    const auditor = createAuditor({
      sinks: [
        createMemorySink(),
        createLiveFeedSink({
          url: `${live.url}/event`,
          channel: '/auth/sign-in',
          region: 'us-east-1',
          credentials,
          timeoutMs: 5_000,
        }),
      ],
      fallback: createMemoryFallback(),
      metrics: { addMetric: () => 0 },
    });
    const events = someEvents(6); // kinds cycle: logon, challenge-failed, sign-up

    // Act
    await auditor.emit(events, { deadline: Date.now() + 5_000 });
    await until(() => out.length >= 2, 'two lines');
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess: only the two failures, one readable line each
    expect(out).toHaveLength(2);
    for (const line of out) {
      expect(line).toMatch(
        /^\d{4}-\d\d-\d\dT[\d:.]+Z FAILURE challenge-failed\s+user=a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 client=1example23456789abcdefghij ip=- +wrong answer \(attempt 1 of 3\)\n$/,
      );
    }
  });

  it('prints JSON with --json and drops events of other clients with --client', async () => {
    const live = await startServer();
    const out: string[] = [];
    const io = {
      stdout: (text: string) => out.push(text),
      stderr: () => undefined,
      env: { AWS_ENDPOINT_URL_APPSYNC: live.url },
    };
    const appsync = new AppSyncClient({ endpoint: live.url, region: 'us-east-1', credentials });
    const watch = startWatch(
      [live.apiId, '--json', '--client', 'other-client', '--api-key', 'da2-local'],
      io,
      appsync,
    );
    closers.push(() => watch.stop());
    await watch.ready;
    const [mine, theirs] = someEvents(2);
    theirs!.unmapped.clientId = 'other-client';

    live.publish('/auth/sign-in', [JSON.stringify(mine), JSON.stringify(theirs)]);
    await until(() => out.length >= 1, 'one line');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(out.map((line) => JSON.parse(line).metadata.uid)).toEqual([theirs!.metadata.uid]);
  });

  it('reconnects after the connection drops and keeps printing events', async () => {
    // Prepare
    const live = await startServer();
    const out: string[] = [];
    const err: string[] = [];
    const appsync = new AppSyncClient({ endpoint: live.url, region: 'us-east-1', credentials });
    const watch = startWatch(
      [live.apiId, '--api-key', 'da2-local'],
      {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        env: { AWS_ENDPOINT_URL_APPSYNC: live.url },
      },
      appsync,
    );
    closers.push(() => watch.stop());
    await watch.ready;

    // Act
    live.dropConnections();
    await until(() => err.join('').includes('watching /auth/sign-in again'), 'a reconnection');
    const [event] = someEvents(1);
    live.publish('/auth/sign-in', [JSON.stringify(event)]);
    await until(() => out.length === 1, 'the event after reconnecting');

    // Assess
    expect(err.join('')).toContain('connection closed');
    expect(out[0]).toContain('SUCCESS logon-succeeded');
  });

  it('treats a server silent for longer than its connection timeout as disconnected', async () => {
    // Prepare: the server promises a keep-alive every 200 ms but never sends one
    server = createLiveFeedServer({ keepAliveMs: 3_600_000, connectionTimeoutMs: 200 });
    await server.start();
    const err: string[] = [];
    const appsync = new AppSyncClient({ endpoint: server.url, region: 'us-east-1', credentials });
    const watch = startWatch(
      [server.apiId, '--api-key', 'da2-local'],
      {
        stdout: () => undefined,
        stderr: (t) => err.push(t),
        env: { AWS_ENDPOINT_URL_APPSYNC: server.url },
      },
      appsync,
    );
    closers.push(() => watch.stop());

    // Act
    await watch.ready;
    await until(() => err.join('').includes('no keep-alive'), 'the keep-alive timeout');

    // Assess
    expect(err.join('')).toMatch(/no keep-alive from the server; reconnecting in \d+ ms/);
  });

  it('exits with an error for an unknown API id', async () => {
    const live = await startServer();
    const err: string[] = [];
    const appsync = new AppSyncClient({ endpoint: live.url, region: 'us-east-1', credentials });

    const watch = startWatch(
      ['missing-api'],
      { stdout: () => undefined, stderr: (t) => err.push(t), env: {} },
      appsync,
    );

    expect(await watch.done).toBe(1);
    expect(err.join('')).toContain('missing-api');
  });
});

describe('channel matching', () => {
  it('matches a channel by itself and by a /* prefix only below that prefix', () => {
    expect(channelMatches('/auth/*', '/auth/sign-in')).toBe(true);
    expect(channelMatches('/auth/*', '/auth/sign-in/eu')).toBe(true);
    expect(channelMatches('/auth/*', '/authx/sign-in')).toBe(false);
    expect(channelMatches('/auth/*', '/auth')).toBe(false);
    expect(channelMatches('/auth/sign-in', '/auth/sign-in')).toBe(true);
  });

  it('a /* pattern matches exactly the channels that start with its prefix', () => {
    const segment = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 2 }),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        (prefix, rest) => {
          const pattern = `/${prefix.join('/')}/*`;
          expect(channelMatches(pattern, `/${[...prefix, ...rest].join('/')}`)).toBe(true);
          expect(channelMatches(pattern, `/${prefix.join('/')}`)).toBe(false);
        },
      ),
    );
  });

  it('decodes any subprotocol without throwing', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const value = decodeHeaderProtocol(`header-${text}`);
        if (value !== undefined) expect(typeof value).toBe('object');
      }),
    );
  });
});

describe('messages from outside', () => {
  /** A frame a client might send: protocol messages with members of any type, or any JSON. */
  const member = fc.oneof(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }));
  const frame = fc.oneof(
    fc
      .record(
        {
          type: fc.oneof(
            fc.constantFrom('connection_init', 'subscribe', 'unsubscribe', 'publish', 'ka'),
            member,
          ),
          id: member,
          channel: fc.oneof(fc.constantFrom('/auth/sign-in', '/auth/*', 'auth'), member),
          events: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 7 }), member),
          authorization: fc.oneof(fc.constant({ 'x-api-key': 'da2-local' }), member),
        },
        { requiredKeys: [] },
      )
      .map((message) => JSON.stringify(message)),
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 20 }),
  );

  it('answers every WebSocket frame and keeps the connection working', async () => {
    const live = await startServer();
    const subscriber = await subscribe(live.url, '/auth/sign-in');
    const before = subscriber.messages.length;

    const frames = fc.sample(frame, { numRuns: 300, seed: 7 });
    for (const text of frames) subscriber.socket.send(text);
    // Every frame but a ka or connection_init gets an answer of its own: a success or an
    // error naming what was wrong. Then the connection still delivers.
    await until(
      () =>
        subscriber.messages.filter((m) => m.type !== 'ka').length - before >=
        frames.filter((text) => !/^\{"type":"ka"/.test(text)).length,
      'an answer to every frame',
    );
    const answers = subscriber.messages.slice(before).filter((m) => m.type !== 'ka');
    for (const answer of answers) {
      expect(String(answer.type)).toMatch(
        /^(connection_ack|error|subscribe_(success|error)|unsubscribe_(success|error)|publish_(success|error))$/,
      );
      if (String(answer.type).endsWith('error')) {
        expect(answer.errors).toEqual([
          expect.objectContaining({ errorType: expect.any(String), message: expect.any(String) }),
        ]);
      }
    }
    live.publish('/auth/sign-in', ['{"after":"fuzz"}']);
    await until(
      () => subscriber.data().some((m) => m.event === '{"after":"fuzz"}'),
      'delivery after the fuzzed frames',
    );
  });

  it('answers any HTTP publish body with a result or a 4xx error, never a 5xx', async () => {
    const live = await startServer();
    const body = fc.oneof(
      fc
        .record(
          {
            channel: fc.oneof(fc.constantFrom('/auth/sign-in', 'auth', '/a/*'), member),
            events: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 7 }), member),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const response = await fetch(`${live.url}/event`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'da2-local' },
          body: text,
        });
        const answer = (await response.json()) as Record<string, unknown>;
        if (response.status === 200) {
          expect(answer.failed).toEqual([]);
        } else {
          expect(response.status).toBe(400);
          expect(answer.errors).toEqual([
            expect.objectContaining({ errorType: 'BadRequestException' }),
          ]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
