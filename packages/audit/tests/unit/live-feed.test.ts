import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestEvent } from '@authwatch/testing';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AuditSourceEvent,
  auditContextFromEvent,
  createLiveFeedSink,
  type LiveFeedTransport,
  logonSucceeded,
  nativeSha256,
} from '../../src/index.js';

const ctx = auditContextFromEvent(getTestEvent<AuditSourceEvent>('post-auth/new-device'), 0);
const events = (n: number) =>
  Array.from({ length: n }, () => logonSucceeded(ctx, { newDevice: false }));
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
const CHANNEL = '/auth/sign-in';

interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A local HTTP server: records each request, answers with `answer`. */
async function startServer(
  answer: (request: Received, res: ServerResponse) => void = (request, res) => {
    const count = (JSON.parse(request.body) as { events: string[] }).events.length;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        successful: Array.from({ length: count }, (_u, index) => ({ identifier: 'x', index })),
        failed: [],
      }),
    );
  },
) {
  const received: Received[] = [];
  let connections = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(request);
      answer(request, res);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}/event`, received, connections: () => connections };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const soon = () => Date.now() + 5_000;

/** The sink under test, pointed at a local server, signing for appsync in eu-west-1. */
const sinkFor = (server: { url: string }, timeoutMs = 5_000) =>
  createLiveFeedSink({
    url: server.url,
    channel: CHANNEL,
    region: 'eu-west-1',
    credentials,
    timeoutMs,
  });

describe('live-feed sink', () => {
  it('publishes events as JSON strings in calls of at most 5, SigV4-signed for appsync', async () => {
    const server = await startServer();
    const sink = sinkFor(server);
    const batch = events(7);

    const result = await sink.send(batch, { deadline: soon() });

    expect(result.failed).toEqual([]);
    const bodies = server.received.map(
      (r) => JSON.parse(r.body) as { channel: string; events: string[] },
    );
    expect(bodies.map((body) => body.events.length).sort()).toEqual([2, 5]);
    expect(bodies.every((body) => body.channel === CHANNEL)).toBe(true);
    const ids = bodies.flatMap((body) => body.events.map((e) => JSON.parse(e).metadata.uid));
    expect(ids.sort()).toEqual(batch.map((event) => event.metadata.uid).sort());
    expect(server.received[0]?.method).toBe('POST');
    expect(server.received[0]?.path).toBe('/event');
    expect(server.received[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/appsync\/aws4_request, /,
    );
  });

  it('signs exactly what it sends (the signature checks out against the received request)', async () => {
    const server = await startServer();
    const sink = sinkFor(server);
    await sink.send(events(1), { deadline: soon() });
    const got = server.received[0] as Received;
    const { authorization, connection: _c, ...headers } = got.headers;
    const amzDate = headers['x-amz-date'] as string;
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const [hostname, port] = (headers.host as string).split(':');

    const again = await new SignatureV4({
      service: 'appsync',
      region: 'eu-west-1',
      credentials,
      sha256: nativeSha256,
    }).sign(
      new HttpRequest({
        method: got.method,
        protocol: 'http:',
        hostname,
        port: Number(port),
        path: got.path,
        headers,
        body: got.body,
      }),
      { signingDate },
    );

    expect(again.headers.authorization).toBe(authorization);
  });

  it('keeps the connection open between publishes', async () => {
    const server = await startServer();
    const sink = sinkFor(server);

    for (let i = 0; i < 3; i += 1) await sink.send(events(1), { deadline: soon() });

    expect(server.received).toHaveLength(3);
    expect(server.connections()).toBe(1);
  });

  it('returns the events the answer names as failed, and every event of a refused call', async () => {
    let call = 0;
    const server = await startServer((request, res) => {
      call += 1;
      if (call === 1) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ successful: [], failed: [{ identifier: 'x', index: 1 }] }));
        return;
      }
      res.statusCode = 500;
      res.end(request.body.slice(0, 0));
    });
    const sink = sinkFor(server);
    const [a, b, c] = events(3) as [AuditEvent, AuditEvent, AuditEvent];

    const first = await sink.send([a, b], { deadline: soon() });
    const second = await sink.send([c], { deadline: soon() });

    expect(first.failed).toEqual([b]);
    expect(second.failed).toEqual([c]);
    expect(second.reason).toBe('live feed publish failed');
  });

  it('gives up at the deadline while the endpoint has not answered', async () => {
    const held: ServerResponse[] = [];
    const server = await startServer((_request, res) => {
      held.push(res);
    });
    const sink = sinkFor(server, 60_000);
    const batch = events(2);

    const result = await sink.send(batch, { deadline: Date.now() + 100 });

    // The endpoint never answered: the sink returned on its own, with every event failed.
    expect(held).toHaveLength(1);
    expect(held[0]?.writableEnded).toBe(false);
    expect(result.failed).toEqual(batch);
  });

  it('uses an API key instead of signing when given one', async () => {
    const server = await startServer();
    const sink = createLiveFeedSink({
      url: server.url,
      channel: CHANNEL,
      region: 'eu-west-1',
      apiKey: 'da2-local',
      timeoutMs: 5_000,
    });

    await sink.send(events(1), { deadline: soon() });

    expect(server.received[0]?.headers['x-api-key']).toBe('da2-local');
    expect(server.received[0]?.headers.authorization).toBeUndefined();
  });

  it('hands the transport an abort signal that fires at the deadline', async () => {
    const signals: AbortSignal[] = [];
    const transport: LiveFeedTransport = (_request, signal) =>
      new Promise((_resolve, reject) => {
        signals.push(signal);
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    const sink = createLiveFeedSink({
      url: 'https://example.appsync-api.eu-west-1.amazonaws.com/event',
      channel: CHANNEL,
      region: 'eu-west-1',
      apiKey: 'da2-test',
      transport,
    });

    const result = await sink.send(events(1), { deadline: Date.now() + 30 });

    expect(signals).toHaveLength(1);
    expect(signals[0]?.aborted).toBe(true);
    expect(result.failed).toHaveLength(1);
  });

  it('fails the events of an answer cut off before its end', async () => {
    const server = await startServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"successful":[');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const sink = sinkFor(server);

    const result = await sink.send(events(2), { deadline: soon() });

    expect(result.failed).toHaveLength(2);
  });

  it('sends nothing when the deadline has already passed', async () => {
    const server = await startServer();
    const sink = createLiveFeedSink({
      url: server.url,
      channel: CHANNEL,
      region: 'eu-west-1',
      credentials,
    });

    const result = await sink.send(events(2), { deadline: Date.now() - 1 });

    expect(result.failed).toHaveLength(2);
    expect(server.received).toHaveLength(0);
  });

  it('refuses a URL that is not http(s), naming the scheme', () => {
    expect(() =>
      createLiveFeedSink({ url: 'ftp://example.com/event', channel: CHANNEL, region: 'eu-west-1' }),
    ).toThrow(/http\(s\).*ftp:/);
  });
});
