/**
 * One pure builder per kind of audit event. Each takes the invocation's
 * {@link AuditContext} and the facts of that kind and returns a complete OCSF event
 * with a fresh unique id. No builder accepts an OTP, password or token: the inputs
 * are counts, names and flags.
 */
import { randomUUID } from 'node:crypto';
import type { AuditContext } from './context.js';
import {
  ACCOUNT_CHANGE_ACTIVITY,
  AUDIT_PRODUCT,
  AUTH_PROTOCOL_OTHER,
  AUTHENTICATION_ACTIVITY,
  type AuditEvent,
  type AuditUnmapped,
  CATEGORY_APPLICATION,
  CATEGORY_IAM,
  CLASS_ACCOUNT_CHANGE,
  CLASS_API_ACTIVITY,
  CLASS_AUTHENTICATION,
  type CLASS_USER_ACCESS,
  LOG_PROVIDER,
  OCSF_VERSION,
  SEVERITY,
  SEVERITY_NAMES,
  type SeverityId,
  STATUS,
  STATUS_NAMES,
  type StatusId,
} from './ocsf.js';

/** The kinds of audit event, one per builder; `metadata.log_name` carries it. */
export const AUDIT_EVENT_KINDS = [
  'sign-up-allowed',
  'sign-up-denied',
  'logon-succeeded',
  'challenge-issued',
  'challenge-failed',
  'challenge-locked-out',
  'challenge-passed',
  'tokens-issued',
  'sign-in-attempt',
  'sign-in-refused',
  'sign-in-failed',
  'account-action-failed',
  'sign-in-call',
  'admin-change',
] as const;
export type AuditEventKind = (typeof AUDIT_EVENT_KINDS)[number];

/** What a builder decides; {@link buildAuditEvent} adds what every event repeats. */
export interface AuditEventShape {
  kind: AuditEventKind;
  classInfo:
    | typeof CLASS_ACCOUNT_CHANGE
    | typeof CLASS_AUTHENTICATION
    | typeof CLASS_USER_ACCESS
    | typeof CLASS_API_ACTIVITY;
  activityId: number;
  activityName: string;
  statusId: StatusId;
  severityId: SeverityId;
  statusDetail: string;
  message: string;
  unmapped?: Partial<AuditUnmapped>;
  extra?: Partial<
    Pick<
      AuditEvent,
      'is_new_logon' | 'is_mfa' | 'auth_protocol' | 'api' | 'actor' | 'resources' | 'privileges'
    >
  >;
}
type Shape = AuditEventShape;

/** Builds a complete event of `shape` from the invocation's context (a fresh uid). */
export function buildAuditEvent(ctx: AuditContext, shape: AuditEventShape): AuditEvent {
  const category =
    shape.classInfo.uid === CLASS_API_ACTIVITY.uid ? CATEGORY_APPLICATION : CATEGORY_IAM;
  const event: AuditEvent = {
    activity_id: shape.activityId,
    activity_name: shape.activityName,
    category_uid: category.uid,
    category_name: category.name,
    class_uid: shape.classInfo.uid,
    class_name: shape.classInfo.name,
    type_uid: shape.classInfo.uid * 100 + shape.activityId,
    type_name: `${shape.classInfo.name}: ${shape.activityName}`,
    severity_id: shape.severityId,
    severity: SEVERITY_NAMES[shape.severityId],
    status_id: shape.statusId,
    status: STATUS_NAMES[shape.statusId],
    status_detail: shape.statusDetail,
    message: shape.message,
    time: ctx.now,
    metadata: {
      version: OCSF_VERSION,
      product: { ...AUDIT_PRODUCT },
      uid: randomUUID(),
      event_code: ctx.triggerSource,
      log_name: shape.kind,
      log_provider: ctx.logProvider ?? LOG_PROVIDER.trigger,
    },
    cloud: { provider: 'AWS', region: ctx.region },
    service: { name: 'Amazon Cognito', uid: ctx.userPoolId },
    user: userOf(ctx),
    unmapped: { clientId: ctx.clientId, triggerSource: ctx.triggerSource, ...shape.unmapped },
  };
  if (ctx.correlationUid !== undefined) event.metadata.correlation_uid = ctx.correlationUid;
  if (ctx.sourceIp) {
    event.src_endpoint = { ip: ctx.sourceIp };
    if (ctx.location !== undefined) event.src_endpoint.location = ctx.location;
    if (ctx.autonomousSystem !== undefined) {
      event.src_endpoint.autonomous_system = ctx.autonomousSystem;
    }
  }
  if (ctx.userAgent !== undefined) event.http_request = { user_agent: ctx.userAgent };
  if (shape.classInfo.uid === CLASS_AUTHENTICATION.uid) {
    event.auth_protocol_id = AUTH_PROTOCOL_OTHER;
    event.auth_protocol = 'Cognito';
  }
  Object.assign(event, shape.extra);
  return event;
}

function userOf(ctx: AuditContext): AuditEvent['user'] {
  if (ctx.userName === undefined && ctx.userSub === undefined) {
    // Client credentials: no user, the app client is the principal.
    return { name: ctx.clientId, type: 'Service' };
  }
  const user: AuditEvent['user'] = { type: 'User' };
  if (ctx.userName !== undefined) user.name = ctx.userName;
  if (ctx.userSub !== undefined) user.uid = ctx.userSub;
  if (ctx.email !== undefined) user.email_addr = ctx.email;
  return user;
}

/** Pre sign-up let the user register. */
export function signUpAllowed(
  ctx: AuditContext,
  facts: { autoConfirmed: boolean; linkedToUser?: string },
): AuditEvent {
  const unmapped: Partial<AuditUnmapped> = { autoConfirmed: facts.autoConfirmed };
  if (facts.linkedToUser !== undefined) unmapped.linkedToUser = facts.linkedToUser;
  return buildAuditEvent(ctx, {
    kind: 'sign-up-allowed',
    classInfo: CLASS_ACCOUNT_CHANGE,
    activityId: ACCOUNT_CHANGE_ACTIVITY.create,
    activityName: 'Create',
    statusId: STATUS.success,
    severityId: SEVERITY.informational,
    statusDetail: facts.linkedToUser
      ? 'linked to an existing user'
      : facts.autoConfirmed
        ? 'auto-confirmed'
        : 'allowed',
    message: 'Sign-up allowed',
    unmapped,
  });
}

/** Pre sign-up refused the user by policy. */
export function signUpDenied(ctx: AuditContext, facts: { reason: string }): AuditEvent {
  return buildAuditEvent(ctx, {
    kind: 'sign-up-denied',
    classInfo: CLASS_ACCOUNT_CHANGE,
    activityId: ACCOUNT_CHANGE_ACTIVITY.create,
    activityName: 'Create',
    statusId: STATUS.failure,
    severityId: SEVERITY.medium,
    statusDetail: facts.reason,
    message: 'Sign-up denied by policy',
    unmapped: { reason: facts.reason },
  });
}

/** Post authentication: the user signed in. */
export function logonSucceeded(
  ctx: AuditContext,
  facts: { newDevice: boolean; mfa?: boolean; authMethod?: string },
): AuditEvent {
  const extra: Shape['extra'] = { is_new_logon: facts.newDevice };
  if (facts.mfa !== undefined) extra.is_mfa = facts.mfa;
  if (facts.authMethod !== undefined) extra.auth_protocol = facts.authMethod;
  return buildAuditEvent(ctx, {
    kind: 'logon-succeeded',
    classInfo: CLASS_AUTHENTICATION,
    activityId: AUTHENTICATION_ACTIVITY.logon,
    activityName: 'Logon',
    statusId: STATUS.success,
    severityId: facts.newDevice ? SEVERITY.low : SEVERITY.informational,
    statusDetail: facts.newDevice ? 'signed in from a new device' : 'signed in',
    message: 'Sign-in succeeded',
    extra,
  });
}

/** Create auth challenge: a challenge (e.g. an email OTP) was sent. Never the code. */
export function challengeIssued(
  ctx: AuditContext,
  facts: { mode: string; attempt: number },
): AuditEvent {
  return buildAuditEvent(ctx, {
    kind: 'challenge-issued',
    classInfo: CLASS_AUTHENTICATION,
    activityId: AUTHENTICATION_ACTIVITY.other,
    activityName: 'Challenge Issued',
    statusId: STATUS.success,
    severityId: SEVERITY.informational,
    statusDetail: `${facts.mode} challenge issued`,
    message: 'Challenge issued',
    unmapped: { mode: facts.mode, attempt: facts.attempt },
  });
}

/** Verify auth challenge: a wrong answer (a failed sign-in attempt). */
export function challengeFailed(
  ctx: AuditContext,
  facts: { mode: string; attempt: number; maxAttempts: number },
): AuditEvent {
  return buildAuditEvent(ctx, {
    kind: 'challenge-failed',
    classInfo: CLASS_AUTHENTICATION,
    activityId: AUTHENTICATION_ACTIVITY.logon,
    activityName: 'Logon',
    statusId: STATUS.failure,
    severityId: SEVERITY.low,
    statusDetail: `wrong answer (attempt ${facts.attempt} of ${facts.maxAttempts})`,
    message: 'Challenge failed',
    unmapped: { mode: facts.mode, attempt: facts.attempt, maxAttempts: facts.maxAttempts },
  });
}

/** Define auth challenge: too many wrong answers, the sign-in is refused. */
export function challengeLockedOut(
  ctx: AuditContext,
  facts: { mode: string; attempts: number },
): AuditEvent {
  return buildAuditEvent(ctx, {
    kind: 'challenge-locked-out',
    classInfo: CLASS_AUTHENTICATION,
    activityId: AUTHENTICATION_ACTIVITY.logon,
    activityName: 'Logon',
    statusId: STATUS.failure,
    severityId: SEVERITY.high,
    statusDetail: `locked out after ${facts.attempts} failed attempts`,
    message: 'Challenge locked out',
    unmapped: { mode: facts.mode, attempt: facts.attempts },
  });
}

/** Verify auth challenge: the right answer. */
export function challengePassed(ctx: AuditContext, facts: { mode: string }): AuditEvent {
  return buildAuditEvent(ctx, {
    kind: 'challenge-passed',
    classInfo: CLASS_AUTHENTICATION,
    activityId: AUTHENTICATION_ACTIVITY.other,
    activityName: 'Challenge Passed',
    statusId: STATUS.success,
    severityId: SEVERITY.informational,
    statusDetail: `${facts.mode} challenge passed`,
    message: 'Challenge passed',
    unmapped: { mode: facts.mode },
  });
}

/** What a claims policy changed in the tokens: rule names, claim and scope names. */
export interface TokenPolicyFacts {
  matchedRules: string[];
  claimsAdded: string[];
  claimsSuppressed: string[];
  scopesAdded: string[];
  scopesSuppressed: string[];
}

/** Pre token generation: tokens issued, with what the claims policy changed. */
export function tokensIssued(
  ctx: AuditContext,
  facts: TokenPolicyFacts & { tokenVersion: string },
): AuditEvent {
  return buildAuditEvent(ctx, {
    kind: 'tokens-issued',
    classInfo: CLASS_AUTHENTICATION,
    activityId: AUTHENTICATION_ACTIVITY.authenticationTicket,
    activityName: 'Authentication Ticket',
    statusId: STATUS.success,
    severityId: SEVERITY.informational,
    statusDetail: `tokens issued (${facts.matchedRules.length} rules matched)`,
    message: 'Tokens issued',
    unmapped: {
      matchedRules: [...facts.matchedRules],
      claimsAdded: [...facts.claimsAdded],
      claimsSuppressed: [...facts.claimsSuppressed],
      scopesAdded: [...facts.scopesAdded],
      scopesSuppressed: [...facts.scopesSuppressed],
      tokenVersion: facts.tokenVersion,
    },
  });
}
