import { GENERIC_USER_MESSAGE } from '@authwatch/kit';
import { createLambdaContext, getTestEvent, listTestEvents } from '@authwatch/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RULES_FILE, PRE_TOKEN_ENV } from '../../src/index.js';
import type { RawTokenEvent } from '../helpers.js';

const saved = { ...process.env };
let handler: (event: unknown, context: ReturnType<typeof createLambdaContext>) => Promise<unknown>;
// The kit instance the freshly imported handler uses (resetModules gives it its own).
let logger: typeof import('@authwatch/kit').logger;

beforeAll(async () => {
  vi.resetModules();
  Object.assign(process.env, {
    AUDIT_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    [PRE_TOKEN_ENV.rulesFile]: DEFAULT_RULES_FILE,
    [PRE_TOKEN_ENV.triggerVersion]: 'V3_0',
  });
  handler = (await import('../../src/handler.js')).handler;
  logger = (await import('@authwatch/kit')).logger;
});

afterAll(() => {
  process.env = { ...saved };
});

const FIXTURES = listTestEvents('pre-token-generation');

const eventArb = fc.oneof(
  fc.anything(),
  fc
    .record({
      fixture: fc.constantFrom(...FIXTURES),
      path: fc.constantFrom(
        'version',
        'triggerSource',
        'userName',
        'request',
        'callerContext',
        'response',
      ),
      value: fc.jsonValue(),
    })
    .map(({ fixture, path, value }) => {
      const event = getTestEvent<RawTokenEvent>(fixture);
      (event as Record<string, unknown>)[path] = value;
      return event;
    }),
  fc
    .record({
      fixture: fc.constantFrom(...FIXTURES),
      attributes: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 })),
      groups: fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
    })
    .map(({ fixture, attributes, groups }) => {
      const event = getTestEvent<RawTokenEvent>(fixture);
      event.request.userAttributes = attributes;
      event.request.groupConfiguration.groupsToOverride = groups;
      return event;
    }),
);

describe('the handler with random events', () => {
  it('answers, or refuses a malformed event with the generic message, and never fails otherwise', async () => {
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    await fc.assert(
      fc.asyncProperty(eventArb, async (event) => {
        errors.mockClear();
        try {
          const result = (await handler(event, createLambdaContext())) as { response: object };
          expect(result.response).toBeTypeOf('object');
        } catch (error) {
          expect((error as Error).message).toBe(GENERIC_USER_MESSAGE);
          // The only failure the wrapper logged is the malformed event (InvalidEventError).
          expect(errors.mock.calls.map((call) => call[0])).toEqual([
            'PreTokenGeneration received a malformed event',
          ]);
        }
      }),
      { numRuns: 200 },
    );
    errors.mockRestore();
  });
});
