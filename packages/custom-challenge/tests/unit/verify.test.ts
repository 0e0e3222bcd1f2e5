import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChallengeConfig } from '../../src/config.js';
import { createAuthChallenge } from '../../src/create.js';
import { createVerifyHandler } from '../../src/handlers.js';
import { type VerifyEvent, verifyAuthChallenge } from '../../src/verify.js';
import {
  createEvent,
  fixedCode,
  KEYS,
  lambdaContext,
  MAIL,
  memoryAuditor,
  NOW,
  OTHER_KEYS,
  PASSWORDLESS,
  verifyEvent,
} from './helpers.js';

const CODE = '042713';

/** The verify event Cognito sends for the challenge create issued with `code`. */
function challengeFor(
  code = CODE,
  ...rest: [answer?: unknown, config?: ChallengeConfig]
): VerifyEvent {
  // An explicit `undefined` answer must stay undefined, so no default parameter here.
  const answer = rest.length >= 1 ? rest[0] : code;
  const config = rest[1] ?? PASSWORDLESS;
  const issued = createAuthChallenge(createEvent(), config, MAIL, {
    keys: KEYS,
    now: NOW,
    randomCode: fixedCode(code),
  });
  const event = verifyEvent();
  event.request.privateChallengeParameters = issued.response.privateChallengeParameters;
  event.request.challengeAnswer = answer;
  return event;
}

const check = (event: VerifyEvent, now = NOW + 10_000, config = PASSWORDLESS) =>
  verifyAuthChallenge(event, config, { keys: KEYS, now });

describe('verify auth challenge response', () => {
  it('accepts the code of the challenge and records a pass', () => {
    // Prepare
    const event = challengeFor();
    // Act
    const outcome = check(event);
    // Assess
    expect(outcome.response).toEqual({ answerCorrect: true });
    expect(outcome.audit.map((e) => e.metadata.log_name)).toEqual(['challenge-passed']);
    expect(outcome.audit[0]?.unmapped).toMatchObject({ mode: 'passwordless' });
    expect(outcome.audit[0]?.user.name).toBe(event.userName);
  });

  it('refuses a wrong code and records attempt n of max, never the code', () => {
    const event = challengeFor(CODE, '042714');
    event.request.privateChallengeParameters.attempt = '2';
    const outcome = check(event);
    expect(outcome.response.answerCorrect).toBe(false);
    expect(outcome.reason).toBe('wrong');
    expect(outcome.audit[0]?.metadata.log_name).toBe('challenge-failed');
    expect(outcome.audit[0]?.unmapped).toMatchObject({ attempt: 2, maxAttempts: 3 });
    expect(JSON.stringify(outcome)).not.toContain(CODE);
    expect(JSON.stringify(outcome)).not.toContain('042714');
  });

  it('trims the answer', () => {
    expect(check(challengeFor(CODE, `  ${CODE}\n`)).response.answerCorrect).toBe(true);
    expect(check(challengeFor(CODE, `\t${CODE} `)).response.answerCorrect).toBe(true);
  });

  it('keeps leading zeros significant', () => {
    expect(check(challengeFor('000042', '42')).response.answerCorrect).toBe(false);
    expect(check(challengeFor('000042', '000042')).response.answerCorrect).toBe(true);
  });

  it('refuses the right code once it expired (issue time + TTL)', () => {
    const event = challengeFor();
    expect(check(event, NOW + 179_999).response.answerCorrect).toBe(true);
    const late = check(event, NOW + 180_000);
    expect(late.response.answerCorrect).toBe(false);
    expect(late.reason).toBe('expired');
    expect(check(event, NOW + 60_000, { ...PASSWORDLESS, codeTtlSeconds: 60 }).reason).toBe(
      'expired',
    );
  });

  it('refuses a code issued in the future beyond the clock skew', () => {
    expect(check(challengeFor(), NOW - 60_000).response.answerCorrect).toBe(false);
  });

  it.each([
    ['a number', 42713],
    ['null', null],
    ['undefined', undefined],
    ['an object', { code: CODE }],
    ['an array', [CODE]],
    ['a boolean', true],
    ['the empty string', ''],
    ['blanks', '   '],
  ])('treats %s as a wrong answer', (_label, answer) => {
    const outcome = check(challengeFor(CODE, answer));
    expect(outcome.response.answerCorrect).toBe(false);
    expect(outcome.reason).toBe('malformed-answer');
  });

  it('refuses every answer for an unknown user', () => {
    const event = challengeFor();
    event.request.userNotFound = true;
    expect(check(event).response.answerCorrect).toBe(false);
    const fixture = verifyEvent('verify-user-not-found');
    expect(check(fixture).reason).toBe('user-not-found');
  });

  it('fails closed when the private parameters are missing or damaged', () => {
    const missing = challengeFor();
    missing.request.privateChallengeParameters = {};
    expect(check(missing).reason).toBe('no-challenge');
    const plain = verifyEvent(); // holds a raw code, which we never store
    expect(check(plain).response.answerCorrect).toBe(false);
    const truncated = challengeFor();
    truncated.request.privateChallengeParameters.codeDigest = 'abc';
    expect(check(truncated).response.answerCorrect).toBe(false);
    const noTime = challengeFor();
    noTime.request.privateChallengeParameters.issuedAt = 'yesterday';
    expect(check(noTime).response.answerCorrect).toBe(false);
  });

  it('refuses a code digested under another deployment’s key', () => {
    const event = challengeFor();
    expect(
      verifyAuthChallenge(event, PASSWORDLESS, { keys: OTHER_KEYS, now: NOW }).response
        .answerCorrect,
    ).toBe(false);
  });

  it('refuses a digest copied from another user’s challenge', () => {
    const event = challengeFor();
    event.userName = 'mallory';
    expect(check(event).response.answerCorrect).toBe(false);
  });
});

describe('verify auth challenge response, properties', () => {
  it('never accepts a random answer other than the code', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{6}$/),
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.stringMatching(/^\d{6}$/),
          fc.integer(),
          fc.anything(),
        ),
        (code, answer) => {
          fc.pre(typeof answer !== 'string' || answer.trim() !== code);
          expect(check(challengeFor(code, answer)).response.answerCorrect).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('accepts the code, and only the code, in time', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 6, max: 8 })
          .chain((length) =>
            fc.tuple(fc.constant(length), fc.stringMatching(new RegExp(`^\\d{${length}}$`))),
          ),
        fc.integer({ min: 0, max: 179_999 }),
        ([length, code], elapsed) => {
          const config = { ...PASSWORDLESS, codeLength: length };
          const event = challengeFor(code, code, config);
          expect(check(event, NOW + elapsed, config).response.answerCorrect).toBe(true);
          const other = String((Number(code) + 1) % 10 ** length).padStart(length, '0');
          event.request.challengeAnswer = other;
          expect(check(event, NOW + elapsed, config).response.answerCorrect).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('verify handler', () => {
  it('answers Cognito and emits the audit event', async () => {
    // Prepare
    const { auditor, kinds, sink } = memoryAuditor();
    const handler = createVerifyHandler({
      config: PASSWORDLESS,
      keys: async () => KEYS,
      auditor,
      now: () => NOW + 1_000,
    });
    // Act
    const right = await handler(
      challengeFor(),
      lambdaContext(() => NOW + 1_000),
    );
    const wrong = await handler(
      challengeFor(CODE, '111111'),
      lambdaContext(() => NOW + 1_000),
    );
    // Assess
    expect(right.response).toEqual({ answerCorrect: true });
    expect(wrong.response).toEqual({ answerCorrect: false });
    expect(kinds()).toEqual(['challenge-passed', 'challenge-failed']);
    expect(JSON.stringify(sink.events)).not.toContain(CODE);
  });

  it('answers false, not an error, when the answer is not a string', async () => {
    const { auditor } = memoryAuditor();
    const handler = createVerifyHandler({
      config: PASSWORDLESS,
      keys: async () => KEYS,
      auditor,
      now: () => NOW,
    });
    const result = await handler(
      challengeFor(CODE, 42713),
      lambdaContext(() => NOW),
    );
    expect(result.response).toEqual({ answerCorrect: false });
  });

  it('fails the invocation, naming no secret, when the key cannot be loaded', async () => {
    const { auditor } = memoryAuditor();
    const handler = createVerifyHandler({
      config: PASSWORDLESS,
      keys: async () => {
        throw new Error('AccessDeniedException');
      },
      auditor,
      now: () => NOW,
    });
    await expect(
      handler(
        challengeFor(),
        lambdaContext(() => NOW),
      ),
    ).rejects.toThrow('the request could not be completed');
  });
});
