import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirehoseFaultsError, normaliseFaults } from '../../src/firehose/index.js';
import { STREAM, startFake } from './helpers.js';

describe('local Firehose endpoint with outside input', () => {
  let fake: Awaited<ReturnType<typeof startFake>>;
  /** Random records cannot be partitioned: the fake says so for each write (kept quiet). */
  const logged: string[] = [];
  beforeAll(async () => {
    fake = await startFake({ log: (line) => logged.push(line) });
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

  it('refuses faults it does not understand, naming the member, and keeps the ones it had', async () => {
    const set = (body: string) => fetch(`${fake.url}/_authwatch/faults`, { method: 'POST', body });
    await set(JSON.stringify({ latencyMs: 1 }));

    const badRate = await set(JSON.stringify({ throttleRate: 2 }));
    const unknown = await set(JSON.stringify({ throttle: 1 }));
    const notJson = await set('{');
    const current = await set('{"latencyMs":1}');
    await set('{}');

    expect(badRate.status).toBe(400);
    expect(((await badRate.json()) as { message: string }).message).toBe(
      'local firehose faults: throttleRate must be a number from 0 to 1, got 2',
    );
    expect(((await unknown.json()) as { message: string }).message).toContain(
      "unknown member 'throttle'",
    );
    expect(((await notJson.json()) as { message: string }).message).toBe(
      'local firehose faults: body is not JSON',
    );
    expect(await current.json()).toMatchObject({ latencyMs: 1, throttleRate: 0 });
  });

  it('accepts exactly the faults with rates in [0, 1] and latencies in [0, 60000] ms', () => {
    const KNOWN = [
      'partialFailureRate',
      'unavailableRate',
      'throttleRate',
      'dropResponseRate',
      'latencyMs',
      'latencyJitterMs',
    ];
    const member = fc.oneof(fc.constantFrom(...KNOWN), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.dictionary(
            member,
            fc.oneof(fc.double({ min: -1, max: 70_000 }), fc.jsonValue({ maxDepth: 0 })),
            { maxKeys: 4 },
          ),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        (given) => {
          const entries =
            typeof given === 'object' && given !== null && !Array.isArray(given)
              ? Object.entries(given)
              : undefined;
          const valid =
            entries?.every(([key, value]) => {
              if (!KNOWN.includes(key)) return false;
              const max = key.endsWith('Rate') ? 1 : 60_000;
              return (
                typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max
              );
            }) ?? false;
          if (!valid) {
            expect(() => normaliseFaults(given)).toThrow(FirehoseFaultsError);
            return;
          }
          const faults = normaliseFaults(given);
          expect(Object.keys(faults).sort()).toEqual([
            'dropResponseRate',
            'latencyJitterMs',
            'latencyMs',
            'partialFailureRate',
            'throttleRate',
            'unavailableRate',
          ]);
          for (const [key, value] of Object.entries(faults)) {
            expect(value).toBe((given as Record<string, unknown>)[key] ?? 0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
