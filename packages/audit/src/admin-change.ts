/**
 * Admin actions and pool configuration changes, as CloudTrail records them: one event per
 * call, of the OCSF class that fits it (`packages/cloudtrail/src/management.ts` decides):
 *
 * - Account Change (3001) for what an admin did to one user (create, delete, disable,
 *   enable, set or reset the password, attributes, MFA preference, global sign-out, link);
 * - User Access Management (3005) for a user given or taken a group (Assign / Revoke
 *   Privileges, the group in `privileges`);
 * - API Activity (6003) for the pool's configuration (pool, clients, groups, identity
 *   providers, domain, risk configuration, import jobs), activity Create / Update / Delete.
 *
 * Every one carries the `actor` (the IAM principal's ARN, access key id, session issuer),
 * source IP and user agent, the target user's `sub` where there is one, the `resources`
 * changed, and what changed in `unmapped` (member names, and the deployed value and the
 * value set as JSON). The builder takes names, flags and already-redacted JSON: no
 * password, secret or token can be passed in.
 *
 * @see https://schema.ocsf.io/1.3.0/classes/account_change
 * @see https://schema.ocsf.io/1.3.0/classes/user_access
 * @see https://schema.ocsf.io/1.3.0/classes/api_activity
 */
import { buildAuditEvent } from './builders.js';
import type { AuditContext } from './context.js';
import {
  type AuditEvent,
  type AuditUnmapped,
  CLASS_ACCOUNT_CHANGE,
  CLASS_API_ACTIVITY,
  CLASS_USER_ACCESS,
  type OcsfActor,
  type OcsfResource,
  SEVERITY,
  type SeverityId,
  STATUS,
} from './ocsf.js';

/** The OCSF class of an admin change. */
export type AdminChangeClass =
  | typeof CLASS_ACCOUNT_CHANGE
  | typeof CLASS_USER_ACCESS
  | typeof CLASS_API_ACTIVITY;

export const ADMIN_CHANGE_CLASSES = {
  accountChange: CLASS_ACCOUNT_CHANGE,
  userAccess: CLASS_USER_ACCESS,
  apiActivity: CLASS_API_ACTIVITY,
} as const;

/** API Activity's activity ids. */
export const API_ACTIVITY = { create: 1, read: 2, update: 3, delete: 4, other: 99 } as const;
/** User Access Management's activity ids. */
export const USER_ACCESS_ACTIVITY = { assignPrivileges: 1, revokePrivileges: 2 } as const;

/** What the mapping of one admin call decided. */
export interface AdminChangeFacts {
  /** The Cognito operation (CloudTrail's eventName). */
  operation: string;
  classInfo: AdminChangeClass;
  activityId: number;
  activityName: string;
  /** Set when the call failed: Cognito's error code and our reason. */
  failure?: { errorCode: string; reason: string };
  /** Informational unless a fact makes it riskier (a trigger detached, MFA weakened). */
  severityId?: SeverityId;
  message: string;
  actor: OcsfActor;
  /** CloudTrail's requestID. */
  requestId?: string;
  resources: OcsfResource[];
  /** User Access Management: the groups given or taken. */
  privileges?: string[];
  /** Facts with no OCSF attribute (group, flags, member names, before / after JSON). */
  details?: Partial<AuditUnmapped>;
}

/** One admin action or configuration change. */
export function adminChange(ctx: AuditContext, facts: AdminChangeFacts): AuditEvent {
  const failed = facts.failure !== undefined;
  const event = buildAuditEvent(ctx, {
    kind: 'admin-change',
    classInfo: facts.classInfo,
    activityId: facts.activityId,
    activityName: facts.activityName,
    statusId: failed ? STATUS.failure : STATUS.success,
    severityId: facts.severityId ?? SEVERITY.informational,
    statusDetail: failed ? (facts.failure?.reason ?? 'failed') : 'call succeeded',
    message: facts.message,
    unmapped: {
      ...facts.details,
      ...(facts.failure ? { errorCode: facts.failure.errorCode } : {}),
    },
    extra: {
      api: {
        operation: facts.operation,
        ...(facts.requestId !== undefined ? { request: { uid: facts.requestId } } : {}),
      },
      actor: facts.actor,
      resources: facts.resources,
      ...(facts.privileges ? { privileges: facts.privileges } : {}),
    },
  });
  // The user is the one the call acted on; a configuration change has none.
  event.user = ctx.userSub !== undefined ? { uid: ctx.userSub, type: 'User' } : {};
  return event;
}
