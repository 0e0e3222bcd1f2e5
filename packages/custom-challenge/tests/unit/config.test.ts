import { ConfigError } from '@authwatch/kit';
import { describe, expect, it } from 'vitest';
import { CUSTOM_CHALLENGE_ENV, loadChallengeConfig, loadMailConfig } from '../../src/config.js';

const MAIL_ENV = { [CUSTOM_CHALLENGE_ENV.mailFrom]: 'no-reply@example.com' };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadChallengeConfig', () => {
  it('defaults to passwordless, 3 attempts, 6 digits, 180 seconds', () => {
    expect(loadChallengeConfig({})).toEqual({
      mode: 'passwordless',
      maxAttempts: 3,
      codeLength: 6,
      codeTtlSeconds: 180,
    });
  });

  it('reads every setting', () => {
    expect(
      loadChallengeConfig({
        [CUSTOM_CHALLENGE_ENV.mode]: 'password-then-otp',
        [CUSTOM_CHALLENGE_ENV.maxAttempts]: '5',
        [CUSTOM_CHALLENGE_ENV.codeLength]: '8',
        [CUSTOM_CHALLENGE_ENV.codeTtlSeconds]: '300',
      }),
    ).toEqual({ mode: 'password-then-otp', maxAttempts: 5, codeLength: 8, codeTtlSeconds: 300 });
  });

  it.each([
    [CUSTOM_CHALLENGE_ENV.mode, 'sms'],
    [CUSTOM_CHALLENGE_ENV.maxAttempts, '0'],
    [CUSTOM_CHALLENGE_ENV.codeLength, '5'],
    [CUSTOM_CHALLENGE_ENV.codeLength, '9'],
    [CUSTOM_CHALLENGE_ENV.codeTtlSeconds, '10'],
    [CUSTOM_CHALLENGE_ENV.codeTtlSeconds, 'three minutes'],
  ])('names %s when it holds %s', (name, value) => {
    expect(errorOf(() => loadChallengeConfig({ [name]: value })).variable).toBe(name);
  });
});

describe('loadMailConfig', () => {
  it('requires a sender and has English and German templates', () => {
    expect(errorOf(() => loadMailConfig({})).variable).toBe(CUSTOM_CHALLENGE_ENV.mailFrom);
    const config = loadMailConfig(MAIL_ENV);
    expect(Object.keys(config.templates).sort()).toEqual(['de', 'en']);
    expect(config.defaultLocale).toBe('en');
    expect(config.sesTimeoutMs).toBe(1_500);
  });

  it('merges template overrides over the built-in ones and adds new locales', () => {
    const config = loadMailConfig({
      ...MAIL_ENV,
      [CUSTOM_CHALLENGE_ENV.mailTemplates]: JSON.stringify({
        en: { subject: 'Your Acme code' },
        fr: { subject: 'Votre code', text: 'Code : {{code}} ({{minutes}} min)' },
      }),
      [CUSTOM_CHALLENGE_ENV.defaultLocale]: 'FR',
      [CUSTOM_CHALLENGE_ENV.mailConfigurationSet]: 'authwatch',
    });
    expect(config.templates.en?.subject).toBe('Your Acme code');
    expect(config.templates.en?.text).toContain('{{code}}');
    expect(config.templates.fr?.text).toBe('Code : {{code}} ({{minutes}} min)');
    expect(config.defaultLocale).toBe('fr');
    expect(config.configurationSet).toBe('authwatch');
  });

  it.each([
    [CUSTOM_CHALLENGE_ENV.mailFrom, 'not an address'],
    [CUSTOM_CHALLENGE_ENV.mailTemplates, '{"en": {"text": "no code here"}}'],
    [CUSTOM_CHALLENGE_ENV.mailTemplates, '{"en": {"text": "{{code}} for {{name}}"}}'],
    [CUSTOM_CHALLENGE_ENV.mailTemplates, '{"en": '],
    [CUSTOM_CHALLENGE_ENV.mailTemplates, '{"../x": {"subject": "x"}}'],
    [CUSTOM_CHALLENGE_ENV.defaultLocale, 'ja'],
    [CUSTOM_CHALLENGE_ENV.sesTimeoutMs, '6000'],
  ])('names %s when it holds %s', (name, value) => {
    expect(errorOf(() => loadMailConfig({ ...MAIL_ENV, [name]: value })).variable).toBe(name);
  });
});
