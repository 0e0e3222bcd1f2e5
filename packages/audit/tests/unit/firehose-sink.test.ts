import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getTestEvent } from '@authwatch/testing';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AuditSourceEvent,
  auditContextFromEvent,
  createFirehoseClient,
  createFirehoseSink,
  isRetryable,
  logonSucceeded,
} from '../../src/index.js';

const ctx = auditContextFromEvent(getTestEvent<AuditSourceEvent>('post-auth/new-device'), 0);
const events = (n: number) =>
  Array.from({ length: n }, () => logonSucceeded(ctx, { newDevice: false }));

interface Call {
  name: string;
  records: number;
}

/** A stand-in client that records each command and answers with `answer`. */
function fakeClient(answer: (call: Call, index: number) => unknown) {
  const calls: Call[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const input = command.input as { Records?: unknown[] };
      const call = { name: command.constructor.name, records: input.Records?.length ?? 1 };
      calls.push(call);
      const result = answer(call, calls.length - 1);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as FirehoseClient;
  return { client, calls };
}

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('Firehose sink', () => {
  it('splits 1,201 events into PutRecordBatch calls of at most 500 records', async () => {
    const { client, calls } = fakeClient(() => ({ FailedPutCount: 0 }));
    const sink = createFirehoseSink({ streamName: 's', client });

    const result = await sink.send(events(1_201), { deadline: Date.now() + 10_000 });

    expect(result.failed).toEqual([]);
    expect(calls.map((call) => [call.name, call.records])).toEqual([
      ['PutRecordBatchCommand', 500],
      ['PutRecordBatchCommand', 500],
      ['PutRecordBatchCommand', 201],
    ]);
  });

  it('does not start a retry that would end after the deadline', async () => {
    // Prepare: a clock that only moves when the sink sleeps; every call is throttled
    let now = 1_000;
    const { client, calls } = fakeClient(() => awsError('ThrottlingException', 400));
    const sink = createFirehoseSink({
      streamName: 's',
      client,
      baseBackoffMs: 20,
      random: () => 0.99,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });

    // Act: 30 ms budget; first back-off 19 ms fits, the second (39 ms) does not
    const result = await sink.send(events(2), { deadline: 1_030 });

    // Assess
    expect(calls).toHaveLength(2);
    expect(result.failed).toHaveLength(2);
    expect(result.reason).toContain('deadline');
  });

  it('sends nothing after the deadline and returns the events it did not send', async () => {
    // Prepare: one sender; the first call takes until past the deadline
    let now = 1_000;
    const { client, calls } = fakeClient(() => {
      now = 2_000;
      return { FailedPutCount: 0 };
    });
    const sink = createFirehoseSink({ streamName: 's', client, concurrency: 1, now: () => now });
    const batch = events(1_200);

    // Act
    const result = await sink.send(batch, { deadline: 1_500 });

    // Assess: the first 500 went; the other 700 come back, as they were, with the reason
    expect(calls.map((call) => call.records)).toEqual([500]);
    expect(result.failed.map((event) => event.metadata.uid)).toEqual(
      batch.slice(500).map((event) => event.metadata.uid),
    );
    expect(result.reason).toContain('deadline');
  });

  it('stops at once on an error retrying cannot fix', async () => {
    const { client, calls } = fakeClient(() => awsError('AccessDeniedException', 400));
    const sink = createFirehoseSink({ streamName: 's', client, sleep: async () => undefined });

    const result = await sink.send(events(3), { deadline: Date.now() + 10_000 });

    expect(calls).toHaveLength(1);
    expect(result.failed).toHaveLength(3);
    expect(result.reason).toContain('AccessDeniedException');
  });

  it('re-sends a record whose response entry is missing, as it cannot be proven delivered', async () => {
    const { client, calls } = fakeClient((call, index) =>
      index === 0
        ? { FailedPutCount: 1, RequestResponses: [{ RecordId: 'a' }] }
        : { FailedPutCount: 0, RequestResponses: Array(call.records).fill({ RecordId: 'b' }) },
    );
    const sink = createFirehoseSink({ streamName: 's', client, sleep: async () => undefined });

    const result = await sink.send(events(2), { deadline: Date.now() + 10_000 });

    expect(result.failed).toEqual([]);
    expect(calls.map((call) => call.records)).toEqual([2, 1]);
  });
});

describe('isRetryable', () => {
  it('retries throttling, 5xx and network errors, not client errors', () => {
    expect(isRetryable(awsError('ThrottlingException', 400))).toBe(true);
    expect(isRetryable(awsError('ServiceUnavailableException', 503))).toBe(true);
    expect(isRetryable(awsError('InternalFailure', 500))).toBe(true);
    expect(isRetryable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(awsError('ResourceNotFoundException', 400))).toBe(false);
    expect(isRetryable(awsError('InvalidArgumentException', 400))).toBe(false);
    expect(isRetryable('not an error')).toBe(false);
  });
});

describe('Firehose sink with the audit client', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives up at the deadline on an endpoint that never answers (batch and single record)', async () => {
    // Prepare: an endpoint that takes requests and never answers; a long request timeout,
    // so only the deadline's abort signal can end the calls
    let received = 0;
    const server = createServer((request) => {
      received += 1;
      request.resume();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = createFirehoseClient({
      requestTimeoutMs: 60_000,
      config: {
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      },
    });
    const sink = createFirehoseSink({ streamName: 's', client });

    // Act
    const batch = await sink.send(events(3), { deadline: Date.now() + 250 });
    const single = await sink.send(events(1), { deadline: Date.now() + 250 });

    // Assess: one attempt per call at most (no retry against a silent endpoint). On a
    // loaded machine a call's request may not even reach the server before its deadline.
    expect(received).toBeGreaterThanOrEqual(1);
    expect(received).toBeLessThanOrEqual(2);
    expect(batch.failed).toHaveLength(3);
    expect(single.failed).toHaveLength(1);
    expect(batch.reason).toContain('deadline');
    expect(single.reason).toContain('deadline');
  });
});

describe('Firehose sink without a given client', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    vi.unstubAllEnvs();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('builds its client on the first send, not when created, and reuses it', async () => {
    // Prepare: a Firehose-compatible endpoint, reached through the SDK's own variables
    const targets: string[] = [];
    const server = createServer((request, response) => {
      targets.push(String(request.headers['x-amz-target']));
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ RecordId: 'r-1', Encrypted: false }));
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    vi.stubEnv(
      'AWS_ENDPOINT_URL_FIREHOSE',
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
    const sink = createFirehoseSink({ streamName: 'audit' });
    const before = sink.client;

    // Act
    const first = await sink.send(events(1), { deadline: Date.now() + 5_000 });
    const client = sink.client;
    const second = await sink.send(events(1), { deadline: Date.now() + 5_000 });

    // Assess
    expect(before).toBeUndefined();
    expect(first.failed).toEqual([]);
    expect(second.failed).toEqual([]);
    expect(client).toBeDefined();
    expect(sink.client).toBe(client);
    expect(targets).toEqual(['Firehose_20150804.PutRecord', 'Firehose_20150804.PutRecord']);
    expect(sink.stats.recordsDelivered).toBe(2);
  });
});
