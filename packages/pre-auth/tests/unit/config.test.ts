import { describe, expect, it } from 'vitest';
import { loadConfig, PRE_AUTH_ENV } from '../../src/config.js';
import { HASH_KEY } from '../helpers.js';

const base = { [PRE_AUTH_ENV.userHashKey]: HASH_KEY };

describe('pre authentication config', () => {
  it('turns every policy off by default', () => {
    expect(loadConfig(base)).toEqual({
      lock: false,
      clientRules: [],
      userHashKey: HASH_KEY,
      groupsTimeoutMs: 1_000,
    });
  });

  it('requires the hash key, naming the variable', () => {
    expect(() => loadConfig({})).toThrow('Environment variable PRE_AUTH_USER_HASH_KEY is required');
  });

  it('refuses a short hash key without quoting it', () => {
    expect(() => loadConfig({ [PRE_AUTH_ENV.userHashKey]: 'short-secret' })).toThrow(
      /PRE_AUTH_USER_HASH_KEY must be at least 16 characters$/,
    );
  });

  it.each([
    ['not JSON', '[{', 'is not valid JSON'],
    ['no groups', '[{"groups":[],"clients":["abc"]}]', 'at 0.groups'],
    ['a bad client id', '[{"groups":["admins"],"clients":["a b"]}]', 'must be an app client id'],
    ['an unknown key', '[{"groups":["a"],"clients":["b"],"extra":1}]', 'does not match its schema'],
  ])('refuses client rules with %s, naming the variable', (_case, value, message) => {
    expect(() => loadConfig({ ...base, [PRE_AUTH_ENV.clientRules]: value })).toThrow(message);
    expect(() => loadConfig({ ...base, [PRE_AUTH_ENV.clientRules]: value })).toThrow(
      PRE_AUTH_ENV.clientRules,
    );
  });

  it('refuses a group lookup timeout outside 50-4000 ms', () => {
    expect(() => loadConfig({ ...base, [PRE_AUTH_ENV.groupsTimeoutMs]: '5000' })).toThrow(
      'PRE_AUTH_GROUPS_TIMEOUT_MS must be at most 4000',
    );
  });
});
