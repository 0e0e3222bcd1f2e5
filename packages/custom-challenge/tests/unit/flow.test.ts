/**
 * Whole sign-ins, as Cognito drives the three triggers: define → create → (client
 * answers) → verify → define … The client reads the code from the mail SES was given.
 */
import type { ChallengeResult } from '@authwatch/kit';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChallengeConfig } from '../../src/config.js';
import {
  createCreateHandler,
  createDefineHandler,
  createSendTimer,
  createVerifyHandler,
} from '../../src/handlers.js';
import {
  createEvent,
  defineEvent,
  KEYS,
  lambdaContext,
  MAIL,
  memoryAuditor,
  NOW,
  PASSWORD_THEN_OTP,
  PASSWORDLESS,
  verifyEvent,
} from './helpers.js';

const ses = mockClient(SESClient);

type Answer = (mailedCode: string | undefined) => string;
const right: Answer = (code) => code ?? '';
const wrong: Answer = (code) => (code === '000000' ? '000001' : '000000');

interface Result {
  outcome: 'tokens' | 'failed';
  mails: number;
  audit: string[];
  session: ChallengeResult[];
}

async function signIn(
  config: ChallengeConfig,
  answers: Answer[],
  options: { userNotFound?: boolean; delaysMs?: number[] } = {},
): Promise<Result> {
  let clock = NOW;
  const now = () => clock;
  const { auditor, kinds } = memoryAuditor(now);
  const define = createDefineHandler({ config, auditor, now });
  const create = createCreateHandler({
    config,
    mail: MAIL,
    keys: async () => KEYS,
    auditor,
    ses: new SESClient({ region: 'us-east-1' }),
    sendTimer: createSendTimer(1),
    sleep: async () => undefined,
    now,
  });
  const verify = createVerifyHandler({ config, keys: async () => KEYS, auditor, now });
  const userNotFound = options.userNotFound ?? false;
  const session: ChallengeResult[] = [];
  let mailedCode: string | undefined;
  if (config.mode === 'password-then-otp') {
    // Cognito checks SRP and the password itself; define only sees the results.
    session.push({ challengeName: 'SRP_A', challengeResult: true, challengeMetadata: null });
    const step = defineEvent('define-first-call');
    step.request.session = structuredClone(session);
    const decided = (await define(step, lambdaContext(now))) as {
      response: { challengeName?: string };
    };
    expect(decided.response.challengeName).toBe('PASSWORD_VERIFIER');
    session.push({
      challengeName: 'PASSWORD_VERIFIER',
      challengeResult: true,
      challengeMetadata: null,
    });
  }
  for (let round = 0; round < 20; round += 1) {
    const step = defineEvent('define-first-call');
    step.request.session = structuredClone(session);
    step.request.userNotFound = userNotFound;
    const decided = (await define(step, lambdaContext(now))) as {
      response: { challengeName?: string; issueTokens: boolean; failAuthentication: boolean };
    };
    const { response } = decided;
    if (response.issueTokens || response.failAuthentication) {
      return {
        outcome: response.issueTokens ? 'tokens' : 'failed',
        mails: ses.commandCalls(SendEmailCommand).length,
        audit: kinds(),
        session,
      };
    }
    expect(response.challengeName).toBe('CUSTOM_CHALLENGE');
    const ask = createEvent(userNotFound ? 'create-user-not-found' : 'create');
    ask.request.session = structuredClone(session);
    const created = (await create(ask, lambdaContext(now))) as {
      response: { privateChallengeParameters: Record<string, string>; challengeMetadata: string };
    };
    const calls = ses.commandCalls(SendEmailCommand);
    const text = calls.at(-1)?.args[0].input.Message?.Body?.Text?.Data ?? '';
    mailedCode = /\b(\d{6,8})\b/.exec(text)?.[1] ?? mailedCode;
    clock += options.delaysMs?.[round] ?? 20_000;
    const answer = answers.shift() ?? wrong;
    const check = verifyEvent(userNotFound ? 'verify-user-not-found' : 'verify');
    check.request.privateChallengeParameters = created.response.privateChallengeParameters;
    check.request.challengeAnswer = answer(mailedCode);
    const verified = (await verify(check, lambdaContext(now))) as {
      response: { answerCorrect: boolean };
    };
    session.push({
      challengeName: 'CUSTOM_CHALLENGE',
      challengeResult: verified.response.answerCorrect,
      challengeMetadata: created.response.challengeMetadata,
    });
  }
  throw new Error('sign-in did not end');
}

describe('a whole sign-in', () => {
  beforeEach(() => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
  });

  it.each([PASSWORDLESS, PASSWORD_THEN_OTP])(
    'succeeds with the mailed code ($mode)',
    async (config) => {
      const result = await signIn(config, [right]);
      expect(result.outcome).toBe('tokens');
      expect(result.mails).toBe(1);
      expect(result.audit).toEqual(['challenge-issued', 'challenge-passed']);
    },
  );

  it.each([PASSWORDLESS, PASSWORD_THEN_OTP])(
    'succeeds on the third attempt with one mail in all ($mode)',
    async (config) => {
      const result = await signIn(config, [wrong, wrong, right]);
      expect(result.outcome).toBe('tokens');
      expect(result.mails).toBe(1);
      expect(result.audit).toEqual([
        'challenge-issued',
        'challenge-failed',
        'challenge-issued',
        'challenge-failed',
        'challenge-issued',
        'challenge-passed',
      ]);
    },
  );

  it.each([PASSWORDLESS, PASSWORD_THEN_OTP])(
    'locks out after three wrong answers ($mode)',
    async (config) => {
      const result = await signIn(config, [wrong, wrong, wrong]);
      expect(result.outcome).toBe('failed');
      expect(result.mails).toBe(1);
      expect(result.audit.at(-1)).toBe('challenge-locked-out');
      expect(result.audit.filter((kind) => kind === 'challenge-failed')).toHaveLength(3);
    },
  );

  it('refuses a code answered too late, then mails a new one that works', async () => {
    // The first answer comes 190 s after the mail (TTL 180 s), the second 10 s after the next.
    const result = await signIn(PASSWORDLESS, [right, right], { delaysMs: [190_000, 10_000] });
    expect(result.outcome).toBe('tokens');
    expect(result.mails).toBe(2);
    expect(result.session.map((entry) => entry.challengeResult)).toEqual([false, true]);
  });

  it('does not extend a code’s life by retrying: the expiry counts from the first mail', async () => {
    const result = await signIn(PASSWORDLESS, [wrong, right], { delaysMs: [100_000, 100_000] });
    expect(result.session.map((entry) => entry.challengeResult)).toEqual([false, false, false]);
    expect(result.outcome).toBe('failed');
    expect(result.mails).toBe(2);
  });

  it('never lets an unknown user in, sends no mail, and ends like a lockout', async () => {
    const result = await signIn(PASSWORDLESS, [right, right, right], { userNotFound: true });
    expect(result.outcome).toBe('failed');
    expect(result.mails).toBe(0);
    expect(result.session).toHaveLength(3);
  });
});
