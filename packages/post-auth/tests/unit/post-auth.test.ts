import { describe, expect, it } from 'vitest';
import { POST_AUTH_ENV } from '../../src/config.js';
import { authMethodOf, formatTime, mfaOf, planPostAuth } from '../../src/post-auth.js';
import { config, NOW, postAuthEvent } from '../helpers.js';

describe('planPostAuth', () => {
  it('records a successful logon from a known device, with no mail', () => {
    // Act
    const plan = planPostAuth(postAuthEvent('authentication'), config(), NOW);
    // Assess
    expect(plan.mail).toBeUndefined();
    expect(plan.mailSkipped).toBeUndefined();
    expect(plan.audit).toHaveLength(1);
    expect(plan.audit[0]).toMatchObject({
      metadata: { log_name: 'logon-succeeded', event_code: 'PostAuthentication_Authentication' },
      is_new_logon: false,
      status: 'Success',
      time: NOW,
      unmapped: { clientId: '1example23456789abcdefghij' },
      src_endpoint: { ip: '203.0.113.10' },
      user: { uid: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' },
    });
    expect(plan.audit[0]).not.toHaveProperty('is_mfa');
    expect(plan.audit[0]?.user.email_addr).toBeUndefined();
  });

  it('records the client’s MFA and method hints when it sends them', () => {
    const plan = planPostAuth(postAuthEvent('new-device-with-metadata'), config(), NOW);
    expect(plan.audit[0]).toMatchObject({
      is_new_logon: true,
      is_mfa: true,
      auth_protocol: 'custom-email-otp',
      src_endpoint: { ip: '198.51.100.7' },
    });
  });

  it('keeps the email in the audit context only when told to', () => {
    const plan = planPostAuth(postAuthEvent('authentication'), config(), NOW, {
      includeEmail: true,
    });
    expect(plan.audit[0]?.user.email_addr).toBe('user.one@example.com');
  });

  it('renders the new-device mail to the verified address', () => {
    // Act
    const plan = planPostAuth(postAuthEvent('new-device-with-metadata'), config(), NOW);
    // Assess
    expect(plan.mail).toEqual({
      from: 'Example Security <security@example.com>',
      to: 'user.one@example.com',
      subject: 'New sign-in to your Example account',
      text: expect.stringContaining('Hello User,'),
      html: expect.stringContaining('<p>Hello User,</p>'),
    });
    expect(plan.mail?.text).toContain('When: 2026-11-23 21:42 UTC');
    expect(plan.mail?.text).toContain('IP address: 198.51.100.7');
    expect(plan.mail?.html).toContain('<td>198.51.100.7</td>');
  });

  it('says the IP is unknown when the client sent none', () => {
    const plan = planPostAuth(postAuthEvent('new-device'), config(), NOW);
    expect(plan.mail?.text).toContain('IP address: unknown');
  });

  it('escapes user attributes in the HTML part', () => {
    const event = postAuthEvent('new-device', (raw) => {
      raw.request.userAttributes.given_name = '<img src=x onerror=alert(1)>';
    });
    const plan = planPostAuth(event, config(), NOW);
    expect(plan.mail?.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(plan.mail?.html).not.toContain('<img');
  });

  it('greets with the name, then "there", when no given name is set', () => {
    const named = postAuthEvent('new-device', (raw) => {
      delete raw.request.userAttributes.given_name;
      raw.request.userAttributes.name = 'J. Doe';
    });
    const anonymous = postAuthEvent('new-device', (raw) => {
      delete raw.request.userAttributes.given_name;
    });
    expect(planPostAuth(named, config(), NOW).mail?.text).toContain('Hello J. Doe,');
    expect(planPostAuth(anonymous, config(), NOW).mail?.text).toContain('Hello there,');
  });

  it('adds the configuration set and support URL when configured', () => {
    const plan = planPostAuth(
      postAuthEvent('new-device'),
      config({
        [POST_AUTH_ENV.configurationSet]: 'authwatch',
        [POST_AUTH_ENV.supportUrl]: 'https://help.example.com',
        [POST_AUTH_ENV.mailText]: 'Help: {{supportUrl}}',
      }),
      NOW,
    );
    expect(plan.mail).toMatchObject({
      configurationSet: 'authwatch',
      text: 'Help: https://help.example.com',
    });
  });

  it('sends no mail to an unverified address', () => {
    const plan = planPostAuth(postAuthEvent('new-device-unverified-email'), config(), NOW);
    expect(plan.mail).toBeUndefined();
    expect(plan.mailSkipped).toBe('no-verified-email');
    expect(plan.audit[0]).toMatchObject({ is_new_logon: true });
  });

  it('sends no mail when the mail is off', () => {
    const plan = planPostAuth(
      postAuthEvent('new-device'),
      config({ [POST_AUTH_ENV.newDeviceMail]: 'false' }),
      NOW,
    );
    expect(plan).toMatchObject({ mailSkipped: 'mail-off' });
    expect(plan.mail).toBeUndefined();
  });
});

describe('client hints', () => {
  it.each([
    [{ authMethod: 'srp' }, 'srp'],
    [{ authMethod: ' passkey ' }, 'passkey'],
    [{ authMethod: 'a b' }, undefined],
    [{ authMethod: '<script>' }, undefined],
    [{ authMethod: 'x'.repeat(41) }, undefined],
    [{}, undefined],
  ])('reads authMethod from %j as %j', (metadata, expected) => {
    expect(authMethodOf(metadata)).toBe(expected);
  });

  it.each([
    [{ mfa: 'true' }, true],
    [{ mfa: 'FALSE' }, false],
    [{ mfa: 'yes' }, undefined],
    [{}, undefined],
  ])('reads mfa from %j as %j', (metadata, expected) => {
    expect(mfaOf(metadata)).toBe(expected);
  });

  it('formats the time in UTC to the minute', () => {
    expect(formatTime(NOW)).toBe('2026-11-23 21:42 UTC');
  });
});
