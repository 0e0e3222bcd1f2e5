import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRE_AUTH_ENV } from '../../src/config.js';
import { lockedUntil, REFUSAL_MESSAGE } from '../../src/policy.js';
import { context, harness, rawEvent } from '../helpers.js';

describe('pre authentication properties', () => {
  it('records any unknown name only as its hash, whatever the name', async () => {
    const { handler, sink } = harness({ [PRE_AUTH_ENV.lock]: 'true' });
    await fc.assert(
      // A marker around the guess: a short guess ("User") could match a fixed word.
      fc.asyncProperty(
        fc.string({ maxLength: 80 }).map((s) => `zq${s}qz`),
        async (name) => {
          sink.clear();
          await handler(
            rawEvent('user-not-found', (e) => {
              e.userName = name;
            }),
            context(),
          );
          const text = JSON.stringify(sink.events);
          expect(sink.events).toHaveLength(1);
          expect(text).not.toContain(JSON.stringify(name).slice(1, -1));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers any lock attribute with a pass or the refusal, never a crash', async () => {
    const { handler } = harness({ [PRE_AUTH_ENV.lock]: 'true' });
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 20 }), async (value) => {
        const event = rawEvent('locked', (e) => {
          e.request.userAttributes['custom:authwatch_lock_until'] = value;
        });
        const outcome = await handler(event, context()).then(
          () => 'pass',
          (error: Error) => error.message,
        );
        expect(['pass', REFUSAL_MESSAGE]).toContain(outcome);
        if (lockedUntil({ 'custom:authwatch_lock_until': value }) === undefined) {
          expect(outcome).toBe('pass');
        }
      }),
      { numRuns: 200 },
    );
  });
});
