import { describe, expect, it } from 'vitest';
import { createTrailDelivery } from '../../src/cloudtrail/delivery.js';

const record = (n: number) => ({
  eventName: 'InitiateAuth',
  eventID: `e-${n}`,
  awsRegion: 'us-east-1',
});

describe('local CloudTrail delivery', () => {
  it('hands records over in SQS batches of EventBridge events', async () => {
    // Prepare
    const batches: { Records: { messageId: string; body: string; eventSource: string }[] }[] = [];
    const delivery = createTrailDelivery({
      handler: async (event) => {
        batches.push(event as (typeof batches)[number]);
        return { batchItemFailures: [] };
      },
      batchSize: 3,
      region: 'us-east-1',
      accountId: '123456789012',
    });

    // Act
    for (let n = 0; n < 7; n++) delivery.record(record(n));
    await delivery.drain();

    // Assess
    expect(batches.map((b) => b.Records.length)).toEqual([3, 3, 1]);
    const first = batches[0]?.Records[0];
    expect(first?.eventSource).toBe('aws:sqs');
    expect(JSON.parse(first?.body ?? '{}')).toMatchObject({
      source: 'aws.cognito-idp',
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventID: 'e-0' },
    });
  });

  it('receives the failed messages again, then keeps them as dead letters', async () => {
    // Prepare: the handler refuses e-1 every time.
    let calls = 0;
    const delivery = createTrailDelivery({
      handler: async (event) => {
        calls += 1;
        const failed = (event.Records as { messageId: string; body: string }[]).filter((r) =>
          r.body.includes('"e-1"'),
        );
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      maxReceiveCount: 3,
      region: 'us-east-1',
      accountId: '123456789012',
    });

    // Act
    delivery.record(record(0));
    delivery.record(record(1));
    await delivery.drain();

    // Assess
    expect(calls).toBe(3);
    expect(delivery.deadLetters).toHaveLength(1);
    expect(delivery.deadLetters[0]).toContain('"e-1"');
  });

  it('receives a whole batch again when the handler throws', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const delivery = createTrailDelivery({
      handler: async () => {
        calls += 1;
        if (calls === 1) throw new Error('cold start failed');
        return { batchItemFailures: [] };
      },
      onError: (error) => errors.push(error),
      region: 'us-east-1',
      accountId: '123456789012',
    });
    delivery.record(record(0));
    await delivery.drain();
    expect([calls, errors.length, delivery.deadLetters.length]).toEqual([2, 1, 0]);
  });

  it('receives a failed message again only after its retry delay, and drain waits for it', async () => {
    // Prepare: the handler fails the first receive of every message.
    const receives: { at: number; count: string | undefined }[] = [];
    const delivery = createTrailDelivery({
      handler: async (event) => {
        const records = (
          event as { Records: { messageId: string; attributes: Record<string, string> }[] }
        ).Records;
        for (const r of records)
          receives.push({ at: Date.now(), count: r.attributes.ApproximateReceiveCount });
        return {
          batchItemFailures: records
            .filter((r) => r.attributes.ApproximateReceiveCount === '1')
            .map((r) => ({ itemIdentifier: r.messageId })),
        };
      },
      retryDelayMs: 40,
      region: 'us-east-1',
      accountId: '123456789012',
    });

    // Act
    delivery.record(record(1));
    await delivery.drain();

    // Assess: received twice, the second time no sooner than the delay; nothing dead.
    expect(receives.map((r) => r.count)).toEqual(['1', '2']);
    expect((receives[1]?.at ?? 0) - (receives[0]?.at ?? 0)).toBeGreaterThanOrEqual(39);
    expect(delivery.deadLetters).toEqual([]);
  });
});
