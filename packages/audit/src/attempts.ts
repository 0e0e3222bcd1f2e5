/**
 * Builders for the events that make every sign-in attempt visible: the pre
 * authentication trigger's attempt (OCSF Authentication, activity Preauth) and the
 * events made from Cognito's CloudTrail records (a failed sign-in call, a failed
 * account action, a successful sign-in call).
 *
 * How a sign-in is counted once (the rule every query follows):
 * - a successful sign-in is the post authentication trigger's `logon-succeeded`
 *   (Authentication, Logon, Success); CloudTrail's record of the same call becomes an
 *   **API Activity** (6003) `sign-in-call` event, which carries the source IP, GeoIP and
 *   user agent but is not an Authentication event, so nothing that counts logons sees it;
 * - a failed sign-in is an Authentication Logon Failure: a wrong password, an unknown
 *   user or a refused call from CloudTrail (`sign-in-failed`), a wrong custom-challenge
 *   answer from the verify trigger (`challenge-failed`). CloudTrail's record of a
 *   refused custom challenge repeats the verify trigger's count, so it is recorded with
 *   activity Other (99), not Logon; `challenge-locked-out` is the consequence of
 *   failures already counted;
 * - the pre authentication attempt is activity Preauth (6): an attempt, not a logon.
 */
import { type AuditEventShape, buildAuditEvent } from './builders.js';
import type { AuditContext } from './context.js';
import {
  ACCOUNT_CHANGE_ACTIVITY,
  AUTHENTICATION_ACTIVITY,
  type AuditEvent,
  type AuditUnmapped,
  CLASS_ACCOUNT_CHANGE,
  CLASS_API_ACTIVITY,
  CLASS_AUTHENTICATION,
  SEVERITY,
  STATUS,
} from './ocsf.js';

/** The user of an event about a person, known or not: never the client as a Service. */
function personOf(ctx: AuditContext): AuditEvent['user'] {
  const user: AuditEvent['user'] = { type: 'User' };
  if (ctx.userName !== undefined) user.name = ctx.userName;
  if (ctx.userSub !== undefined) user.uid = ctx.userSub;
  if (ctx.email !== undefined) user.email_addr = ctx.email;
  return user;
}

function build(ctx: AuditContext, shape: AuditEventShape): AuditEvent {
  return { ...buildAuditEvent(ctx, shape), user: personOf(ctx) };
}

/** Facts of a pre authentication attempt. */
export interface AttemptFacts {
  /** Cognito said the user does not exist (only with PreventUserExistenceErrors on). */
  userNotFound: boolean;
  /** The salted hash of the entered name, set when the name is not recorded in clear. */
  userNameHash?: string;
}

function attemptUnmapped(facts: AttemptFacts): Partial<AuditUnmapped> {
  const unmapped: Partial<AuditUnmapped> = { userNotFound: facts.userNotFound };
  if (facts.userNameHash !== undefined) unmapped.userNameHash = facts.userNameHash;
  return unmapped;
}

/** Pre authentication let the attempt go on to the credential check. */
export function signInAttempt(ctx: AuditContext, facts: AttemptFacts): AuditEvent {
  return build(ctx, {
    kind: 'sign-in-attempt',
    classInfo: CLASS_AUTHENTICATION,
    activityId: AUTHENTICATION_ACTIVITY.preauth,
    activityName: 'Preauth',
    statusId: STATUS.success,
    severityId: SEVERITY.informational,
    statusDetail: facts.userNotFound ? 'attempt for an unknown user' : 'attempt',
    message: 'Sign-in attempt',
    unmapped: attemptUnmapped(facts),
  });
}

/** Pre authentication refused the attempt by policy (a lock, a client restriction). */
export function signInRefused(
  ctx: AuditContext,
  facts: AttemptFacts & { reason: string },
): AuditEvent {
  return build(ctx, {
    kind: 'sign-in-refused',
    classInfo: CLASS_AUTHENTICATION,
    activityId: AUTHENTICATION_ACTIVITY.preauth,
    activityName: 'Preauth',
    statusId: STATUS.failure,
    severityId: SEVERITY.medium,
    statusDetail: facts.reason,
    message: 'Sign-in attempt refused by policy',
    unmapped: { ...attemptUnmapped(facts), reason: facts.reason },
  });
}

/** Facts of a failed call taken from a CloudTrail record. */
export interface FailedCallFacts {
  /** CloudTrail's errorCode, e.g. `NotAuthorizedException`. */
  errorCode: string;
  /** Readable reason (a known Cognito message, or one made from the code). */
  reason: string;
  authFlow?: string;
  challengeName?: string;
}

function callUnmapped(facts: {
  errorCode?: string;
  reason?: string;
  authFlow?: string;
  challengeName?: string;
  outcome?: string;
}): Partial<AuditUnmapped> {
  const unmapped: Partial<AuditUnmapped> = {};
  for (const key of ['errorCode', 'reason', 'authFlow', 'challengeName', 'outcome'] as const) {
    const value = facts[key];
    if (value !== undefined) unmapped[key] = value;
  }
  return unmapped;
}

/**
 * A sign-in call (InitiateAuth, RespondToAuthChallenge and their Admin forms) that
 * Cognito refused: a wrong password, an unknown user, a wrong MFA code. A failure that
 * is not a failed logon of its own gets activity Other named by `notLogon`: a refused
 * custom challenge (the verify trigger counted its wrong answers already) or a refused
 * token refresh. It still carries the IP.
 */
export function signInFailed(
  ctx: AuditContext,
  facts: FailedCallFacts & { notLogon?: string },
): AuditEvent {
  const other = facts.notLogon;
  return build(ctx, {
    kind: 'sign-in-failed',
    classInfo: CLASS_AUTHENTICATION,
    activityId: other === undefined ? AUTHENTICATION_ACTIVITY.logon : AUTHENTICATION_ACTIVITY.other,
    activityName: other ?? 'Logon',
    statusId: STATUS.failure,
    severityId: SEVERITY.low,
    statusDetail: facts.reason,
    message: 'Sign-in failed',
    unmapped: callUnmapped(facts),
  });
}

/** Account Change activities of the account calls CloudTrail records. */
export const ACCOUNT_ACTIONS = {
  'sign-up': { id: ACCOUNT_CHANGE_ACTIVITY.create, name: 'Create' },
  confirm: { id: ACCOUNT_CHANGE_ACTIVITY.enable, name: 'Enable' },
  'password-change': { id: ACCOUNT_CHANGE_ACTIVITY.passwordChange, name: 'Password Change' },
  'password-reset': { id: ACCOUNT_CHANGE_ACTIVITY.passwordReset, name: 'Password Reset' },
  'mfa-enable': { id: ACCOUNT_CHANGE_ACTIVITY.mfaFactorEnable, name: 'MFA Factor Enable' },
  'code-check': { id: ACCOUNT_CHANGE_ACTIVITY.other, name: 'Verification Code Check' },
} as const;
export type AccountAction = keyof typeof ACCOUNT_ACTIONS;

/** A failed sign-up, confirmation, password reset or code check (Account Change). */
export function accountActionFailed(
  ctx: AuditContext,
  facts: FailedCallFacts & { action: AccountAction },
): AuditEvent {
  const activity = ACCOUNT_ACTIONS[facts.action];
  return build(ctx, {
    kind: 'account-action-failed',
    classInfo: CLASS_ACCOUNT_CHANGE,
    activityId: activity.id,
    activityName: activity.name,
    statusId: STATUS.failure,
    severityId: SEVERITY.low,
    statusDetail: facts.reason,
    message: `${activity.name} failed`,
    unmapped: callUnmapped(facts),
  });
}

/** What a successful sign-in call returned. */
export type SignInOutcome = 'tokens' | 'challenge' | 'refresh' | 'unknown';

/**
 * A successful sign-in call seen by CloudTrail: API Activity, never a logon (the post
 * authentication trigger counted the sign-in). It carries the source IP, GeoIP and
 * user agent the trigger could not see; `outcome` says whether the call issued tokens.
 */
export function signInCall(
  ctx: AuditContext,
  facts: { operation: string; outcome: SignInOutcome; authFlow?: string; challengeName?: string },
): AuditEvent {
  return build(ctx, {
    kind: 'sign-in-call',
    classInfo: CLASS_API_ACTIVITY,
    activityId: 99,
    activityName: 'Other',
    statusId: STATUS.success,
    severityId: SEVERITY.informational,
    statusDetail:
      facts.outcome === 'tokens'
        ? 'tokens issued'
        : facts.outcome === 'challenge'
          ? 'next challenge'
          : facts.outcome === 'refresh'
            ? 'tokens refreshed'
            : 'call succeeded',
    message: `${facts.operation} succeeded`,
    unmapped: callUnmapped(facts),
    extra: { api: { operation: facts.operation } },
  });
}
