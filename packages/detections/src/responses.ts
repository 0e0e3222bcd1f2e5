/**
 * Opt-in responses to a finding about a user, each audited as an OCSF Account Change
 * event: a temporary lock (`custom:authwatch_lock_until`, epoch seconds, which the pre
 * authentication trigger enforces), a global sign-out (AdminUserGlobalSignOut: every
 * refresh token revoked) and disabling the user (AdminDisableUser).
 */
import { randomUUID } from 'node:crypto';
import { AUDIT_PRODUCT, type AuditEvent, OCSF_VERSION } from '@authwatch/audit';
import {
  AdminDisableUserCommand,
  AdminUpdateUserAttributesCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ResponseAction } from './schema.js';

/** The attribute the pre authentication trigger reads (agreed with it). */
export const LOCK_ATTRIBUTE = 'custom:authwatch_lock_until';

export interface Responder {
  lock(userName: string, untilEpochSeconds: number): Promise<void>;
  signOut(userName: string): Promise<void>;
  disable(userName: string): Promise<void>;
}

/** The Cognito admin calls, on one user pool, with a request timeout. */
export function createCognitoResponder(
  userPoolId: string,
  client?: CognitoIdentityProviderClient,
): Responder {
  const cognito =
    client ??
    new CognitoIdentityProviderClient({
      maxAttempts: 3,
      requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 },
    });
  return {
    async lock(userName, until) {
      await cognito.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: userPoolId,
          Username: userName,
          UserAttributes: [{ Name: LOCK_ATTRIBUTE, Value: String(until) }],
        }),
      );
    },
    async signOut(userName) {
      await cognito.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username: userName }),
      );
    },
    async disable(userName) {
      await cognito.send(
        new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: userName }),
      );
    },
  };
}

const ACTIVITY: Record<
  ResponseAction['action'],
  { id: number; name: string; api: string; log: string }
> = {
  lock: { id: 9, name: 'Lock', api: 'AdminUpdateUserAttributes', log: 'response-lock' },
  sign_out: { id: 99, name: 'Other', api: 'AdminUserGlobalSignOut', log: 'response-sign-out' },
  disable: { id: 5, name: 'Disable', api: 'AdminDisableUser', log: 'response-disable' },
};

export interface ResponseOutcome {
  action: ResponseAction['action'];
  ok: boolean;
  /** Human wording for the alert (`locked until 2026-11-23T10:15:00Z`). */
  summary: string;
  audit: AuditEvent;
}

/**
 * Runs one action on a user and returns its audit event (success or failure; the
 * error's name only, never a message that could quote input).
 */
export async function respond(
  responder: Responder,
  action: ResponseAction,
  target: {
    userName: string;
    findingUid: string;
    ruleId: string;
    userPoolId: string;
    region: string;
  },
  now: number,
): Promise<ResponseOutcome> {
  const until = action.action === 'lock' ? Math.floor(now / 1000) + action.minutes * 60 : 0;
  let error: string | undefined;
  try {
    if (action.action === 'lock') await responder.lock(target.userName, until);
    else if (action.action === 'sign_out') await responder.signOut(target.userName);
    else await responder.disable(target.userName);
  } catch (caught) {
    error = (caught as { name?: string }).name ?? 'Error';
  }
  const activity = ACTIVITY[action.action];
  const summary =
    action.action === 'lock'
      ? `locked until ${new Date(until * 1000).toISOString().replace('.000Z', 'Z')}`
      : action.action === 'sign_out'
        ? 'signed out everywhere'
        : 'disabled';
  const ok = error === undefined;
  const audit: AuditEvent = {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: 3,
    category_name: 'Identity & Access Management',
    class_uid: 3001,
    class_name: 'Account Change',
    type_uid: 300100 + activity.id,
    type_name: `Account Change: ${activity.name}`,
    severity_id: ok ? 3 : 4,
    severity: ok ? 'Medium' : 'High',
    status_id: ok ? 1 : 2,
    status: ok ? 'Success' : 'Failure',
    status_detail: ok ? `detection response: ${summary}` : `detection response failed: ${error}`,
    message: `${ok ? '' : 'failed: '}${summary} by rule ${target.ruleId} (finding ${target.findingUid})`,
    time: now,
    metadata: {
      version: OCSF_VERSION,
      product: { ...AUDIT_PRODUCT },
      uid: randomUUID(),
      event_code: activity.api,
      log_name: activity.log,
    },
    cloud: { provider: 'AWS', region: target.region },
    service: { name: 'Amazon Cognito', uid: target.userPoolId },
    user: { name: target.userName, type: 'User' },
    unmapped: {
      clientId: 'authwatch-detect',
      triggerSource: 'DetectionResponse',
      reason: target.findingUid,
    },
  };
  return {
    action: action.action,
    ok,
    summary: ok ? summary : `${summary} FAILED (${error})`,
    audit,
  };
}
