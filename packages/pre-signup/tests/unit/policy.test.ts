import { describe, expect, it } from 'vitest';
import { PRE_SIGNUP_ENV } from '../../src/config.js';
import {
  DENIAL_MESSAGES,
  DENIAL_REASONS,
  evaluatePolicy,
  inviteCodeMatches,
  parseFederatedUserName,
  sha256,
} from '../../src/policy.js';
import { config, preSignUpEvent, sha256Hex, withEmail } from '../helpers.js';

const ALL_OFF = { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };

describe('email domain rules', () => {
  it('allows any ordinary domain when no list is configured', () => {
    expect(evaluatePolicy(preSignUpEvent('sign-up'), config())).toEqual({
      allowed: true,
      response: ALL_OFF,
    });
  });

  it('denies sign-up from a domain on the deny list, its subdomains included', () => {
    const policy = config({ [PRE_SIGNUP_ENV.denyDomains]: 'example.com' });
    for (const email of ['user@example.com', 'user@mail.example.com', 'USER@EXAMPLE.COM']) {
      expect(evaluatePolicy(preSignUpEvent('sign-up', withEmail(email)), policy)).toEqual({
        allowed: false,
        reason: 'domain-denied',
      });
    }
  });

  it('does not treat a look-alike domain as a subdomain', () => {
    const policy = config({ [PRE_SIGNUP_ENV.denyDomains]: 'example.com' });
    const decision = evaluatePolicy(
      preSignUpEvent('sign-up', withEmail('j@badexample.com')),
      policy,
    );
    expect(decision.allowed).toBe(true);
  });

  it('allows only domains on the allow list when one is set', () => {
    const policy = config({ [PRE_SIGNUP_ENV.allowDomains]: 'corp.example' });
    expect(
      evaluatePolicy(preSignUpEvent('sign-up', withEmail('j@eu.corp.example')), policy).allowed,
    ).toBe(true);
    expect(evaluatePolicy(preSignUpEvent('sign-up', withEmail('j@example.com')), policy)).toEqual({
      allowed: false,
      reason: 'domain-not-allowed',
    });
  });

  it('lets the deny list win over the allow list', () => {
    const policy = config({
      [PRE_SIGNUP_ENV.allowDomains]: 'example.com',
      [PRE_SIGNUP_ENV.denyDomains]: 'contractors.example.com',
    });
    expect(
      evaluatePolicy(preSignUpEvent('sign-up', withEmail('j@x.contractors.example.com')), policy),
    ).toEqual({ allowed: false, reason: 'domain-denied' });
    expect(
      evaluatePolicy(preSignUpEvent('sign-up', withEmail('j@staff.example.com')), policy).allowed,
    ).toBe(true);
  });

  it('denies a disposable email domain from the bundled list and its subdomains', () => {
    for (const email of ['x@mailinator.com', 'x@eu.yopmail.com', 'x@GUERRILLAMAIL.COM']) {
      expect(evaluatePolicy(preSignUpEvent('sign-up', withEmail(email)), config())).toEqual({
        allowed: false,
        reason: 'disposable-domain',
      });
    }
  });

  it('denies a disposable domain added through the environment', () => {
    const policy = config({ [PRE_SIGNUP_ENV.extraDisposableDomains]: 'burner.example' });
    expect(
      evaluatePolicy(preSignUpEvent('sign-up', withEmail('x@burner.example')), policy),
    ).toEqual({ allowed: false, reason: 'disposable-domain' });
  });

  it('lets an explicitly allowed domain override the disposable list', () => {
    const policy = config({ [PRE_SIGNUP_ENV.allowDomains]: 'mailinator.com' });
    expect(
      evaluatePolicy(preSignUpEvent('sign-up', withEmail('qa@mailinator.com')), policy).allowed,
    ).toBe(true);
  });

  it('accepts disposable domains when blocking is off', () => {
    const policy = config({ [PRE_SIGNUP_ENV.blockDisposable]: 'false' });
    expect(
      evaluatePolicy(preSignUpEvent('sign-up', withEmail('x@mailinator.com')), policy).allowed,
    ).toBe(true);
  });

  it('denies an email without a valid domain', () => {
    expect(
      evaluatePolicy(preSignUpEvent('sign-up', withEmail('user@exa_mple.com')), config()),
    ).toEqual({ allowed: false, reason: 'invalid-email' });
  });

  it('allows a phone-only sign-up when no allow list is set', () => {
    expect(evaluatePolicy(preSignUpEvent('sign-up-phone-only'), config()).allowed).toBe(true);
  });

  it('requires an email when an allow list is set', () => {
    const policy = config({ [PRE_SIGNUP_ENV.allowDomains]: 'example.com' });
    expect(evaluatePolicy(preSignUpEvent('sign-up-phone-only'), policy)).toEqual({
      allowed: false,
      reason: 'email-required',
    });
  });

  it('treats an empty email attribute as no email', () => {
    const event = preSignUpEvent('sign-up', withEmail(''));
    expect(evaluatePolicy(event, config()).allowed).toBe(true);
  });
});

describe('invite code', () => {
  const policy = config({ [PRE_SIGNUP_ENV.inviteCodeSha256]: sha256Hex('WELCOME-2026') });

  it('allows a self sign-up with a valid invite code', () => {
    expect(evaluatePolicy(preSignUpEvent('sign-up'), policy).allowed).toBe(true);
  });

  it('denies a self sign-up with a wrong invite code', () => {
    const event = preSignUpEvent('sign-up', (raw) => {
      raw.request.validationData = { inviteCode: 'WELCOME-2025' };
    });
    expect(evaluatePolicy(event, policy)).toEqual({
      allowed: false,
      reason: 'invite-code-invalid',
    });
  });

  it.each([
    ['null validation data', null],
    ['no code', {}],
    ['an empty code', { inviteCode: '' }],
  ])('denies a self sign-up with %s', (_label, validationData) => {
    const event = preSignUpEvent('sign-up', (raw) => {
      raw.request.validationData = validationData;
    });
    expect(evaluatePolicy(event, policy)).toEqual({
      allowed: false,
      reason: 'invite-code-missing',
    });
  });

  it('accepts any of several configured codes (rotation)', () => {
    const rotated = config({
      [PRE_SIGNUP_ENV.inviteCodeSha256]: `${sha256Hex('OLD')},${sha256Hex('WELCOME-2026')}`,
    });
    expect(evaluatePolicy(preSignUpEvent('sign-up'), rotated).allowed).toBe(true);
  });

  it('is not asked of admin-created or federated users', () => {
    expect(evaluatePolicy(preSignUpEvent('admin-create-user'), policy).allowed).toBe(true);
    expect(evaluatePolicy(preSignUpEvent('external-provider'), policy).allowed).toBe(true);
  });

  it('checks the domain before the code', () => {
    const both = config({
      [PRE_SIGNUP_ENV.inviteCodeSha256]: sha256Hex('x'),
      [PRE_SIGNUP_ENV.denyDomains]: 'example.com',
    });
    expect(evaluatePolicy(preSignUpEvent('sign-up'), both)).toEqual({
      allowed: false,
      reason: 'domain-denied',
    });
  });

  it('compares hashes, matching exactly one code', () => {
    const hashes = [sha256('WELCOME-2026')];
    expect(inviteCodeMatches('WELCOME-2026', hashes)).toBe(true);
    expect(inviteCodeMatches('welcome-2026', hashes)).toBe(false);
    expect(inviteCodeMatches('WELCOME-2026 ', hashes)).toBe(false);
    expect(inviteCodeMatches('WELCOME-2026', [])).toBe(false);
  });
});

describe('PreSignUp_SignUp flags', () => {
  it('auto-confirms and auto-verifies as configured', () => {
    const policy = config({
      [PRE_SIGNUP_ENV.autoConfirm]: 'SignUp',
      [PRE_SIGNUP_ENV.autoVerifyEmail]: 'SignUp',
      [PRE_SIGNUP_ENV.autoVerifyPhone]: 'SignUp',
    });
    expect(evaluatePolicy(preSignUpEvent('sign-up'), policy)).toEqual({
      allowed: true,
      response: { autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: true },
    });
  });

  it('never auto-verifies an email the user did not give', () => {
    const policy = config({
      [PRE_SIGNUP_ENV.autoConfirm]: 'SignUp',
      [PRE_SIGNUP_ENV.autoVerifyEmail]: 'SignUp',
      [PRE_SIGNUP_ENV.autoVerifyPhone]: 'SignUp',
    });
    expect(evaluatePolicy(preSignUpEvent('sign-up-phone-only'), policy)).toEqual({
      allowed: true,
      response: { autoConfirmUser: true, autoVerifyEmail: false, autoVerifyPhone: true },
    });
  });

  it('never auto-verifies a phone number the user did not give', () => {
    const policy = config({ [PRE_SIGNUP_ENV.autoVerifyPhone]: 'SignUp' });
    const event = preSignUpEvent('sign-up', (raw) => {
      delete raw.request.userAttributes.phone_number;
    });
    expect(evaluatePolicy(event, policy)).toEqual({ allowed: true, response: ALL_OFF });
  });

  it('leaves every flag false by default', () => {
    expect(evaluatePolicy(preSignUpEvent('sign-up'), config())).toEqual({
      allowed: true,
      response: ALL_OFF,
    });
  });
});

describe('PreSignUp_AdminCreateUser', () => {
  const everything = {
    [PRE_SIGNUP_ENV.autoConfirm]: 'SignUp,ExternalProvider',
    [PRE_SIGNUP_ENV.autoVerifyEmail]: 'SignUp,ExternalProvider',
    [PRE_SIGNUP_ENV.autoVerifyPhone]: 'SignUp,ExternalProvider',
  };

  it('leaves the flags false, which Cognito ignores for admin-created users', () => {
    expect(evaluatePolicy(preSignUpEvent('admin-create-user'), config(everything))).toEqual({
      allowed: true,
      response: ALL_OFF,
    });
  });

  it('trusts the admin over the domain lists by default', () => {
    const policy = config({ [PRE_SIGNUP_ENV.denyDomains]: 'example.com' });
    expect(evaluatePolicy(preSignUpEvent('admin-create-user'), policy).allowed).toBe(true);
  });

  it('applies the domain lists when configured to', () => {
    const policy = config({
      [PRE_SIGNUP_ENV.denyDomains]: 'example.com',
      [PRE_SIGNUP_ENV.checkAdminCreated]: 'true',
    });
    expect(evaluatePolicy(preSignUpEvent('admin-create-user'), policy)).toEqual({
      allowed: false,
      reason: 'domain-denied',
    });
  });
});

describe('PreSignUp_ExternalProvider', () => {
  it('auto-confirms and verifies the email the IdP verified, naming the identity', () => {
    expect(evaluatePolicy(preSignUpEvent('external-provider'), config())).toEqual({
      allowed: true,
      response: { autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false },
      federated: {
        providerName: 'Google',
        providerUserId: '104811224458935764153',
        email: 'user.one@example.com',
        emailVerified: true,
      },
    });
  });

  it('does not verify an email the IdP says is unverified', () => {
    const decision = evaluatePolicy(preSignUpEvent('external-provider-unverified-email'), config());
    expect(decision).toMatchObject({
      allowed: true,
      response: { autoConfirmUser: true, autoVerifyEmail: false },
      federated: { providerName: 'Facebook', emailVerified: false },
    });
  });

  it('treats a trusted provider’s email as verified without email_verified', () => {
    const untrusted = evaluatePolicy(preSignUpEvent('external-provider-saml'), config());
    const trusted = evaluatePolicy(
      preSignUpEvent('external-provider-saml'),
      config({ [PRE_SIGNUP_ENV.trustedEmailProviders]: 'corpadfs' }),
    );
    expect(untrusted).toMatchObject({ response: { autoVerifyEmail: false } });
    expect(trusted).toMatchObject({
      response: { autoVerifyEmail: true },
      federated: { providerName: 'CorpADFS', providerUserId: 'user.one@corp.example.com' },
    });
  });

  it('verifies the phone number only when configured and verified by the IdP', () => {
    const policy = config({ [PRE_SIGNUP_ENV.autoVerifyPhone]: 'ExternalProvider' });
    const verified = preSignUpEvent('external-provider', (raw) => {
      raw.request.userAttributes.phone_number = '+14155550100';
      raw.request.userAttributes.phone_number_verified = 'true';
    });
    const unverified = preSignUpEvent('external-provider', (raw) => {
      raw.request.userAttributes.phone_number = '+14155550100';
    });
    expect(evaluatePolicy(verified, policy)).toMatchObject({ response: { autoVerifyPhone: true } });
    expect(evaluatePolicy(unverified, policy)).toMatchObject({
      response: { autoVerifyPhone: false },
    });
  });

  it('does not auto-confirm when ExternalProvider is not configured', () => {
    const policy = config({ [PRE_SIGNUP_ENV.autoConfirm]: 'SignUp' });
    expect(evaluatePolicy(preSignUpEvent('external-provider'), policy)).toMatchObject({
      response: { autoConfirmUser: false },
    });
  });

  it('applies the domain lists to federated sign-ups', () => {
    const policy = config({ [PRE_SIGNUP_ENV.denyDomains]: 'example.com' });
    expect(evaluatePolicy(preSignUpEvent('external-provider'), policy)).toEqual({
      allowed: false,
      reason: 'domain-denied',
    });
  });

  it('allows but does not offer a link for a user name without a provider prefix', () => {
    const event = preSignUpEvent('external-provider', (raw) => {
      raw.userName = 'noprefix';
    });
    const decision = evaluatePolicy(event, config());
    expect(decision.allowed).toBe(true);
    expect(decision).not.toHaveProperty('federated');
  });
});

describe('parseFederatedUserName', () => {
  it.each([
    ['Google_1048', 'Google', '1048'],
    ['google_1048', 'Google', '1048'],
    ['FACEBOOK_1', 'Facebook', '1'],
    ['loginwithamazon_amzn1.account.X', 'LoginWithAmazon', 'amzn1.account.X'],
    ['SignInWithApple_000.abc', 'SignInWithApple', '000.abc'],
    ['CorpADFS_user_one@corp.example', 'CorpADFS', 'user_one@corp.example'],
  ])('splits %j into %j and %j', (userName, providerName, providerUserId) => {
    expect(parseFederatedUserName(userName)).toEqual({ providerName, providerUserId });
  });

  it.each(['', 'nounderscore', '_123', 'Google_'])('refuses %j', (userName) => {
    expect(parseFederatedUserName(userName)).toBeUndefined();
  });
});

describe('denial messages', () => {
  it('read after Cognito’s prefix: lower case, no full stop, no email', () => {
    for (const reason of DENIAL_REASONS) {
      const message = DENIAL_MESSAGES[reason];
      expect(message, reason).toMatch(/^[a-z]/);
      expect(message, reason).not.toMatch(/[.!]$/);
      expect(message, reason).not.toContain('@');
    }
    expect(`PreSignUp failed with error ${DENIAL_MESSAGES['domain-denied']}.`).toBe(
      'PreSignUp failed with error sign-up with this email domain is not allowed.',
    );
  });
});
