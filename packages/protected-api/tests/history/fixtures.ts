import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AuditContext,
  type AuditEvent,
  challengeFailed,
  logonSucceeded,
  signUpDenied,
} from '@authwatch/audit';

export const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
export const MINUTE = 60_000;

/** The audit context of a trigger invocation, as auditContextFromEvent makes it. */
export function context(overrides: Partial<AuditContext> = {}): AuditContext {
  return {
    userPoolId: 'eu-west-1_AbCdEf123',
    region: 'eu-west-1',
    triggerSource: 'PostAuthentication_Authentication',
    clientId: 'webclient123',
    userName: 'alice@example.com',
    userSub: '11111111-2222-3333-4444-555555555555',
    sourceIp: '198.51.100.7',
    now: NOW,
    ...overrides,
  };
}

export const success = (
  minutesAgo: number,
  overrides: Partial<AuditContext> = {},
  newDevice = false,
) => logonSucceeded(context({ now: NOW - minutesAgo * MINUTE, ...overrides }), { newDevice });

export const wrongCode = (minutesAgo: number, overrides: Partial<AuditContext> = {}) =>
  challengeFailed(
    context({
      now: NOW - minutesAgo * MINUTE,
      triggerSource: 'VerifyAuthChallengeResponse_Authentication',
      ...overrides,
    }),
    { mode: 'email-otp', attempt: 1, maxAttempts: 3 },
  );

export const deniedSignUp = (minutesAgo: number) =>
  signUpDenied(context({ now: NOW - minutesAgo * MINUTE, triggerSource: 'PreSignUp_SignUp' }), {
    reason: 'blocked domain',
  });

/** An OCSF Detection Finding (2004) as the detections package emits one. */
export function finding(minutesAgo: number, uid: string, severityId = 4): Record<string, unknown> {
  const time = NOW - minutesAgo * MINUTE;
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    severity_id: severityId,
    status_id: 1,
    status: 'New',
    time,
    message: 'Brute force against one user',
    metadata: { version: '1.3.0', uid: `${uid}-${time}`, product: { name: 'Authwatch' } },
    finding_info: {
      uid,
      title: 'Brute force of one account',
      analytic: { uid: 'brute-force-user', name: 'Brute force against one user', type_id: 1 },
      first_seen_time: time - 5 * MINUTE,
      last_seen_time: time,
      related_events: [{ uid: 'e1' }, { uid: 'e2' }],
    },
    evidences: [{ data: { failures: 12, distinctIps: 1 } }],
    unmapped: { group: { user: 'alice@example.com' } },
  };
}

/** Writes events as one NDJSON object under a Security Lake-style folder. */
export async function writeObject(
  dir: string,
  name: string,
  events: readonly (AuditEvent | Record<string, unknown>)[],
): Promise<string> {
  const folder = join(
    dir,
    'ext',
    'authwatch',
    'region=eu-west-1',
    'accountId=000000000000',
    'eventDay=20261206',
  );
  await mkdir(folder, { recursive: true });
  const path = join(folder, name);
  await writeFile(path, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  return path;
}
