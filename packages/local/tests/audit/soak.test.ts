import {
  type AuditEvent,
  createAuditor,
  createFirehoseSink,
  createMemoryFallback,
} from '@authwatch/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firehoseClient, idsOf, STREAM, someEvents, startFake } from './helpers.js';

const EVENTS = 20_000;
const PARALLEL_INVOCATIONS = 8;

describe('soak: tens of thousands of events through random faults', () => {
  let fake: Awaited<ReturnType<typeof startFake>>;
  const fallback = createMemoryFallback();
  const sent: AuditEvent[] = [];
  let deliveredIds: string[] = [];

  beforeAll(async () => {
    fake = await startFake({
      faults: {
        partialFailureRate: 0.2,
        unavailableRate: 0.1,
        throttleRate: 0.1,
        dropResponseRate: 0.03,
        latencyJitterMs: 2,
      },
    });
    const sink = createFirehoseSink({
      streamName: STREAM,
      client: firehoseClient(fake.url, 5_000),
      baseBackoffMs: 1,
      maxBackoffMs: 4,
      maxAttempts: 5,
    });
    const auditor = createAuditor({ sinks: [sink], fallback, metrics: { addMetric: () => 0 } });
    // Invocations of 1 to 20 events, several in flight, like concurrent Lambdas.
    const queue = someEvents(EVENTS);
    sent.push(...queue);
    const worker = async () => {
      while (queue.length > 0) {
        const batch = queue.splice(0, 1 + Math.floor(Math.random() * 20));
        await auditor.emit(batch, { deadline: Date.now() + 10_000 });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_INVOCATIONS }, worker));
    deliveredIds = idsOf(await fake.records());
  }, 120_000);

  afterAll(async () => {
    await fake.close();
  });

  it('lands every event id in the sink files or the fallback output', () => {
    const delivered = new Set(deliveredIds);
    const fellBack = new Set(fallback.lines.map((line) => JSON.parse(line).event.metadata.uid));

    const lost = sent.filter(
      (e) => !delivered.has(e.metadata.uid) && !fellBack.has(e.metadata.uid),
    );

    expect(lost).toEqual([]);
    // Faults were really injected, and some events really took the fallback path.
    expect(fake.fake.stats.recordsFailed).toBeGreaterThan(0);
    expect(fake.fake.stats.unavailable).toBeGreaterThan(0);
    expect(fake.fake.stats.throttled).toBeGreaterThan(0);
    expect(fellBack.size).toBeGreaterThan(0);
  });

  it('stores an event twice only when the answer to its first request was lost', () => {
    const counts = new Map<string, number>();
    for (const id of deliveredIds) {
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const explained = new Set(idsOf(fake.fake.stats.lostRecords.map((text) => JSON.parse(text))));
    const fellBack = fallback.lines.map((line) => JSON.parse(line).event.metadata.uid as string);

    const unexplainedDuplicates = [...counts].filter(([id, n]) => n > 1 && !explained.has(id));
    const unexplainedBoth = fellBack.filter((id) => counts.has(id) && !explained.has(id));

    expect(unexplainedDuplicates).toEqual([]);
    expect(unexplainedBoth).toEqual([]);
    expect(counts.size + fellBack.filter((id) => !counts.has(id)).length).toBe(EVENTS);
  });
});
