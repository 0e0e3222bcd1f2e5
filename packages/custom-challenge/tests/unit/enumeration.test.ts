/**
 * An unknown user's sign-in takes the same time as a real one's on every path, so that
 * timing does not tell whether an account exists (PreventUserExistenceErrors hides it in
 * the answers). The clock is fake: SES "takes" SEND_MS by moving it, and an unknown
 * user's stand-in for a send moves it by what it sleeps. Each path then compares the
 * time each create call spent, real against unknown.
 */
import type { ChallengeResult } from '@authwatch/kit';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
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
  PASSWORDLESS,
  verifyEvent,
} from './helpers.js';

const ses = mockClient(SESClient);
const SEND_MS = 37;
const TTL_MS = PASSWORDLESS.codeTtlSeconds * 1000;

interface Trace {
  /** Time each create call took, in order. */
  createMs: number[];
  /** Mails sent (real user) or stand-in waits (unknown user). */
  sends: number;
  waits: number[];
  outcome: 'tokens' | 'failed';
}

/** A sign-in answered wrong every time, with `pauseMs[i]` before the i-th answer. */
async function wrongCodes(userNotFound: boolean, pausesMs: number[]): Promise<Trace> {
  let clock = NOW;
  const now = () => clock;
  ses.reset();
  ses.on(SendEmailCommand).callsFake(async () => {
    clock += SEND_MS;
    return { MessageId: 'message' };
  });
  const timer = createSendTimer({ coldMs: 500 });
  // The container has sent mails before: its reservoir holds real send times.
  for (let i = 0; i < 8; i += 1) timer.record(SEND_MS);
  const waits: number[] = [];
  const { auditor } = memoryAuditor(now);
  const define = createDefineHandler({ config: PASSWORDLESS, auditor, now });
  const create = createCreateHandler({
    config: PASSWORDLESS,
    mail: MAIL,
    keys: async () => KEYS,
    auditor,
    ses: new SESClient({ region: 'us-east-1' }),
    sendTimer: timer,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    now,
  });
  const verify = createVerifyHandler({
    config: PASSWORDLESS,
    keys: async () => KEYS,
    auditor,
    now,
  });
  const session: ChallengeResult[] = [];
  const createMs: number[] = [];
  for (let round = 0; ; round += 1) {
    const step = defineEvent('define-first-call');
    step.request.session = structuredClone(session);
    step.request.userNotFound = userNotFound;
    const { response } = (await define(step, lambdaContext(now))) as {
      response: { issueTokens: boolean; failAuthentication: boolean };
    };
    if (response.issueTokens || response.failAuthentication) {
      return {
        createMs,
        sends: ses.commandCalls(SendEmailCommand).length,
        waits,
        outcome: response.issueTokens ? 'tokens' : 'failed',
      };
    }
    const ask = createEvent(userNotFound ? 'create-user-not-found' : 'create');
    ask.request.session = structuredClone(session);
    const before = clock;
    const created = (await create(ask, lambdaContext(now))) as {
      response: { privateChallengeParameters: Record<string, string>; challengeMetadata: string };
    };
    createMs.push(clock - before);
    clock += pausesMs[round] ?? 5_000;
    const check = verifyEvent(userNotFound ? 'verify-user-not-found' : 'verify');
    check.request.privateChallengeParameters = created.response.privateChallengeParameters;
    check.request.challengeAnswer = '000000';
    const verified = (await verify(check, lambdaContext(now))) as {
      response: { answerCorrect: boolean };
    };
    session.push({
      challengeName: 'CUSTOM_CHALLENGE',
      challengeResult: verified.response.answerCorrect,
      challengeMetadata: created.response.challengeMetadata,
    });
  }
}

describe('an unknown user, by time', () => {
  beforeEach(() => ses.reset());

  it('waits like a send for the first challenge of a sign-in', async () => {
    const real = await wrongCodes(false, []);
    const ghost = await wrongCodes(true, []);
    expect(real.createMs[0]).toBe(SEND_MS);
    expect(ghost.createMs[0]).toBe(SEND_MS);
    expect(ghost.sends).toBe(0);
  });

  it('does not wait when a wrong code re-issues the same code, as no mail is sent', async () => {
    const real = await wrongCodes(false, []);
    const ghost = await wrongCodes(true, []);
    // Three attempts: one send, then two re-issues of the same code.
    expect(real.createMs).toEqual([SEND_MS, 0, 0]);
    expect(ghost.createMs).toEqual(real.createMs);
    expect(real.sends).toBe(1);
    expect(ghost.waits).toEqual([SEND_MS]);
  });

  it('waits like a send again when the code expired and a new one is issued', async () => {
    const pauses = [TTL_MS + 1_000, 5_000];
    const real = await wrongCodes(false, pauses);
    const ghost = await wrongCodes(true, pauses);
    expect(real.createMs).toEqual([SEND_MS, SEND_MS, 0]);
    expect(ghost.createMs).toEqual(real.createMs);
    expect(real.sends).toBe(2);
    expect(ghost.waits).toEqual([SEND_MS, SEND_MS]);
  });

  it('is locked out after the same number of wrong answers, having spent the same time', async () => {
    const real = await wrongCodes(false, []);
    const ghost = await wrongCodes(true, []);
    expect(real.outcome).toBe('failed');
    expect(ghost.outcome).toBe('failed');
    expect(ghost.createMs.length).toBe(PASSWORDLESS.maxAttempts);
    expect(ghost.createMs.reduce((a, b) => a + b)).toBe(real.createMs.reduce((a, b) => a + b));
  });
});

describe('send timer', () => {
  it('waits the cold default until a real send has been seen', () => {
    expect(createSendTimer().sample()).toBe(80);
    expect(createSendTimer({ coldMs: 120 }).sample()).toBe(120);
  });

  it('draws each wait from the recent real sends, so the spread matches too', () => {
    let pick = 0;
    const timer = createSendTimer({ randomIndex: (max) => pick % max });
    for (const ms of [10, 20, 30]) timer.record(ms);
    const drawn = [0, 1, 2].map((i) => {
      pick = i;
      return timer.sample();
    });
    expect(drawn).toEqual([10, 20, 30]);
  });

  it('keeps only the last sends, caps a hung one and ignores nonsense', () => {
    let pick = 0;
    const timer = createSendTimer({ size: 2, randomIndex: (max) => pick % max });
    for (const ms of [10, 20, 9_999, Number.NaN, -5]) timer.record(ms);
    const drawn = [0, 1].map((i) => {
      pick = i;
      return timer.sample();
    });
    // The ring holds 2_000 (9_999 capped) and 20: 10 was pushed out.
    expect(drawn.sort((a, b) => a - b)).toEqual([20, 2_000]);
  });
});
