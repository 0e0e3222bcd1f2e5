import { getTestEvent } from '@authwatch/testing';
import { describe, expect, it } from 'vitest';
import {
  ADMIN_CHANGE_CLASSES,
  AUDIT_COLUMNS,
  type AuditSourceEvent,
  accountActionFailed,
  adminChange,
  auditContextFromEvent,
  challengeFailed,
  challengeIssued,
  challengeLockedOut,
  challengePassed,
  fitEvent,
  logonSucceeded,
  signInAttempt,
  signInCall,
  signInFailed,
  signInRefused,
  signUpAllowed,
  signUpDenied,
  tokensIssued,
} from '../../src/index.js';

/** Field names of a Hive struct type, top level only: `struct<a:int,b:struct<c:int>>` → a, b. */
function structFields(type: string): Map<string, string> {
  const body = type.slice('struct<'.length, -1);
  const fields = new Map<string, string>();
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= body.length; i += 1) {
    const char = body[i];
    if (char === '<') depth += 1;
    if (char === '>') depth -= 1;
    if ((char === ',' && depth === 0) || i === body.length) {
      const part = body.slice(start, i);
      const colon = part.indexOf(':');
      fields.set(part.slice(0, colon), part.slice(colon + 1));
      start = i + 1;
    }
  }
  return fields;
}

/** Every path in `value` missing from the Hive `type`. */
function missing(value: unknown, type: string, path: string): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) {
    if (!type.startsWith('array<')) return [path];
    return value.flatMap((item) => missing(item, type.slice(6, -1), `${path}[]`));
  }
  if (typeof value === 'object') {
    if (!type.startsWith('struct<')) return [path];
    const fields = structFields(type);
    return Object.entries(value).flatMap(([key, item]) => {
      const fieldType = fields.get(key.toLowerCase());
      return fieldType === undefined
        ? [`${path}.${key}`]
        : missing(item, fieldType, `${path}.${key}`);
    });
  }
  return [];
}

describe('Glue columns', () => {
  it('have a column for every field any builder emits, truncation marker included', () => {
    // Prepare
    const source = getTestEvent<AuditSourceEvent>('pre-signup/sign-up');
    const ctx = { ...auditContextFromEvent(source, 1_795_000_000_000), userSub: 'sub-1' };
    const events = [
      signUpAllowed(ctx, { autoConfirmed: true, linkedToUser: 'google_1' }),
      signUpDenied(ctx, { reason: 'blocked domain' }),
      logonSucceeded(ctx, { newDevice: true, mfa: true, authMethod: 'CUSTOM_AUTH' }),
      challengeIssued(ctx, { mode: 'email-otp', attempt: 1 }),
      challengeFailed(ctx, { mode: 'email-otp', attempt: 1, maxAttempts: 3 }),
      challengeLockedOut(ctx, { mode: 'email-otp', attempts: 3 }),
      challengePassed(ctx, { mode: 'email-otp' }),
      tokensIssued(ctx, {
        matchedRules: ['r'],
        claimsAdded: ['c'],
        claimsSuppressed: ['d'],
        scopesAdded: ['s'],
        scopesSuppressed: ['t'],
        tokenVersion: 'V2_0',
      }),
    ];
    const trail = {
      ...ctx,
      logProvider: 'cloudtrail',
      correlationUid: 'e-1',
      sourceIp: '192.0.2.1',
      userAgent: 'aws-sdk-js/3',
      location: { country: 'FR', city: 'Paris', lat: 48.85, long: 2.35 },
      autonomousSystem: { number: 64_500, name: 'Example AS' },
    };
    events.push(
      signInAttempt(ctx, { userNotFound: true, userNameHash: 'ab'.repeat(16) }),
      signInRefused(ctx, { userNotFound: false, reason: 'locked' }),
      signInFailed(trail, {
        errorCode: 'NotAuthorizedException',
        reason: 'wrong password',
        authFlow: 'USER_SRP_AUTH',
        challengeName: 'PASSWORD_VERIFIER',
      }),
      accountActionFailed(trail, {
        action: 'confirm',
        errorCode: 'CodeMismatchException',
        reason: 'r',
      }),
      signInCall(trail, {
        operation: 'InitiateAuth',
        outcome: 'tokens',
        authFlow: 'USER_PASSWORD_AUTH',
      }),
    );
    events.push(
      adminChange(trail, {
        operation: 'AdminAddUserToGroup',
        classInfo: ADMIN_CHANGE_CLASSES.userAccess,
        activityId: 1,
        activityName: 'Assign Privileges',
        failure: { errorCode: 'ResourceNotFoundException', reason: 'r' },
        message: 'm',
        actor: {
          user: {
            uid: 'arn:aws:iam::123456789012:user/alice',
            name: 'alice',
            type: 'IAMUser',
            credential_uid: 'AKIAEXAMPLE',
            account: { uid: '123456789012' },
          },
          session: { issuer: 'arn:aws:iam::123456789012:role/r', created_time: 1, is_mfa: true },
          invoked_by: 'cloudformation.amazonaws.com',
        },
        requestId: 'req-1',
        resources: [{ type: 'Group', uid: 'g', name: 'admins' }],
        privileges: ['admins'],
        details: {
          groupName: 'admins',
          privileged: true,
          changes: ['groupName'],
          before: '{}',
          after: '{}',
          weakened: true,
          triggerTampered: true,
          clientWidened: true,
        },
      }),
    );
    events.push(fitEvent({ ...events[0]!, status_detail: 'x'.repeat(5_000) }, 2_000).event);
    const table = `struct<${AUDIT_COLUMNS.map((c) => `${c.name}:${c.type}`).join(',')}>`;

    // Act
    const gaps = events.flatMap((event) => missing(event, table, event.metadata.log_name));

    // Assess
    expect(gaps).toEqual([]);
    expect(events.at(-1)?.unmapped.truncated).toBe(true);
  });

  it('are lower case, as Glue stores them', () => {
    for (const column of AUDIT_COLUMNS) {
      expect(column.name).toBe(column.name.toLowerCase());
      expect(column.type).toBe(column.type.toLowerCase());
    }
  });
});
