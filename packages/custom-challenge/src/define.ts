/**
 * Define auth challenge: reads the session history exactly as Cognito sends it and
 * decides the next step. Tokens are issued only when the whole history is the expected
 * sequence for the mode; anything else (an unknown challenge, a CUSTOM_CHALLENGE
 * without our mark, an entry after a success, SRP in passwordless mode, a password
 * step in the wrong place) fails the sign-in. Fails closed.
 *
 *   passwordless:       []                                    → CUSTOM_CHALLENGE
 *                       [C✗ …]  (fewer than max)              → CUSTOM_CHALLENGE
 *                       [C✗ … C✓]                             → tokens
 *                       [C✗ × max]                            → fail (locked out)
 *   password-then-otp:  [SRP_A✓]                              → PASSWORD_VERIFIER
 *                       [SRP_A✓, PV✓]                         → CUSTOM_CHALLENGE
 *                       [SRP_A✓, PV✓, C✗ …] / [… C✓]          → as above
 */
import {
  type AuditContext,
  type AuditEvent,
  auditContextFromEvent,
  challengeLockedOut,
} from '@authwatch/audit';
import type { ChallengeResult, DefineAuthChallengeEvent } from '@authwatch/kit';
import type { ChallengeConfig } from './config.js';
import { isOurMetadata } from './metadata.js';

/** What define answers Cognito. */
export interface DefineResponse {
  challengeName?: 'CUSTOM_CHALLENGE' | 'PASSWORD_VERIFIER';
  issueTokens: boolean;
  failAuthentication: boolean;
}

/** Why define decided what it did (for logs; never a secret). */
export type DefineReason =
  | 'start'
  | 'password-verified'
  | 'srp-started'
  | 'retry'
  | 'passed'
  | 'locked-out'
  | 'password-required'
  | 'password-failed'
  | 'unexpected-challenge'
  | 'unmarked-challenge'
  | 'entry-after-success'
  | 'too-many-entries'
  | 'user-not-found-passed';

export interface DefineOutcome {
  response: DefineResponse;
  reason: DefineReason;
  /** Wrong answers so far in this sign-in. */
  failures: number;
  audit: AuditEvent[];
}

export interface DefineOptions {
  /** Epoch ms the audit events are stamped with. */
  now: number;
  /** Keep the email in the audit context (the auditor's `includeEmail`). */
  includeEmail?: boolean;
}

const allow = (reason: DefineReason, failures: number): DefineOutcome => ({
  response: { issueTokens: true, failAuthentication: false },
  reason,
  failures,
  audit: [],
});

const deny = (reason: DefineReason, failures: number, audit: AuditEvent[] = []): DefineOutcome => ({
  response: { issueTokens: false, failAuthentication: true },
  reason,
  failures,
  audit,
});

const challenge = (
  challengeName: 'CUSTOM_CHALLENGE' | 'PASSWORD_VERIFIER',
  reason: DefineReason,
  failures: number,
): DefineOutcome => ({
  response: { challengeName, issueTokens: false, failAuthentication: false },
  reason,
  failures,
  audit: [],
});

/** Index of the first OTP entry, or a denial when the password steps are wrong. */
function passwordSteps(session: readonly ChallengeResult[]): number | DefineOutcome {
  const [srp, verifier] = session;
  if (srp === undefined) return deny('password-required', 0);
  if (srp.challengeName !== 'SRP_A') {
    return deny(
      srp.challengeName === 'CUSTOM_CHALLENGE' ? 'password-required' : 'unexpected-challenge',
      0,
    );
  }
  if (!srp.challengeResult) return deny('password-failed', 0);
  if (verifier === undefined) return challenge('PASSWORD_VERIFIER', 'srp-started', 0);
  if (verifier.challengeName !== 'PASSWORD_VERIFIER') return deny('unexpected-challenge', 0);
  if (!verifier.challengeResult) return deny('password-failed', 0);
  return 2;
}

/**
 * The next step of a sign-in, from the session history. Pure.
 *
 * @example
 * ```ts
 * defineAuthChallenge(event, config, { now: Date.now() }).response
 * // { challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false }
 * ```
 */
export function defineAuthChallenge(
  event: DefineAuthChallengeEvent,
  config: ChallengeConfig,
  options: DefineOptions,
): DefineOutcome {
  const session = event.request.session;
  let first = 0;
  if (config.mode === 'password-then-otp') {
    const steps = passwordSteps(session);
    if (typeof steps !== 'number') return steps;
    first = steps;
  }
  const otp = session.slice(first);
  for (const entry of otp) {
    // SRP in passwordless mode, a repeated password step, a Cognito MFA challenge: none
    // belongs in our flow.
    if (entry.challengeName !== 'CUSTOM_CHALLENGE') return deny('unexpected-challenge', 0);
    if (!isOurMetadata(entry.challengeMetadata)) return deny('unmarked-challenge', 0);
  }
  const failures = otp.filter((entry) => !entry.challengeResult).length;
  // Only the last entry may be a success: anything after one is not Cognito's doing.
  if (otp.slice(0, -1).some((entry) => entry.challengeResult)) {
    return deny('entry-after-success', failures);
  }
  const last = otp.at(-1);
  if (last === undefined) {
    return challenge('CUSTOM_CHALLENGE', first === 0 ? 'start' : 'password-verified', 0);
  }
  if (last.challengeResult) {
    if (otp.length > config.maxAttempts) return deny('too-many-entries', failures);
    // Verify never says yes for a user who does not exist; if the history says so, it lies.
    if (event.request.userNotFound === true) return deny('user-not-found-passed', failures);
    return allow('passed', failures);
  }
  if (failures > config.maxAttempts) return deny('too-many-entries', failures);
  if (failures === config.maxAttempts) {
    const context: AuditContext = auditContextFromEvent(event, options.now, {
      includeEmail: options.includeEmail ?? false,
    });
    return deny('locked-out', failures, [
      challengeLockedOut(context, { mode: config.mode, attempts: failures }),
    ]);
  }
  return challenge('CUSTOM_CHALLENGE', 'retry', failures);
}
