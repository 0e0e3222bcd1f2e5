import {
  createAuditor,
  createFirehoseSink,
  createMemoryFallback,
  eventDay,
  FALLBACK_MARKER,
  tokensIssued,
} from '@authwatch/audit';
import { afterEach, describe, expect, it } from 'vitest';
import { firehoseClient, idsOf, STREAM, scripted, someEvents, startFake } from './helpers.js';

type Fake = Awaited<ReturnType<typeof startFake>>;
let running: Fake | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function fakeWith(options: Parameters<typeof startFake>[0] = {}): Promise<Fake> {
  running = await startFake(options);
  return running;
}

const noMetrics = { addMetric: () => undefined };

describe('Firehose emitter against the local Firehose endpoint', () => {
  it('delivers several events in one PutRecordBatch as NDJSON in the S3 layout', async () => {
    // Prepare
    const { fake, records, url } = await fakeWith();
    const sink = createFirehoseSink({ streamName: STREAM, client: firehoseClient(url) });
    const events = someEvents(7);

    // Act
    const result = await sink.send(events, { deadline: Date.now() + 10_000 });

    // Assess
    expect(result.failed).toEqual([]);
    expect(fake.stats.putRecordBatch).toBe(1);
    expect(fake.stats.putRecord).toBe(0);
    expect([...idsOf(await records())].sort()).toEqual(events.map((e) => e.metadata.uid).sort());
    // One object per class (source), each in the day of its records' own time.
    const day = eventDay(events[0]!.time);
    expect([...fake.stats.objects].sort()).toEqual([
      expect.stringMatching(
        new RegExp(
          `/ext/authwatch-account-change/region=us-east-1/accountId=000000000000/eventDay=${day}/authwatch-audit-1-\\d{4}(-\\d\\d){5}-[0-9a-f-]{36}$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `/ext/authwatch-authentication/region=us-east-1/accountId=000000000000/eventDay=${day}/`,
        ),
      ),
    ]);
  });

  it('sends a single event with PutRecord', async () => {
    const { fake, records, url } = await fakeWith();
    const sink = createFirehoseSink({ streamName: STREAM, client: firehoseClient(url) });
    const [event] = someEvents(1);

    await sink.send([event!], { deadline: Date.now() + 10_000 });

    expect(fake.stats.putRecord).toBe(1);
    expect(idsOf(await records())).toEqual([event!.metadata.uid]);
  });

  it('re-sends only the records a partial failure rejected', async () => {
    // Prepare: records 0 and 2 of the first batch fail, everything after succeeds
    const { fake, records, url } = await fakeWith({
      faults: { partialFailureRate: 0.5 },
      random: scripted([0.1, 0.9, 0.1, 0.9, 0.9]),
    });
    const sink = createFirehoseSink({
      streamName: STREAM,
      client: firehoseClient(url),
      sleep: async () => undefined,
    });
    const events = someEvents(5);

    // Act
    const result = await sink.send(events, { deadline: Date.now() + 10_000 });

    // Assess
    expect(result.failed).toEqual([]);
    expect(fake.stats.recordsFailed).toBe(2);
    expect(sink.stats.recordsSent).toBe(5 + 2);
    expect(fake.stats.putRecordBatch).toBe(2);
    const delivered = idsOf(await records());
    expect([...delivered].sort()).toEqual(events.map((e) => e.metadata.uid).sort());
  });

  it('retries a 503 ServiceUnavailableException', async () => {
    const { fake, records, url } = await fakeWith({
      faults: { unavailableRate: 0.5 },
      random: scripted([0.1, 0.1]),
    });
    const sink = createFirehoseSink({
      streamName: STREAM,
      client: firehoseClient(url),
      sleep: async () => undefined,
    });
    const events = someEvents(3);

    const result = await sink.send(events, { deadline: Date.now() + 10_000 });

    expect(result.failed).toEqual([]);
    expect(fake.stats.unavailable).toBe(2);
    expect(fake.stats.requests).toBe(3);
    expect(idsOf(await records())).toHaveLength(3);
  });

  it('backs off exponentially with jitter on throttling, then delivers', async () => {
    // Prepare: three throttled answers in a row
    const { fake, records, url } = await fakeWith({
      faults: { throttleRate: 0.5 },
      random: scripted([0.1, 0.1, 0.1]),
    });
    const sleeps: number[] = [];
    const sink = createFirehoseSink({
      streamName: STREAM,
      client: firehoseClient(url),
      baseBackoffMs: 20,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    // Act
    const result = await sink.send(someEvents(2), { deadline: Date.now() + 5_000 });

    // Assess
    expect(result.failed).toEqual([]);
    expect(fake.stats.throttled).toBe(3);
    expect(sleeps).toEqual([10, 20, 40]);
    expect(await records()).toHaveLength(2);
  });

  it('gives up after the configured attempts and reports the events as failed', async () => {
    const { url } = await fakeWith({ faults: { unavailableRate: 1 } });
    const sink = createFirehoseSink({
      streamName: STREAM,
      client: firehoseClient(url),
      maxAttempts: 3,
      sleep: async () => undefined,
    });
    const events = someEvents(4);

    const result = await sink.send(events, { deadline: Date.now() + 5_000 });

    expect(result.failed.map((e) => e.metadata.uid)).toEqual(events.map((e) => e.metadata.uid));
    expect(result.reason).toContain('ServiceUnavailableException');
    expect(sink.stats.requests).toBe(3);
  });

  it('does not retry a missing stream and falls back at once', async () => {
    const { fake, url } = await fakeWith();
    const fallback = createMemoryFallback();
    const auditor = createAuditor({
      sinks: [createFirehoseSink({ streamName: 'no-such-stream', client: firehoseClient(url) })],
      fallback,
      metrics: noMetrics,
    });

    const result = await auditor.emit(someEvents(2), { deadline: Date.now() + 10_000 });

    expect(result).toEqual({ delivered: 0, fallback: 2 });
    expect(fake.stats.requests).toBe(1);
    expect(fallback.lines[0]).toContain('ResourceNotFoundException');
  });

  it('writes fallback lines for a slow endpoint and returns by the deadline', async () => {
    // Prepare: the endpoint answers after 3 s, the invocation has 300 ms
    const { url } = await fakeWith({ faults: { latencyMs: 3_000 } });
    const fallback = createMemoryFallback();
    const auditor = createAuditor({
      sinks: [createFirehoseSink({ streamName: STREAM, client: firehoseClient(url, 5_000) })],
      fallback,
      metrics: noMetrics,
    });
    const events = someEvents(3);
    const deadline = Date.now() + 300;

    // Act
    const result = await auditor.emit(events, { deadline });
    const returnedAt = Date.now();

    // Assess: the abort fires at the deadline; 2 s is far below the endpoint's 3 s
    expect(result).toEqual({ delivered: 0, fallback: 3 });
    expect(returnedAt - deadline).toBeLessThan(2_000);
    const lines = fallback.lines.map((line) => JSON.parse(line));
    expect(lines.every((line) => line[FALLBACK_MARKER] === 1)).toBe(true);
    expect(lines.map((line) => line.event.metadata.uid)).toEqual(events.map((e) => e.metadata.uid));
  });

  it('truncates an oversized event with a marker instead of dropping it', async () => {
    const { records, url } = await fakeWith();
    const sink = createFirehoseSink({ streamName: STREAM, client: firehoseClient(url) });
    const [base] = someEvents(1);
    const huge = {
      ...tokensIssued(
        {
          userPoolId: 'us-east-1_EXAMPLE1a',
          region: 'us-east-1',
          triggerSource: 'TokenGeneration_Authentication',
          clientId: 'client',
          userName: 'user',
          now: base!.time,
        },
        {
          matchedRules: Array.from({ length: 3_000 }, (_u, i) => `rule-${i}-${'x'.repeat(500)}`),
          claimsAdded: [],
          claimsSuppressed: [],
          scopesAdded: [],
          scopesSuppressed: [],
          tokenVersion: 'V2_0',
        },
      ),
    };

    const result = await sink.send([huge], { deadline: Date.now() + 10_000 });

    expect(result.failed).toEqual([]);
    const [delivered] = (await records()) as (typeof huge)[];
    expect(delivered?.metadata.uid).toBe(huge.metadata.uid);
    expect(delivered?.unmapped.truncated).toBe(true);
    expect(delivered?.unmapped.originalSize).toBeGreaterThan(1_000 * 1024);
  });

  it('re-sends when an answer is lost, so the stored copy is a duplicate it can explain', async () => {
    const { fake, records, url } = await fakeWith({
      faults: { dropResponseRate: 0.5 },
      random: scripted([0.1]),
    });
    const sink = createFirehoseSink({
      streamName: STREAM,
      client: firehoseClient(url),
      sleep: async () => undefined,
    });
    const events = someEvents(2);

    const result = await sink.send(events, { deadline: Date.now() + 10_000 });

    expect(result.failed).toEqual([]);
    expect(fake.stats.responsesLost).toBe(1);
    expect(idsOf(await records())).toHaveLength(4);
    expect(idsOf(fake.stats.lostRecords.map((text) => JSON.parse(text)))).toEqual(
      events.map((e) => e.metadata.uid),
    );
  });
});
