import { ConfigError } from '@authwatch/kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CUSTOM_CHALLENGE_ENV } from '../../src/config.js';
import {
  cachedKeys,
  codeDigest,
  deriveKeys,
  digestsEqual,
  loadCodeKeys,
  openCode,
  sealCode,
} from '../../src/keys.js';
import { KEY_MATERIAL, KEYS } from './helpers.js';

const noSecret = async () => {
  throw new Error('no secret expected');
};

describe('code keys', () => {
  it('reads an inline base64 key', async () => {
    const keys = await loadCodeKeys(
      { [CUSTOM_CHALLENGE_ENV.key]: KEY_MATERIAL.toString('base64') },
      noSecret,
    );
    expect(keys).toEqual(KEYS);
  });

  it('reads the key from the secret named by the ARN', async () => {
    const seen: string[] = [];
    const keys = await loadCodeKeys(
      {
        [CUSTOM_CHALLENGE_ENV.keySecretArn]:
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k',
      },
      async (id) => {
        seen.push(id);
        return 'x'.repeat(64);
      },
    );
    expect(seen).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:k']);
    expect(keys.seal).toHaveLength(32);
  });

  it.each([
    [{}, CUSTOM_CHALLENGE_ENV.keySecretArn],
    [{ [CUSTOM_CHALLENGE_ENV.key]: Buffer.alloc(16).toString('base64') }, CUSTOM_CHALLENGE_ENV.key],
  ])('names the variable when the key is missing or short', async (env, variable) => {
    await expect(loadCodeKeys(env, noSecret)).rejects.toMatchObject({ variable });
  });

  it('refuses a short secret without quoting it', async () => {
    const failure = loadCodeKeys(
      { [CUSTOM_CHALLENGE_ENV.keySecretArn]: 'arn' },
      async () => 'hunter2',
    );
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await failure.catch((error: Error) => expect(error.message).not.toContain('hunter2'));
  });

  it('derives different seal and digest keys', () => {
    expect(KEYS.seal.equals(KEYS.digest)).toBe(false);
    expect(() => deriveKeys(Buffer.alloc(31))).toThrow(RangeError);
  });

  it('loads once, and again after a failure', async () => {
    let calls = 0;
    const keys = cachedKeys(async () => {
      calls += 1;
      if (calls === 1) throw new Error('transient');
      return KEYS;
    });
    await expect(keys()).rejects.toThrow('transient');
    await expect(keys()).resolves.toBe(KEYS);
    await expect(keys()).resolves.toBe(KEYS);
    expect(calls).toBe(2);
  });
});

describe('seal and digest', () => {
  it('opens what it sealed, only with the same context', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6,8}$/), fc.string(), (code, context) => {
        const sealed = sealCode(KEYS, code, context);
        expect(openCode(KEYS, sealed, context)).toBe(code);
        expect(openCode(KEYS, sealed, `${context}!`)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('never opens arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        expect(openCode(KEYS, text, 'context')).toBeUndefined();
      }),
    );
  });

  it('seals the same code differently each time (random IV)', () => {
    expect(sealCode(KEYS, '123456', 'c')).not.toBe(sealCode(KEYS, '123456', 'c'));
  });

  it('digests to 32 bytes whatever the input, and compares in constant time', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const da = codeDigest(KEYS, 'user', a);
        const db = codeDigest(KEYS, 'user', b);
        expect(da).toHaveLength(32);
        expect(digestsEqual(da, db)).toBe(a === b);
      }),
    );
    expect(digestsEqual(undefined, codeDigest(KEYS, 'user', 'x'))).toBe(false);
    expect(digestsEqual(Buffer.alloc(5), codeDigest(KEYS, 'user', 'x'))).toBe(false);
  });
});
