import { ConfigError } from '@authwatch/kit';
import { describe, expect, it } from 'vitest';
import { loadConfig, POST_AUTH_ENV } from '../../src/config.js';
import { DEFAULT_NEW_DEVICE_MAIL } from '../../src/templates.js';
import { MAIL_ENV } from '../helpers.js';

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
  it('uses the default templates with the configured sender', () => {
    const config = loadConfig(MAIL_ENV);
    expect(config.mail).toEqual({
      from: 'Example Security <security@example.com>',
      template: DEFAULT_NEW_DEVICE_MAIL,
      appName: 'Example',
      timeoutMs: 1_500,
    });
  });

  it('needs no sender when the mail is off', () => {
    expect(loadConfig({ [POST_AUTH_ENV.newDeviceMail]: 'false' })).toEqual({ mail: undefined });
  });

  it('requires a sender when the mail is on', () => {
    expect(configError({}).variable).toBe(POST_AUTH_ENV.mailFrom);
  });

  it('reads template overrides, turning a written \\n into a newline', () => {
    const config = loadConfig({
      ...MAIL_ENV,
      [POST_AUTH_ENV.mailSubject]: '{{appName}}: new device',
      [POST_AUTH_ENV.mailText]:
        'Hi {{name}},\\nnew sign-in at {{time}} from {{sourceIp}}. {{supportUrl}}',
      [POST_AUTH_ENV.mailHtml]: '<p>Hi {{ name }}</p>',
      [POST_AUTH_ENV.supportUrl]: 'https://help.example.com',
      [POST_AUTH_ENV.configurationSet]: 'authwatch-mail',
      [POST_AUTH_ENV.mailTimeoutMs]: '900',
    });
    expect(config.mail).toMatchObject({
      template: {
        subject: '{{appName}}: new device',
        text: 'Hi {{name}},\nnew sign-in at {{time}} from {{sourceIp}}. {{supportUrl}}',
        html: '<p>Hi {{ name }}</p>',
      },
      supportUrl: 'https://help.example.com',
      configurationSet: 'authwatch-mail',
      timeoutMs: 900,
    });
  });

  it.each([
    [POST_AUTH_ENV.mailSubject, 'Hi {{password}}'],
    [POST_AUTH_ENV.mailText, 'Your code is {{code}}'],
    [POST_AUTH_ENV.mailHtml, '<p>{{email}}</p>'],
    [POST_AUTH_ENV.mailText, 'Help: {{supportUrl}}'],
  ])('refuses %s with an unknown placeholder', (variable, value) => {
    const error = configError({ ...MAIL_ENV, [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(/uses \{\{\w+\}\}, which is not one of/);
  });

  it.each([
    [POST_AUTH_ENV.mailFrom, 'not-an-address'],
    [POST_AUTH_ENV.mailFrom, 'Name <not-an-address>'],
    [POST_AUTH_ENV.mailFrom, 'a@b.com, c@d.com'],
    [POST_AUTH_ENV.configurationSet, 'has spaces'],
    [POST_AUTH_ENV.supportUrl, 'javascript:alert(1)'],
    [POST_AUTH_ENV.mailTimeoutMs, '5'],
    [POST_AUTH_ENV.newDeviceMail, 'sometimes'],
  ])('names %s when its value is bad', (variable, value) => {
    expect(configError({ ...MAIL_ENV, [variable]: value }).variable).toBe(variable);
  });

  it('accepts a bare sender address', () => {
    expect(loadConfig({ [POST_AUTH_ENV.mailFrom]: 'noreply@example.com' }).mail?.from).toBe(
      'noreply@example.com',
    );
  });
});
