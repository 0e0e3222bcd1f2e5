import { describe, expect, it } from 'vitest';
import { createLambdaContext, getTestEvent, listTestEvents } from '../../src/index.js';

describe('getTestEvent', () => {
  it('loads a fixture by its path', () => {
    const event = getTestEvent<{ triggerSource: string }>('pre-signup/admin-create-user');
    expect(event.triggerSource).toBe('PreSignUp_AdminCreateUser');
  });

  it('returns an independent copy on every call', () => {
    const first = getTestEvent<{ request: { userAttributes: Record<string, string> } }>(
      'pre-signup/sign-up',
    );
    first.request.userAttributes.email = 'changed@example.com';
    const second = getTestEvent<{ request: { userAttributes: Record<string, string> } }>(
      'pre-signup/sign-up',
    );
    expect(second.request.userAttributes.email).toBe('user.one@example.com');
  });

  it('names the missing fixture in its error', () => {
    expect(() => getTestEvent('pre-signup/nope')).toThrow(
      /Test event "pre-signup\/nope" not found/,
    );
  });

  it('refuses a name that could escape the fixtures folder', () => {
    expect(() => getTestEvent('../package')).toThrow(/must be a path/);
  });

  it('lists fixtures for every trigger', () => {
    const names = listTestEvents();
    for (const prefix of [
      'pre-signup/',
      'post-auth/',
      'pre-token-generation/v3/',
      'custom-challenge/',
    ]) {
      expect(names.some((name) => name.startsWith(prefix))).toBe(true);
    }
    expect(listTestEvents('pre-token-generation/v3/')).toContain(
      'pre-token-generation/v3/client-credentials',
    );
  });
});

describe('createLambdaContext', () => {
  it('counts the remaining time down on its clock', () => {
    let now = 1_000;
    const context = createLambdaContext({ timeoutMs: 3_000, now: () => now });
    expect(context.getRemainingTimeInMillis()).toBe(3_000);
    now += 1_200;
    expect(context.getRemainingTimeInMillis()).toBe(1_800);
    now += 10_000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
  });
});
