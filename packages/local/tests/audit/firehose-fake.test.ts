import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAM, startFake } from './helpers.js';

describe('local Firehose endpoint with outside input', () => {
  let fake: Awaited<ReturnType<typeof startFake>>;
  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(async () => {
    await fake.close();
  });

  const post = (target: string, body: string) =>
    fetch(fake.url, {
      method: 'POST',
      headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
      body,
    });

  it('answers any body with a JSON 200 or a typed 400 error, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Firehose_20150804.PutRecord', 'Firehose_20150804.PutRecordBatch', 'Nope'),
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc
            .record({
              DeliveryStreamName: fc.oneof(fc.constant(STREAM), fc.string()),
              Records: fc.array(fc.record({ Data: fc.oneof(fc.base64String(), fc.integer()) }), {
                maxLength: 5,
              }),
              Record: fc.record({ Data: fc.oneof(fc.base64String(), fc.constant(null)) }),
            })
            .map((value) => JSON.stringify(value)),
        ),
        async (target, body) => {
          const response = await post(target, body);
          const answer = (await response.json()) as Record<string, unknown>;
          expect([200, 400]).toContain(response.status);
          if (response.status === 400) expect(typeof answer.__type).toBe('string');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses an unknown stream with ResourceNotFoundException', async () => {
    const response = await post(
      'Firehose_20150804.PutRecord',
      JSON.stringify({ DeliveryStreamName: 'other', Record: { Data: 'e30K' } }),
    );

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'ResourceNotFoundException' });
  });

  it('changes faults at runtime through its control path', async () => {
    await fetch(`${fake.url}/_authwatch/faults`, {
      method: 'POST',
      body: JSON.stringify({ unavailableRate: 1 }),
    });
    const refused = await post(
      'Firehose_20150804.PutRecord',
      JSON.stringify({ DeliveryStreamName: STREAM, Record: { Data: 'e30K' } }),
    );
    await fetch(`${fake.url}/_authwatch/faults`, { method: 'POST', body: '{}' });

    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ __type: 'ServiceUnavailableException' });
  });
});
