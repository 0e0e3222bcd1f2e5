import { CHALLENGE_NAMES, type ChallengeResult } from '@authwatch/kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChallengeConfig } from '../../src/config.js';
import { defineAuthChallenge } from '../../src/define.js';
import { createDefineHandler } from '../../src/handlers.js';
import {
  defineEvent,
  lambdaContext,
  memoryAuditor,
  NOW,
  PASSWORD_THEN_OTP,
  PASSWORDLESS,
} from './helpers.js';

const OTP_WRONG: ChallengeResult = {
  challengeName: 'CUSTOM_CHALLENGE',
  challengeResult: false,
  challengeMetadata: 'EMAIL_OTP.1795000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
};
const OTP_RIGHT: ChallengeResult = { ...OTP_WRONG, challengeResult: true };
const SRP_A: ChallengeResult = {
  challengeName: 'SRP_A',
  challengeResult: true,
  challengeMetadata: null,
};
const VERIFIER: ChallengeResult = {
  challengeName: 'PASSWORD_VERIFIER',
  challengeResult: true,
  challengeMetadata: null,
};

function decide(
  session: ChallengeResult[],
  config: ChallengeConfig = PASSWORDLESS,
  userNotFound = false,
) {
  const event = defineEvent('define-first-call');
  event.request.session = structuredClone(session);
  event.request.userNotFound = userNotFound;
  return defineAuthChallenge(event, config, { now: NOW });
}

const CHALLENGE = {
  challengeName: 'CUSTOM_CHALLENGE',
  issueTokens: false,
  failAuthentication: false,
};
const TOKENS = { issueTokens: true, failAuthentication: false };
const FAIL = { issueTokens: false, failAuthentication: true };

describe('define auth challenge, passwordless', () => {
  it('asks for the email code on the first call (empty session)', () => {
    // Prepare
    const event = defineEvent('define-first-call');
    // Act
    const outcome = defineAuthChallenge(event, PASSWORDLESS, { now: NOW });
    // Assess
    expect(outcome.response).toEqual(CHALLENGE);
    expect(outcome.reason).toBe('start');
  });

  it('issues tokens once our challenge was answered right', () => {
    const outcome = defineAuthChallenge(defineEvent('define-after-correct-answer'), PASSWORDLESS, {
      now: NOW,
    });
    expect(outcome.response).toEqual(TOKENS);
    expect(outcome.audit).toEqual([]);
  });

  it('asks again after a wrong answer while attempts remain', () => {
    expect(decide([OTP_WRONG]).response).toEqual(CHALLENGE);
    expect(decide([OTP_WRONG, OTP_WRONG]).response).toEqual(CHALLENGE);
    expect(decide([OTP_WRONG, OTP_WRONG]).reason).toBe('retry');
  });

  it('issues tokens when the last of the allowed attempts is right', () => {
    expect(decide([OTP_WRONG, OTP_WRONG, OTP_RIGHT]).response).toEqual(TOKENS);
  });

  it('fails the sign-in after three wrong answers and records a lockout', () => {
    // Prepare
    const event = defineEvent('define-three-wrong-answers');
    // Act
    const outcome = defineAuthChallenge(event, PASSWORDLESS, { now: NOW });
    // Assess
    expect(outcome.response).toEqual(FAIL);
    expect(outcome.reason).toBe('locked-out');
    expect(outcome.audit.map((e) => e.metadata.log_name)).toEqual(['challenge-locked-out']);
    expect(outcome.audit[0]?.unmapped).toMatchObject({ mode: 'passwordless', attempt: 3 });
    expect(outcome.audit[0]?.user.name).toBe(event.userName);
    expect(outcome.audit[0]?.unmapped.clientId).toBe(event.callerContext.clientId);
  });

  it('honours a configured number of attempts', () => {
    const one = { ...PASSWORDLESS, maxAttempts: 1 };
    expect(decide([OTP_WRONG], one).reason).toBe('locked-out');
    const five = { ...PASSWORDLESS, maxAttempts: 5 };
    expect(decide([OTP_WRONG, OTP_WRONG, OTP_WRONG, OTP_WRONG], five).response).toEqual(CHALLENGE);
  });

  it('refuses SRP in passwordless mode', () => {
    expect(decide([SRP_A]).reason).toBe('unexpected-challenge');
    expect(decide([SRP_A, VERIFIER]).response).toEqual(FAIL);
  });

  it('never issues tokens for a success that does not carry our mark', () => {
    const outcome = defineAuthChallenge(defineEvent('define-unmarked-success'), PASSWORDLESS, {
      now: NOW,
    });
    expect(outcome.response).toEqual(FAIL);
    expect(outcome.reason).toBe('unmarked-challenge');
    expect(decide([{ ...OTP_RIGHT, challengeMetadata: 'CODE-123456' }]).response).toEqual(FAIL);
  });

  it('refuses an entry after a success', () => {
    expect(decide([OTP_RIGHT, OTP_WRONG]).reason).toBe('entry-after-success');
    expect(decide([OTP_RIGHT, OTP_RIGHT]).response).toEqual(FAIL);
  });

  it('refuses more entries than attempts allowed', () => {
    expect(decide([OTP_WRONG, OTP_WRONG, OTP_WRONG, OTP_WRONG]).reason).toBe('too-many-entries');
    expect(decide([OTP_WRONG, OTP_WRONG, OTP_WRONG, OTP_RIGHT]).response).toEqual(FAIL);
  });

  it.each([
    'SMS_MFA',
    'SOFTWARE_TOKEN_MFA',
    'DEVICE_SRP_AUTH',
    'ADMIN_NO_SRP_AUTH',
    'EMAIL_OTP',
  ] as const)('refuses an unexpected %s entry', (name) => {
    const entry = { challengeName: name, challengeResult: true, challengeMetadata: 'EMAIL_OTP' };
    expect(decide([entry]).response).toEqual(FAIL);
    expect(decide([OTP_WRONG, entry]).response).toEqual(FAIL);
  });
});

describe('define auth challenge, password then OTP', () => {
  it('asks for the password verifier after SRP_A', () => {
    const outcome = defineAuthChallenge(defineEvent('define-srp-a'), PASSWORD_THEN_OTP, {
      now: NOW,
    });
    expect(outcome.response).toEqual({
      challengeName: 'PASSWORD_VERIFIER',
      issueTokens: false,
      failAuthentication: false,
    });
  });

  it('asks for the email code once the password was verified', () => {
    const outcome = defineAuthChallenge(
      defineEvent('define-password-verified'),
      PASSWORD_THEN_OTP,
      {
        now: NOW,
      },
    );
    expect(outcome.response).toEqual(CHALLENGE);
    expect(outcome.reason).toBe('password-verified');
  });

  it('issues tokens after the password and the right code', () => {
    const outcome = defineAuthChallenge(
      defineEvent('define-password-then-otp-passed'),
      PASSWORD_THEN_OTP,
      { now: NOW },
    );
    expect(outcome.response).toEqual(TOKENS);
  });

  it('retries and locks out on the code as in passwordless mode', () => {
    expect(decide([SRP_A, VERIFIER, OTP_WRONG], PASSWORD_THEN_OTP).response).toEqual(CHALLENGE);
    const locked = decide([SRP_A, VERIFIER, OTP_WRONG, OTP_WRONG, OTP_WRONG], PASSWORD_THEN_OTP);
    expect(locked.reason).toBe('locked-out');
    expect(locked.audit[0]?.unmapped).toMatchObject({ mode: 'password-then-otp' });
  });

  it('refuses to start without the password (empty session or a bare custom challenge)', () => {
    expect(decide([], PASSWORD_THEN_OTP).reason).toBe('password-required');
    expect(decide([OTP_RIGHT], PASSWORD_THEN_OTP).response).toEqual(FAIL);
  });

  it('fails when a password step failed', () => {
    const outcome = defineAuthChallenge(defineEvent('define-srp-a-failed'), PASSWORD_THEN_OTP, {
      now: NOW,
    });
    expect(outcome.response).toEqual(FAIL);
    expect(decide([SRP_A, { ...VERIFIER, challengeResult: false }], PASSWORD_THEN_OTP).reason).toBe(
      'password-failed',
    );
  });

  it('refuses password steps out of order or repeated', () => {
    expect(decide([VERIFIER], PASSWORD_THEN_OTP).response).toEqual(FAIL);
    expect(decide([SRP_A, SRP_A], PASSWORD_THEN_OTP).response).toEqual(FAIL);
    expect(decide([SRP_A, VERIFIER, VERIFIER], PASSWORD_THEN_OTP).response).toEqual(FAIL);
    expect(decide([SRP_A, VERIFIER, SRP_A, OTP_RIGHT], PASSWORD_THEN_OTP).response).toEqual(FAIL);
  });
});

describe('define auth challenge, unknown user', () => {
  it('asks for a code as for any user', () => {
    const outcome = defineAuthChallenge(defineEvent('define-user-not-found'), PASSWORDLESS, {
      now: NOW,
    });
    expect(outcome.response).toEqual(CHALLENGE);
  });

  it('keeps asking until the attempts are used, then fails', () => {
    expect(decide([OTP_WRONG, OTP_WRONG], PASSWORDLESS, true).response).toEqual(CHALLENGE);
    expect(decide([OTP_WRONG, OTP_WRONG, OTP_WRONG], PASSWORDLESS, true).response).toEqual(FAIL);
  });

  it('never issues tokens, even when the history claims a right answer', () => {
    expect(decide([OTP_RIGHT], PASSWORDLESS, true).reason).toBe('user-not-found-passed');
  });
});

// ── Properties ──────────────────────────────────────────────────────────────────────

const metadataArb = fc.oneof(
  fc.constant(OTP_WRONG.challengeMetadata),
  fc.constant('EMAIL_OTP'),
  fc.constant(null),
  fc.constant('CODE-123456'),
  fc.string({ maxLength: 12 }),
);
const entryArb: fc.Arbitrary<ChallengeResult> = fc.record({
  challengeName: fc.constantFrom(...CHALLENGE_NAMES),
  challengeResult: fc.boolean(),
  challengeMetadata: metadataArb,
});

/** The oracle: the only histories that may end in tokens. */
function shouldIssueTokens(
  session: ChallengeResult[],
  config: ChallengeConfig,
  userNotFound: boolean,
): boolean {
  if (userNotFound) return false;
  let otp = session;
  if (config.mode === 'password-then-otp') {
    const [srp, verifier] = session;
    if (srp?.challengeName !== 'SRP_A' || !srp.challengeResult) return false;
    if (verifier?.challengeName !== 'PASSWORD_VERIFIER' || !verifier.challengeResult) return false;
    otp = session.slice(2);
  }
  if (otp.length < 1 || otp.length > config.maxAttempts) return false;
  const marked = (e: ChallengeResult) =>
    e.challengeName === 'CUSTOM_CHALLENGE' &&
    (e.challengeMetadata === 'EMAIL_OTP' || e.challengeMetadata === OTP_WRONG.challengeMetadata);
  return (
    otp.every(marked) &&
    otp.slice(0, -1).every((e) => !e.challengeResult) &&
    otp.at(-1)?.challengeResult === true
  );
}

describe('define auth challenge, properties', () => {
  const configArb = fc.record({
    mode: fc.constantFrom('passwordless' as const, 'password-then-otp' as const),
    maxAttempts: fc.integer({ min: 1, max: 5 }),
    codeLength: fc.constant(6),
    codeTtlSeconds: fc.constant(180),
  });
  const sessionArb = fc.oneof(
    fc.array(entryArb, { maxLength: 8 }),
    // Mostly-valid histories, so the interesting edge is explored too.
    fc
      .tuple(
        fc.array(fc.constantFrom(OTP_WRONG, OTP_RIGHT, SRP_A, VERIFIER), { maxLength: 7 }),
        fc.boolean(),
      )
      .map(([entries, withPassword]) => (withPassword ? [SRP_A, VERIFIER, ...entries] : entries)),
  );

  it('issues tokens exactly for a valid history, never otherwise', () => {
    fc.assert(
      fc.property(sessionArb, configArb, fc.boolean(), (session, config, userNotFound) => {
        const outcome = decide(session, config, userNotFound);
        expect(outcome.response.issueTokens).toBe(shouldIssueTokens(session, config, userNotFound));
      }),
      { numRuns: 2_000 },
    );
  });

  it('always answers exactly one of: a challenge, tokens, failure', () => {
    fc.assert(
      fc.property(sessionArb, configArb, fc.boolean(), (session, config, userNotFound) => {
        const { response } = decide(session, config, userNotFound);
        const outcomes = [
          response.challengeName !== undefined,
          response.issueTokens,
          response.failAuthentication,
        ].filter(Boolean);
        expect(outcomes).toHaveLength(1);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('define handler', () => {
  it('returns the event with the decision and emits the lockout audit event', async () => {
    // Prepare
    const { auditor, kinds } = memoryAuditor();
    const handler = createDefineHandler({ config: PASSWORDLESS, auditor, now: () => NOW });
    const event = defineEvent('define-three-wrong-answers');
    // Act
    const result = await handler(
      structuredClone(event),
      lambdaContext(() => NOW),
    );
    // Assess
    expect(result.response).toEqual(FAIL);
    expect(result.userName).toBe(event.userName);
    expect(kinds()).toEqual(['challenge-locked-out']);
  });

  it('emits nothing for an ordinary step', async () => {
    const { auditor, kinds } = memoryAuditor();
    const handler = createDefineHandler({ config: PASSWORDLESS, auditor, now: () => NOW });
    const result = await handler(
      defineEvent('define-first-call'),
      lambdaContext(() => NOW),
    );
    expect(result.response).toEqual(CHALLENGE);
    expect(kinds()).toEqual([]);
  });

  it('fails closed on a session entry Cognito does not send', async () => {
    const { auditor } = memoryAuditor();
    const handler = createDefineHandler({ config: PASSWORDLESS, auditor, now: () => NOW });
    const event = defineEvent('define-after-correct-answer') as unknown as {
      request: { session: unknown[] };
    };
    event.request.session = [{ challengeName: 'MAGIC', challengeResult: true }];
    await expect(
      handler(
        event,
        lambdaContext(() => NOW),
      ),
    ).rejects.toThrow('the request could not be completed');
  });
});
