/**
 * One CloudTrail record of a Cognito call → at most one OCSF audit event. Pure: the
 * record, the config and the GeoIP reader give the event (with a fresh uid).
 *
 * - A failed sign-in call (InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge,
 *   AdminRespondToAuthChallenge) → Authentication Logon Failure (`sign-in-failed`) with
 *   the reason, source IP, user agent, sub, client and CloudTrail's eventID
 *   (`metadata.correlation_uid`). Two failures are not logons of their own and get
 *   activity Other: a refused CUSTOM_CHALLENGE answer (the verify trigger counted it)
 *   and a refused token refresh.
 * - A successful sign-in call → API Activity `sign-in-call` (never a logon: the post
 *   authentication trigger counts the sign-in), carrying the IP and GeoIP; `outcome`
 *   says whether it issued tokens, a next challenge, or refreshed tokens.
 * - A failed sign-up, confirmation, password change or reset, code check or MFA setup →
 *   Account Change `account-action-failed` of the matching activity.
 * - Anything else is skipped with a reason the handler counts.
 */
import {
  type AccountAction,
  type AuditContext,
  type AuditEvent,
  accountActionFailed,
  LOG_PROVIDER,
  parseSourceIp,
  type SignInOutcome,
  signInCall,
  signInFailed,
} from '@authwatch/audit';
import { maskText } from '@authwatch/kit';
import type { CloudTrailConfig } from './config.js';
import type { GeoIp } from './geoip.js';
import type { TrailRecord } from './record.js';

/** The sign-in calls. */
export const SIGN_IN_CALLS = new Set([
  'InitiateAuth',
  'AdminInitiateAuth',
  'RespondToAuthChallenge',
  'AdminRespondToAuthChallenge',
]);

/** Account calls whose failures are recorded, with their Account Change activity. */
export const ACCOUNT_CALLS: Record<string, AccountAction> = {
  SignUp: 'sign-up',
  ConfirmSignUp: 'confirm',
  AdminConfirmSignUp: 'confirm',
  ChangePassword: 'password-change',
  ForgotPassword: 'password-reset',
  ConfirmForgotPassword: 'password-reset',
  AdminResetUserPassword: 'password-reset',
  ResendConfirmationCode: 'code-check',
  GetUserAttributeVerificationCode: 'code-check',
  VerifyUserAttribute: 'code-check',
  AssociateSoftwareToken: 'mfa-enable',
  VerifySoftwareToken: 'mfa-enable',
};

/** The calls the EventBridge rule forwards (infra builds the rule from this list). */
export const RECORDED_CALLS = [...SIGN_IN_CALLS, ...Object.keys(ACCOUNT_CALLS)];

/** Cognito's messages we recognise, in our words. Any other message is never copied. */
const KNOWN_MESSAGES: Record<string, string> = {
  'Incorrect username or password.': 'wrong user name or password',
  'Password attempts exceeded': 'password attempts exceeded',
  'User does not exist.': 'user does not exist',
  'User is disabled.': 'user is disabled',
  'User is not confirmed.': 'user is not confirmed',
  'Password reset required for the user': 'password reset required',
  'Invalid session for the user, session is expired.': 'session expired',
  'Invalid code received for user': 'wrong code',
  'Invalid verification code provided, please try again.': 'wrong code',
  'Invalid code provided, please request a code again.': 'expired code',
  'Attempt limit exceeded, please try after some time.': 'attempt limit exceeded',
  'Refresh Token has been revoked': 'refresh token revoked',
  'Invalid Refresh Token': 'invalid refresh token',
  'Rate exceeded': 'rate exceeded',
  'User already exists': 'user already exists',
};

/** Readable reasons by error code, when the message is not one we know. */
const CODE_REASONS: Record<string, string> = {
  NotAuthorizedException: 'not authorized',
  UserNotFoundException: 'user does not exist',
  CodeMismatchException: 'wrong code',
  ExpiredCodeException: 'expired code',
  UserNotConfirmedException: 'user is not confirmed',
  PasswordResetRequiredException: 'password reset required',
  TooManyRequestsException: 'too many requests',
  TooManyFailedAttemptsException: 'too many failed attempts',
  LimitExceededException: 'attempt limit exceeded',
  UsernameExistsException: 'user already exists',
  InvalidPasswordException: 'password does not meet the policy',
  InvalidParameterException: 'invalid parameter',
  UserLambdaValidationException: 'refused by a trigger',
  EnableSoftwareTokenMFAException: 'wrong code',
};

const TRIGGER_MESSAGE =
  /^(PreAuthentication|PreSignUp|PostAuthentication|DefineAuthChallenge|CreateAuthChallenge|VerifyAuthChallengeResponse|PreTokenGeneration|UserMigration|CustomMessage|PostConfirmation) failed with error /;

/** The reason of a failed call, from a known message or the code; never the raw message. */
export function reasonOf(errorCode: string, errorMessage: string | undefined): string {
  const message = errorMessage?.trim();
  if (message !== undefined) {
    if (Object.hasOwn(KNOWN_MESSAGES, message)) return KNOWN_MESSAGES[message] as string;
    const trigger = TRIGGER_MESSAGE.exec(message)?.[1];
    if (trigger !== undefined) return `refused by the ${trigger} trigger`;
  }
  const reason = Object.hasOwn(CODE_REASONS, errorCode) ? CODE_REASONS[errorCode] : undefined;
  return `${reason ?? 'failed'} (${errorCode})`;
}

// Control characters would let a user agent rewrite a terminal that prints it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** The user agent as recorded: control characters out, emails and JWTs masked, cut. */
export function cleanUserAgent(raw: string): string {
  return maskText(raw.replace(CONTROL, ' ')).slice(0, 256);
}

const REFRESH_FLOWS = new Set(['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN']);

export type MapSkipReason = 'not-an-auth-call' | 'other-pool' | 'success-not-recorded';
export type Mapped = { kind: 'event'; event: AuditEvent } | { kind: 'skip'; reason: MapSkipReason };

function contextOf(record: TrailRecord, config: CloudTrailConfig, geo: GeoIp): AuditContext {
  const ctx: AuditContext = {
    userPoolId: record.userPoolId ?? config.userPoolId ?? 'unknown',
    region: record.region,
    triggerSource: record.eventName,
    clientId: record.clientId ?? 'unknown',
    now: record.time,
    logProvider: LOG_PROVIDER.cloudtrail,
    correlationUid: record.eventID,
  };
  if (record.sub !== undefined) ctx.userSub = record.sub;
  // Only an IP literal: CloudTrail writes a service name for calls made by AWS itself.
  const ip = parseSourceIp(record.sourceIPAddress);
  if (ip !== undefined) {
    ctx.sourceIp = ip;
    const facts = geo.lookup(ip);
    if (facts.location) ctx.location = facts.location;
    if (facts.autonomousSystem) ctx.autonomousSystem = facts.autonomousSystem;
  }
  if (record.userAgent !== undefined) ctx.userAgent = cleanUserAgent(record.userAgent);
  return ctx;
}

function optional(record: TrailRecord): { authFlow?: string; challengeName?: string } {
  const facts: { authFlow?: string; challengeName?: string } = {};
  if (record.authFlow !== undefined) facts.authFlow = record.authFlow;
  if (record.challengeName !== undefined) facts.challengeName = record.challengeName;
  return facts;
}

function ofThisPool(record: TrailRecord, config: CloudTrailConfig): boolean {
  if (config.userPoolId !== undefined && record.userPoolId !== undefined) {
    if (record.userPoolId !== config.userPoolId) return false;
  }
  if (config.clientIds.length > 0 && record.userPoolId === undefined) {
    // A public call names only its client.
    return record.clientId !== undefined && config.clientIds.includes(record.clientId);
  }
  return true;
}

/** Maps one record to its event, or says why it is skipped. */
export function mapRecord(record: TrailRecord, config: CloudTrailConfig, geo: GeoIp): Mapped {
  const signIn = SIGN_IN_CALLS.has(record.eventName);
  // Own keys only: an eventName such as `constructor` must not find Object.prototype's.
  const account = Object.hasOwn(ACCOUNT_CALLS, record.eventName)
    ? ACCOUNT_CALLS[record.eventName]
    : undefined;
  if (!signIn && account === undefined) return { kind: 'skip', reason: 'not-an-auth-call' };
  if (!ofThisPool(record, config)) return { kind: 'skip', reason: 'other-pool' };
  const failed = record.errorCode !== undefined;
  if (!signIn && !failed) return { kind: 'skip', reason: 'success-not-recorded' };
  const ctx = contextOf(record, config, geo);
  const facts = optional(record);
  if (failed) {
    const errorCode = record.errorCode as string;
    const failure = { ...facts, errorCode, reason: reasonOf(errorCode, record.errorMessage) };
    if (account !== undefined) {
      return { kind: 'event', event: accountActionFailed(ctx, { ...failure, action: account }) };
    }
    let notLogon: string | undefined;
    if (record.challengeName === 'CUSTOM_CHALLENGE') notLogon = 'Custom Challenge Refused';
    else if (record.authFlow !== undefined && REFRESH_FLOWS.has(record.authFlow)) {
      notLogon = 'Token Refresh Failed';
    }
    return {
      kind: 'event',
      event: signInFailed(ctx, notLogon === undefined ? failure : { ...failure, notLogon }),
    };
  }
  let outcome: SignInOutcome = record.responded ?? 'unknown';
  if (record.authFlow !== undefined && REFRESH_FLOWS.has(record.authFlow)) outcome = 'refresh';
  return {
    kind: 'event',
    event: signInCall(ctx, { operation: record.eventName, outcome, ...facts }),
  };
}
