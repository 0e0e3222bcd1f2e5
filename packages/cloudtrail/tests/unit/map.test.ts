import { describe, expect, it } from 'vitest';
import { mapRecord, reasonOf } from '../../src/map.js';
import { parseMessageBody, type TrailRecord } from '../../src/record.js';
import { CLIENT, CONFIG, countryGeo, POOL, trailEvent } from '../helpers.js';

const SUB = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

function recordOf(name: string, change?: (detail: Record<string, unknown>) => void): TrailRecord {
  const parsed = parseMessageBody(JSON.stringify(trailEvent(name, change)));
  if (parsed.kind !== 'record') throw new Error(`fixture ${name} was skipped: ${parsed.reason}`);
  return parsed.record;
}

function eventOf(name: string, change?: (detail: Record<string, unknown>) => void) {
  const mapped = mapRecord(recordOf(name, change), CONFIG, countryGeo());
  if (mapped.kind !== 'event') throw new Error(`fixture ${name} was skipped: ${mapped.reason}`);
  return mapped.event;
}

describe('mapping CloudTrail records', () => {
  it('makes a wrong password an Authentication Logon Failure with IP, agent, sub, client and eventID', () => {
    // Act
    const event = eventOf('initiate-auth-wrong-password');

    // Assess
    expect(event).toMatchObject({
      class_uid: 3002,
      activity_id: 1,
      activity_name: 'Logon',
      status_id: 2,
      status_detail: 'wrong user name or password',
      time: Date.parse('2026-11-23T21:40:01Z'),
      metadata: {
        log_name: 'sign-in-failed',
        log_provider: 'cloudtrail',
        event_code: 'InitiateAuth',
        correlation_uid: '3b6c2a10-6d7e-4f80-9a1b-2c3d4e5f6a01',
      },
      service: { uid: POOL },
      user: { uid: SUB, type: 'User' },
      src_endpoint: { ip: '203.0.113.10' },
      http_request: { user_agent: expect.stringContaining('aws-sdk-js/3') },
      unmapped: {
        clientId: CLIENT,
        errorCode: 'NotAuthorizedException',
        reason: 'wrong user name or password',
        authFlow: 'USER_PASSWORD_AUTH',
      },
    });
    expect(event.user.name).toBeUndefined();
  });

  it('records an unknown user as a failure without a sub', () => {
    const event = eventOf('initiate-auth-unknown-user');
    expect(event).toMatchObject({
      activity_id: 1,
      status_id: 2,
      status_detail: 'user does not exist',
    });
    expect(event.user).toEqual({ type: 'User' });
  });

  it('records a wrong SRP password (RespondToAuthChallenge, PASSWORD_VERIFIER) as a Logon failure', () => {
    const event = eventOf('respond-srp-wrong-password');
    expect(event).toMatchObject({
      activity_id: 1,
      unmapped: { challengeName: 'PASSWORD_VERIFIER', errorCode: 'NotAuthorizedException' },
    });
  });

  it('does not count a refused custom challenge as a logon (the verify trigger counted it)', () => {
    const event = eventOf('respond-custom-challenge-failed');
    expect([event.class_uid, event.activity_id, event.activity_name, event.status_id]).toEqual([
      3002,
      99,
      'Custom Challenge Refused',
      2,
    ]);
  });

  it('names the trigger that refused, never copying its message', () => {
    const event = eventOf('initiate-auth-pre-auth-refused');
    expect(event.status_detail).toBe('refused by the PreAuthentication trigger');
    expect(JSON.stringify(event)).not.toContain('not possible');
  });

  it('makes a successful token-issuing call an API Activity, never a logon', () => {
    const event = eventOf('respond-tokens');
    expect(event).toMatchObject({
      category_uid: 6,
      class_uid: 6003,
      activity_id: 99,
      status_id: 1,
      api: { operation: 'RespondToAuthChallenge' },
      metadata: { log_name: 'sign-in-call', log_provider: 'cloudtrail' },
      unmapped: { outcome: 'tokens' },
      user: { uid: SUB },
    });
  });

  it('tells a next challenge and a refresh from a sign-in', () => {
    expect(eventOf('initiate-auth-srp-challenge').unmapped.outcome).toBe('challenge');
    expect(eventOf('initiate-auth-refresh').unmapped.outcome).toBe('refresh');
  });

  it('makes a failed confirmation and a failed sign-up Account Change failures', () => {
    expect(eventOf('confirm-sign-up-code-mismatch')).toMatchObject({
      class_uid: 3001,
      activity_id: 2,
      activity_name: 'Enable',
      status_id: 2,
      status_detail: 'wrong code',
    });
    expect(eventOf('sign-up-username-exists')).toMatchObject({
      class_uid: 3001,
      activity_id: 1,
      status_detail: 'user already exists',
    });
  });

  it('takes the pool of an admin call from the record, and the admin caller IP as recorded', () => {
    const event = eventOf('admin-initiate-auth-wrong-password');
    expect(event).toMatchObject({
      service: { uid: POOL },
      src_endpoint: { ip: '192.0.2.44' },
      unmapped: { authFlow: 'ADMIN_USER_PASSWORD_AUTH' },
    });
  });

  it('adds the country of the source IP from the default database', () => {
    const event = eventOf('initiate-auth-wrong-password', (detail) => {
      detail.sourceIPAddress = '81.2.69.142';
    });
    expect(event.src_endpoint).toEqual({ ip: '81.2.69.142', location: { country: 'GB' } });
  });

  it('records no IP when CloudTrail names a service instead of an address', () => {
    const event = eventOf('initiate-auth-wrong-password', (detail) => {
      detail.sourceIPAddress = 'cognito-idp.amazonaws.com';
    });
    expect(event.src_endpoint).toBeUndefined();
  });

  it.each([
    ['the guide hosted UI Login_GET', 'hosted-ui-login-get', undefined, 'not-an-auth-call'],
    [
      'a successful sign-up',
      'sign-up-username-exists',
      (d: Record<string, unknown>) => {
        delete d.errorCode;
        delete d.errorMessage;
      },
      'success-not-recorded',
    ],
    [
      'another client',
      'initiate-auth-wrong-password',
      (d: Record<string, unknown>) => {
        d.requestParameters = { authFlow: 'USER_PASSWORD_AUTH', clientId: 'otherclient123' };
      },
      'other-pool',
    ],
    [
      'another pool',
      'admin-initiate-auth-wrong-password',
      (d: Record<string, unknown>) => {
        (d.requestParameters as Record<string, unknown>).userPoolId = 'us-east-1_Other1';
      },
      'other-pool',
    ],
  ] as const)('skips %s', (_case, name, change, reason) => {
    const mapped = mapRecord(recordOf(name, change), CONFIG, countryGeo());
    expect(mapped).toEqual({ kind: 'skip', reason });
  });
});

describe('prototype names', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty'])(
    'skips a Cognito call named %s as not an auth call',
    (eventName) => {
      const mapped = mapRecord(
        recordOf('confirm-sign-up-code-mismatch', (detail) => {
          detail.eventName = eventName;
        }),
        CONFIG,
        countryGeo(),
      );
      expect(mapped).toEqual({ kind: 'skip', reason: 'not-an-auth-call' });
    },
  );
});

describe('failure reasons', () => {
  it('uses a known message in our words, else the code, never an unknown message', () => {
    expect(reasonOf('NotAuthorizedException', 'Password attempts exceeded')).toBe(
      'password attempts exceeded',
    );
    expect(reasonOf('NotAuthorizedException', 'password was hunter2')).toBe(
      'not authorized (NotAuthorizedException)',
    );
    expect(reasonOf('SomethingNewException', undefined)).toBe('failed (SomethingNewException)');
    expect(reasonOf('constructor', 'toString')).toBe('failed (constructor)');
  });
});

describe('reading message bodies', () => {
  it.each([
    ['not JSON', '{', 'not-json'],
    ['JSON null', 'null', 'not-an-event'],
    [
      'an S3 event',
      JSON.stringify({
        source: 'aws.s3',
        'detail-type': 'AWS API Call via CloudTrail',
        detail: {},
      }),
      'not-cognito',
    ],
    [
      'a record of another service',
      JSON.stringify({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' }),
      'not-cognito',
    ],
    [
      'a record without a time',
      JSON.stringify({
        eventSource: 'cognito-idp.amazonaws.com',
        eventName: 'InitiateAuth',
        eventID: 'x',
        awsRegion: 'us-east-1',
      }),
      'malformed-record',
    ],
  ])('skips %s with a named reason', (_case, body, reason) => {
    expect(parseMessageBody(body)).toEqual({ kind: 'skip', reason });
  });

  it('reads a bare CloudTrail record as well as the EventBridge event around it', () => {
    const wrapped = trailEvent('initiate-auth-wrong-password');
    expect(parseMessageBody(JSON.stringify(wrapped.detail))).toEqual(
      parseMessageBody(JSON.stringify(wrapped)),
    );
  });
});
