import { ConfigError } from '@authwatch/kit';
import { describe, expect, it } from 'vitest';
import { loadConfig, PRE_SIGNUP_ENV } from '../../src/config.js';
import { DISPOSABLE_DOMAINS } from '../../src/disposable-domains.js';
import { normalizeDomain } from '../../src/domains.js';

const HASH = 'a'.repeat(64);

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has safe defaults when nothing is set', () => {
    // Act
    const config = loadConfig({});
    // Assess
    expect(config.allowDomains.size).toBe(0);
    expect(config.denyDomains.size).toBe(0);
    expect(config.disposableDomains?.has('mailinator.com')).toBe(true);
    expect(config.inviteCodeHashes).toEqual([]);
    expect(config.checkAdminCreated).toBe(false);
    expect([...config.autoConfirm]).toEqual(['ExternalProvider']);
    expect([...config.autoVerifyEmail]).toEqual(['ExternalProvider']);
    expect([...config.autoVerifyPhone]).toEqual([]);
    expect(config.linkFederated).toBe('link');
    expect(config.requestTimeoutMs).toBe(1_000);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      [PRE_SIGNUP_ENV.allowDomains]: 'Example.com, *.corp.example',
      [PRE_SIGNUP_ENV.denyDomains]: 'bad.example.com',
      [PRE_SIGNUP_ENV.blockDisposable]: 'true',
      [PRE_SIGNUP_ENV.extraDisposableDomains]: 'throwaway.example',
      [PRE_SIGNUP_ENV.inviteCodeSha256]: `${HASH}, ${'B'.repeat(64)}`,
      [PRE_SIGNUP_ENV.checkAdminCreated]: 'yes',
      [PRE_SIGNUP_ENV.autoConfirm]: 'signup,ExternalProvider',
      [PRE_SIGNUP_ENV.autoVerifyEmail]: 'SignUp',
      [PRE_SIGNUP_ENV.autoVerifyPhone]: 'SignUp',
      [PRE_SIGNUP_ENV.linkFederated]: 'deny',
      [PRE_SIGNUP_ENV.trustedEmailProviders]: 'CorpADFS',
      [PRE_SIGNUP_ENV.requestTimeoutMs]: '800',
    });
    expect(config.allowDomains.has('mail.example.com')).toBe(true);
    expect(config.allowDomains.has('x.corp.example')).toBe(true);
    expect(config.denyDomains.has('bad.example.com')).toBe(true);
    expect(config.disposableDomains?.has('a.throwaway.example')).toBe(true);
    expect(config.inviteCodeHashes.map((hash) => hash.toString('hex'))).toEqual([
      HASH,
      'b'.repeat(64),
    ]);
    expect(config.checkAdminCreated).toBe(true);
    expect([...config.autoConfirm]).toEqual(['SignUp', 'ExternalProvider']);
    expect([...config.autoVerifyEmail]).toEqual(['SignUp']);
    expect([...config.autoVerifyPhone]).toEqual(['SignUp']);
    expect(config.linkFederated).toBe('deny');
    expect(config.trustedEmailProviders.has('corpadfs')).toBe(true);
    expect(config.requestTimeoutMs).toBe(800);
  });

  it('takes none as an explicitly empty list of sources', () => {
    const config = loadConfig({
      [PRE_SIGNUP_ENV.autoConfirm]: 'none',
      [PRE_SIGNUP_ENV.autoVerifyEmail]: 'NONE',
    });
    expect(config.autoConfirm.size).toBe(0);
    expect(config.autoVerifyEmail.size).toBe(0);
  });

  it('stops blocking disposable domains when told to', () => {
    expect(loadConfig({ [PRE_SIGNUP_ENV.blockDisposable]: 'false' }).disposableDomains).toBe(
      undefined,
    );
  });

  it.each([
    [PRE_SIGNUP_ENV.allowDomains, 'example.com, not a domain'],
    [PRE_SIGNUP_ENV.denyDomains, 'bad_domain.com'],
    [PRE_SIGNUP_ENV.extraDisposableDomains, '@example.com'],
    [PRE_SIGNUP_ENV.inviteCodeSha256, 'WELCOME-2026'],
    [PRE_SIGNUP_ENV.inviteCodeSha256, 'a'.repeat(63)],
    [PRE_SIGNUP_ENV.blockDisposable, 'maybe'],
    [PRE_SIGNUP_ENV.checkAdminCreated, 'sometimes'],
    [PRE_SIGNUP_ENV.autoConfirm, 'Everything'],
    [PRE_SIGNUP_ENV.autoVerifyEmail, 'AdminCreateUser'],
    [PRE_SIGNUP_ENV.autoVerifyPhone, 'PreSignUp_SignUp'],
    [PRE_SIGNUP_ENV.linkFederated, 'merge'],
    [PRE_SIGNUP_ENV.requestTimeoutMs, '10'],
  ])('names %s when its value is bad', (variable, value) => {
    expect(configError({ [variable]: value }).variable).toBe(variable);
  });

  it('does not repeat an invite hash it refuses', () => {
    const error = configError({ [PRE_SIGNUP_ENV.inviteCodeSha256]: 'secret-code' });
    expect(error.message).not.toContain('secret-code');
  });
});

describe('the bundled disposable list', () => {
  it('holds a few hundred normalised, unique domains', () => {
    expect(DISPOSABLE_DOMAINS.length).toBeGreaterThan(300);
    expect(new Set(DISPOSABLE_DOMAINS).size).toBe(DISPOSABLE_DOMAINS.length);
    for (const domain of DISPOSABLE_DOMAINS) expect(normalizeDomain(domain)).toBe(domain);
  });

  it('holds no mainstream mail provider', () => {
    for (const domain of ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me']) {
      expect(DISPOSABLE_DOMAINS).not.toContain(domain);
    }
  });
});
