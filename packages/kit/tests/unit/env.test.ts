import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  ConfigError,
  getBooleanFromEnv,
  getEnumFromEnv,
  getIntFromEnv,
  getJsonFromEnv,
  getListFromEnv,
  getOptionalStringFromEnv,
  getStringFromEnv,
} from '../../src/index.js';

/** Runs `fn` and returns the ConfigError it throws. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('getStringFromEnv', () => {
  it('returns the trimmed value', () => {
    expect(getStringFromEnv('MAIL_FROM', { env: { MAIL_FROM: '  no-reply@example.com \n' } })).toBe(
      'no-reply@example.com',
    );
  });

  it('falls back to the default when unset or blank', () => {
    expect(getStringFromEnv('MAIL_FROM', { env: {}, defaultValue: 'x' })).toBe('x');
    expect(getStringFromEnv('MAIL_FROM', { env: { MAIL_FROM: '   ' }, defaultValue: 'x' })).toBe(
      'x',
    );
  });

  it('says a missing variable is required, naming it', () => {
    const error = configErrorOf(() => getStringFromEnv('MAIL_FROM', { env: {} }));
    expect(error.message).toBe('Environment variable MAIL_FROM is required');
    expect(error.variable).toBe('MAIL_FROM');
    expect(error.name).toBe('ConfigError');
  });

  it('treats a blank value as missing', () => {
    expect(() => getStringFromEnv('MAIL_FROM', { env: { MAIL_FROM: ' \t ' } })).toThrow(
      'Environment variable MAIL_FROM is required',
    );
  });

  it('reads process.env when no env is given', () => {
    process.env.AUTHWATCH_KIT_TEST_VAR = 'from-process';
    try {
      expect(getStringFromEnv('AUTHWATCH_KIT_TEST_VAR')).toBe('from-process');
    } finally {
      delete process.env.AUTHWATCH_KIT_TEST_VAR;
    }
  });

  it('does not mistake inherited object properties for variables', () => {
    expect(() => getStringFromEnv('constructor', { env: {} })).toThrow(
      'Environment variable constructor is required',
    );
    expect(getOptionalStringFromEnv('toString', { env: {} })).toBeUndefined();
  });
});

describe('getOptionalStringFromEnv', () => {
  it('returns the trimmed value, or undefined when unset or blank', () => {
    expect(getOptionalStringFromEnv('REPLY_TO', { env: { REPLY_TO: ' a ' } })).toBe('a');
    expect(getOptionalStringFromEnv('REPLY_TO', { env: { REPLY_TO: '' } })).toBeUndefined();
    expect(getOptionalStringFromEnv('REPLY_TO', { env: {} })).toBeUndefined();
  });
});

describe('getIntFromEnv', () => {
  it.each([
    ['3', 3],
    [' 42 ', 42],
    ['+7', 7],
    ['-2', -2],
  ])('parses %j as %d', (raw, expected) => {
    expect(getIntFromEnv('MAX_ATTEMPTS', { env: { MAX_ATTEMPTS: raw } })).toBe(expected);
  });

  it('uses the default when unset', () => {
    expect(getIntFromEnv('MAX_ATTEMPTS', { env: {}, defaultValue: 3 })).toBe(3);
  });

  it.each([
    ['', 'is required'],
    ['three', 'must be an integer, got "three"'],
    ['3.5', 'must be an integer, got "3.5"'],
    ['1e3', 'must be an integer, got "1e3"'],
    ['0x10', 'must be an integer, got "0x10"'],
    ['99999999999999999999', 'is out of range, got "99999999999999999999"'],
  ])('refuses %j, naming the variable and the problem', (raw, problem) => {
    const error = configErrorOf(() =>
      getIntFromEnv('MAX_ATTEMPTS', { env: { MAX_ATTEMPTS: raw } }),
    );
    expect(error.message).toBe(`Environment variable MAX_ATTEMPTS ${problem}`);
    expect(error.variable).toBe('MAX_ATTEMPTS');
  });

  it('enforces the bounds, naming them', () => {
    const env = { MAX_ATTEMPTS: '11' };
    expect(() => getIntFromEnv('MAX_ATTEMPTS', { env, min: 1, max: 10 })).toThrow(
      'Environment variable MAX_ATTEMPTS must be at most 10, got 11',
    );
    expect(() => getIntFromEnv('MAX_ATTEMPTS', { env: { MAX_ATTEMPTS: '0' }, min: 1 })).toThrow(
      'Environment variable MAX_ATTEMPTS must be at least 1, got 0',
    );
    expect(getIntFromEnv('MAX_ATTEMPTS', { env: { MAX_ATTEMPTS: '10' }, min: 1, max: 10 })).toBe(
      10,
    );
  });
});

describe('getBooleanFromEnv', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['On', true],
    ['false', false],
    ['0', false],
    ['no', false],
    [' OFF ', false],
  ])('reads %j as %s', (raw, expected) => {
    expect(getBooleanFromEnv('INCLUDE_EMAIL', { env: { INCLUDE_EMAIL: raw } })).toBe(expected);
  });

  it('uses the default when unset and requires a value otherwise', () => {
    expect(getBooleanFromEnv('INCLUDE_EMAIL', { env: {}, defaultValue: false })).toBe(false);
    expect(() => getBooleanFromEnv('INCLUDE_EMAIL', { env: {} })).toThrow(
      'Environment variable INCLUDE_EMAIL is required',
    );
  });

  it('refuses anything else, naming the variable and the value', () => {
    expect(() => getBooleanFromEnv('INCLUDE_EMAIL', { env: { INCLUDE_EMAIL: 'maybe' } })).toThrow(
      'Environment variable INCLUDE_EMAIL must be true or false, got "maybe"',
    );
  });
});

describe('getEnumFromEnv', () => {
  const MODES = ['passwordless', 'second-factor'] as const;

  it('returns an allowed value', () => {
    expect(getEnumFromEnv('OTP_MODE', MODES, { env: { OTP_MODE: ' second-factor ' } })).toBe(
      'second-factor',
    );
  });

  it('uses the default when unset', () => {
    expect(getEnumFromEnv('OTP_MODE', MODES, { env: {}, defaultValue: 'passwordless' })).toBe(
      'passwordless',
    );
  });

  it('refuses another value, listing the allowed ones', () => {
    expect(() => getEnumFromEnv('OTP_MODE', MODES, { env: { OTP_MODE: 'Passwordless' } })).toThrow(
      'Environment variable OTP_MODE must be one of passwordless, second-factor, got "Passwordless"',
    );
    expect(() => getEnumFromEnv('OTP_MODE', MODES, { env: {} })).toThrow(
      'Environment variable OTP_MODE is required',
    );
  });
});

describe('getListFromEnv', () => {
  it('splits on commas, trimming and dropping empty items', () => {
    expect(
      getListFromEnv('BLOCKED_DOMAINS', { env: { BLOCKED_DOMAINS: ' a.com, ,b.org,,c.net ' } }),
    ).toEqual(['a.com', 'b.org', 'c.net']);
  });

  it('uses the default when unset and requires a value otherwise', () => {
    expect(getListFromEnv('BLOCKED_DOMAINS', { env: {}, defaultValue: [] })).toEqual([]);
    expect(() => getListFromEnv('BLOCKED_DOMAINS', { env: {} })).toThrow(
      'Environment variable BLOCKED_DOMAINS is required',
    );
  });
});

describe('getJsonFromEnv', () => {
  const Rules = z.object({ claims: z.array(z.object({ name: z.string() })) });

  it('parses and validates the JSON', () => {
    expect(
      getJsonFromEnv('CLAIM_RULES', Rules, {
        env: { CLAIM_RULES: '{"claims":[{"name":"tenant"}]}' },
      }),
    ).toEqual({ claims: [{ name: 'tenant' }] });
  });

  it('uses the default when unset', () => {
    expect(getJsonFromEnv('CLAIM_RULES', Rules, { env: {}, defaultValue: { claims: [] } })).toEqual(
      { claims: [] },
    );
    expect(() => getJsonFromEnv('CLAIM_RULES', Rules, { env: {} })).toThrow(
      'Environment variable CLAIM_RULES is required',
    );
  });

  it('refuses text that is not JSON without repeating the text', () => {
    const error = configErrorOf(() =>
      getJsonFromEnv('CLAIM_RULES', Rules, { env: { CLAIM_RULES: '{"secret": hunter2}' } }),
    );
    expect(error.message).toMatch(/^Environment variable CLAIM_RULES is not valid JSON/);
    expect(error.message).not.toContain('hunter2');
    expect(String(error.cause ?? '')).not.toContain('hunter2');
  });

  it('names the failing path, never the value', () => {
    const error = configErrorOf(() =>
      getJsonFromEnv('CLAIM_RULES', Rules, {
        env: { CLAIM_RULES: '{"claims":[{"name":"ok"},{"name":424242}]}' },
      }),
    );
    expect(error.message).toMatch(
      /^Environment variable CLAIM_RULES does not match its schema at claims\.1\.name: /,
    );
    expect(error.message).not.toContain('424242');
  });
});
