/**
 * Verify auth challenge response: is the answer the code of this challenge, in time?
 *
 * The answer is trimmed; anything that is not a string counts as empty. The answer's
 * keyed digest (32 bytes whatever its length) is compared with the stored digest by
 * `crypto.timingSafeEqual`, always, even when the answer is malformed or the code has
 * expired, so the time taken says nothing about how close a guess was. An unknown user
 * (`userNotFound`) is always wrong. Nothing about the expected code is logged, thrown or
 * audited: the outcome carries only a reason.
 */
import {
  type AuditEvent,
  auditContextFromEvent,
  challengeFailed,
  challengePassed,
} from '@authwatch/audit';
import type { VerifyAuthChallengeEvent } from '@authwatch/kit';
import { isCodeShaped } from './code.js';
import type { ChallengeConfig } from './config.js';
import { PRIVATE_PARAMETERS } from './create.js';
import { type CodeKeys, codeDigest, digestsEqual } from './keys.js';

/** Verify's event with the answer as it arrives (a client could send anything). */
export type VerifyEvent = Omit<VerifyAuthChallengeEvent, 'request'> & {
  request: Omit<VerifyAuthChallengeEvent['request'], 'challengeAnswer'> & {
    challengeAnswer?: unknown;
  };
};

/** Clock skew tolerated between create's and verify's clocks, ms. */
export const CLOCK_SKEW_MS = 5_000;

export type VerifyReason =
  | 'correct'
  | 'wrong'
  | 'malformed-answer'
  | 'expired'
  | 'no-challenge'
  | 'user-not-found';

export interface VerifyOutcome {
  response: { answerCorrect: boolean };
  reason: VerifyReason;
  attempt: number;
  audit: AuditEvent[];
}

export interface VerifyDeps {
  keys: CodeKeys;
  now: number;
  includeEmail?: boolean;
}

const DIGEST_BYTES = 32;

function storedDigest(value: string | undefined): Buffer | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined;
  const digest = Buffer.from(value, 'base64url');
  return digest.length === DIGEST_BYTES ? digest : undefined;
}

function positiveInt(value: string | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return undefined;
  const parsed = Number(value);
  return parsed > 0 ? parsed : undefined;
}

/** Checks the answer. Pure; fails closed on anything unexpected. */
export function verifyAuthChallenge(
  event: VerifyEvent,
  config: ChallengeConfig,
  deps: VerifyDeps,
): VerifyOutcome {
  const parameters = event.request.privateChallengeParameters;
  const raw = event.request.challengeAnswer;
  const answer = typeof raw === 'string' ? raw.trim() : '';
  const expected = storedDigest(parameters[PRIVATE_PARAMETERS.digest]);
  const issuedAt = positiveInt(parameters[PRIVATE_PARAMETERS.issuedAt]);
  const attempt = Math.min(
    positiveInt(parameters[PRIVATE_PARAMETERS.attempt]) ?? 1,
    config.maxAttempts,
  );

  // Always the same work: digest the answer and compare, whatever else is wrong.
  const matches = digestsEqual(expected, codeDigest(deps.keys, event.userName, answer));
  const shaped = isCodeShaped(answer, config.codeLength);
  const inTime =
    issuedAt !== undefined &&
    deps.now >= issuedAt - CLOCK_SKEW_MS &&
    deps.now < issuedAt + config.codeTtlSeconds * 1000;

  let reason: VerifyReason;
  if (event.request.userNotFound === true) reason = 'user-not-found';
  else if (expected === undefined || issuedAt === undefined) reason = 'no-challenge';
  else if (!shaped) reason = 'malformed-answer';
  else if (!inTime) reason = 'expired';
  else if (!matches) reason = 'wrong';
  else reason = 'correct';
  const answerCorrect = reason === 'correct';

  const context = auditContextFromEvent(event, deps.now, {
    includeEmail: deps.includeEmail ?? false,
  });
  // Both events are built whatever the outcome, so a right answer costs the same work as
  // a wrong one (the benchmark checks their times cannot be told apart).
  const passed = challengePassed(context, { mode: config.mode });
  const failed = challengeFailed(context, {
    mode: config.mode,
    attempt,
    maxAttempts: config.maxAttempts,
  });
  const audit = [answerCorrect ? passed : failed];
  return { response: { answerCorrect }, reason, attempt, audit };
}
