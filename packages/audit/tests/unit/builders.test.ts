import { getTestEvent, listTestEvents } from '@authwatch/testing';
import { describe, expect, it } from 'vitest';
import {
  type AuditContext,
  type AuditEvent,
  type AuditSourceEvent,
  auditContextFromEvent,
  challengeFailed,
  challengeIssued,
  challengeLockedOut,
  challengePassed,
  logonSucceeded,
  OCSF_VERSION,
  signUpAllowed,
  signUpDenied,
  tokensIssued,
} from '../../src/index.js';

const NOW = 1_795_000_000_000;

function context(name: string, options?: { includeEmail?: boolean }): AuditContext {
  return auditContextFromEvent(getTestEvent<AuditSourceEvent>(name), NOW, options);
}

function everyKind(ctx: AuditContext): AuditEvent[] {
  return [
    signUpAllowed(ctx, { autoConfirmed: true }),
    signUpDenied(ctx, { reason: 'email domain is not allowed' }),
    logonSucceeded(ctx, { newDevice: true, mfa: false, authMethod: 'CUSTOM_AUTH' }),
    challengeIssued(ctx, { mode: 'email-otp', attempt: 1 }),
    challengeFailed(ctx, { mode: 'email-otp', attempt: 2, maxAttempts: 3 }),
    challengeLockedOut(ctx, { mode: 'email-otp', attempts: 3 }),
    challengePassed(ctx, { mode: 'email-otp' }),
    tokensIssued(ctx, {
      matchedRules: ['tenant'],
      claimsAdded: ['tenant_id'],
      claimsSuppressed: [],
      scopesAdded: ['api/read'],
      scopesSuppressed: [],
      tokenVersion: 'V2_0',
    }),
  ];
}

describe('auditContextFromEvent', () => {
  it('takes the pool, region, client, user and source IP from a pre sign-up event', () => {
    // Prepare
    const event = getTestEvent<AuditSourceEvent>('pre-signup/sign-up');

    // Act
    const ctx = auditContextFromEvent(event, NOW);

    // Assess
    expect(ctx).toEqual({
      userPoolId: 'us-east-1_EXAMPLE1a',
      region: 'us-east-1',
      triggerSource: 'PreSignUp_SignUp',
      clientId: '1example23456789abcdefghij',
      userName: 'user.one@example.com',
      email: 'user.one@example.com',
      sourceIp: '203.0.113.10',
      now: NOW,
    });
  });

  it('reads the source IP from clientMetadata.ip when sourceIp is absent', () => {
    const event = getTestEvent<AuditSourceEvent>('post-auth/authentication');
    event.request.clientMetadata = { ip: '2001:db8::1' };

    expect(auditContextFromEvent(event, NOW).sourceIp).toBe('2001:db8::1');
  });

  it('ignores a source IP that is not an IP address', () => {
    const event = getTestEvent<AuditSourceEvent>('post-auth/authentication');
    event.request.clientMetadata = { sourceIp: '<script>alert(1)</script>' };

    expect(auditContextFromEvent(event, NOW).sourceIp).toBeUndefined();
  });

  it('builds a context for every fixture Cognito sends, including the machine flow', () => {
    const triggers = ['pre-signup/', 'post-auth/', 'custom-challenge/', 'pre-token-generation/'];
    for (const name of triggers.flatMap((prefix) => listTestEvents(prefix))) {
      const ctx = context(name);
      expect(ctx.clientId, name).toMatch(/\w+/);
      expect(ctx.triggerSource, name).toMatch(/_/);
    }
  });
});

describe('audit event builders', () => {
  it('fill every required OCSF field with consistent ids', () => {
    // Prepare
    const ctx = context('post-auth/new-device');

    // Act
    const events = everyKind(ctx);

    // Assess
    for (const event of events) {
      const kind = event.metadata.log_name;
      expect(event.category_uid, kind).toBe(3);
      expect([3001, 3002], kind).toContain(event.class_uid);
      expect(event.type_uid, kind).toBe(event.class_uid * 100 + event.activity_id);
      expect(event.time, kind).toBe(NOW);
      expect([1, 2, 3, 4], kind).toContain(event.severity_id);
      expect([1, 2], kind).toContain(event.status_id);
      expect(event.status_detail, kind).not.toBe('');
      expect(event.metadata.version, kind).toBe(OCSF_VERSION);
      expect(event.metadata.product.name, kind).toBe('Authwatch');
      expect(event.metadata.uid, kind).toMatch(/^[0-9a-f-]{36}$/);
      expect(event.service, kind).toEqual({ name: 'Amazon Cognito', uid: 'us-east-1_EXAMPLE1a' });
      expect(event.user.name, kind).toBe('a1b2c3d4-5678-90ab-cdef-EXAMPLE11111');
      expect(event.user.uid, kind).toBe('a1b2c3d4-5678-90ab-cdef-EXAMPLE11111');
      expect(event.unmapped.clientId, kind).toBe('1example23456789abcdefghij');
      expect(event.unmapped.triggerSource, kind).toBe('PostAuthentication_Authentication');
    }
  });

  it('use Account Change for sign-up and Authentication for everything else', () => {
    const events = everyKind(context('post-auth/new-device'));

    expect(events.map((event) => [event.metadata.log_name, event.type_uid])).toEqual([
      ['sign-up-allowed', 300101],
      ['sign-up-denied', 300101],
      ['logon-succeeded', 300201],
      ['challenge-issued', 300299],
      ['challenge-failed', 300201],
      ['challenge-locked-out', 300201],
      ['challenge-passed', 300299],
      ['tokens-issued', 300203],
    ]);
  });

  it('mark denials, wrong answers and lockouts as failures, lockouts as high severity', () => {
    const events = everyKind(context('post-auth/new-device'));
    const failures = events.filter((event) => event.status_id === 2);

    expect(failures.map((event) => event.metadata.log_name)).toEqual([
      'sign-up-denied',
      'challenge-failed',
      'challenge-locked-out',
    ]);
    expect(events.find((e) => e.metadata.log_name === 'challenge-locked-out')?.severity_id).toBe(4);
    expect(events[1]?.status_detail).toBe('email domain is not allowed');
  });

  it('give every event a different id', () => {
    const ctx = context('post-auth/authentication');
    const ids = new Set<string>();

    for (let i = 0; i < 200; i += 1) {
      for (const event of everyKind(ctx)) ids.add(event.metadata.uid);
    }

    expect(ids.size).toBe(200 * 8);
  });

  it('record a new device and MFA on a successful sign-in', () => {
    const event = logonSucceeded(context('post-auth/new-device'), { newDevice: true, mfa: true });

    expect(event.is_new_logon).toBe(true);
    expect(event.is_mfa).toBe(true);
    expect(event.severity_id).toBe(2);
  });

  it('carry the source IP when the app passed one', () => {
    const event = signUpAllowed(context('pre-signup/sign-up'), { autoConfirmed: false });

    expect(event.src_endpoint).toEqual({ ip: '203.0.113.10' });
  });

  it('leave the email out when the context was built without it', () => {
    const ctx = context('post-auth/new-device', { includeEmail: false });

    for (const event of everyKind(ctx)) {
      expect(JSON.stringify(event)).not.toContain('user.one@example.com');
    }
  });

  it('never copy the OTP of a challenge event into the audit event', () => {
    const ctx = context('custom-challenge/verify');

    for (const event of everyKind(ctx)) {
      expect(JSON.stringify(event)).not.toContain('123456');
    }
  });

  it('name the app client as a service principal in the client-credentials flow', () => {
    const ctx = context('pre-token-generation/v3/client-credentials');
    const event = tokensIssued(ctx, {
      matchedRules: [],
      claimsAdded: [],
      claimsSuppressed: [],
      scopesAdded: ['api/read'],
      scopesSuppressed: [],
      tokenVersion: 'V3_0',
    });

    expect(event.user).toEqual({ name: '2machine3456789abcdefghijk', type: 'Service' });
    expect(event.unmapped.scopesAdded).toEqual(['api/read']);
  });
});
