/**
 * The code key: one per deployment, shared by create and verify, never by a client.
 * Two sub-keys are derived from it with HKDF-SHA-256:
 *
 * - the **seal key** (AES-256-GCM) carries the code from one create to the next create
 *   of the same sign-in inside `challengeMetadata`, so a wrong answer re-uses the code
 *   instead of mailing a new one, while the code itself never appears in any event;
 * - the **digest key** (HMAC-SHA-256) turns the code into the fixed-length digest kept in
 *   `privateChallengeParameters`, so verify compares 32 bytes with 32 bytes in constant
 *   time and a logged event does not reveal the code (a keyed digest of a 6-digit code
 *   cannot be brute-forced without the key; a plain SHA-256 could).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { ConfigError } from '@authwatch/kit';
import { CUSTOM_CHALLENGE_ENV } from './config.js';

/** The derived keys create and verify work with. */
export interface CodeKeys {
  seal: Buffer;
  digest: Buffer;
}

/** Shortest acceptable key material, in bytes. */
export const MIN_KEY_BYTES = 32;

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Derives the seal and digest keys from the key material (≥ 32 bytes). */
export function deriveKeys(material: Uint8Array): CodeKeys {
  if (material.byteLength < MIN_KEY_BYTES) {
    throw new RangeError(`code key must be at least ${MIN_KEY_BYTES} bytes`);
  }
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', material, 'authwatch/custom-challenge', info, 32));
  return { seal: derive('seal/v1'), digest: derive('digest/v1') };
}

/**
 * The keyed digest of a code (or an answer) for one user: 32 bytes whatever the input,
 * so comparing digests never depends on the answer's length.
 */
export function codeDigest(keys: CodeKeys, userName: string, code: string): Buffer {
  return createHmac('sha256', keys.digest).update(userName).update('\0').update(code).digest();
}

/** Constant-time equality of two digests; anything not 32 bytes is unequal. */
export function digestsEqual(expected: Buffer | undefined, actual: Buffer): boolean {
  // Compare equal-length buffers always (timingSafeEqual throws otherwise), so a bad
  // expected digest costs the same time as a good one.
  const reference = expected !== undefined && expected.length === actual.length ? expected : actual;
  const same = timingSafeEqual(reference, actual);
  return same && reference !== actual;
}

/**
 * Seals a code for `challengeMetadata` (base64url of IV | tag | ciphertext). `aad`
 * binds it to the user, client and issue time: a sealed code moved to another user or
 * with another issue time does not open.
 */
export function sealCode(
  keys: CodeKeys,
  code: string,
  aad: string,
  iv: Buffer = randomBytes(IV_BYTES),
): string {
  const cipher = createCipheriv('aes-256-gcm', keys.seal, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const encrypted = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64url');
}

/** Opens a sealed code; `undefined` when it was not sealed by us for this `aad`. */
export function openCode(keys: CodeKeys, sealed: string, aad: string): string | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length <= IV_BYTES + TAG_BYTES || raw.length > IV_BYTES + TAG_BYTES + 16) {
    return undefined;
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.seal, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Reads a secret's string value; the Secrets Manager client in production. */
export type SecretReader = (secretId: string) => Promise<string | undefined>;

/**
 * Loads the key material: CUSTOM_CHALLENGE_KEY (base64, local stack and tests) or the
 * Secrets Manager secret named by CUSTOM_CHALLENGE_KEY_SECRET_ARN (deployed). A missing
 * or short key is a ConfigError naming the variable, never quoting the value.
 */
export async function loadCodeKeys(
  env: Record<string, string | undefined>,
  readSecret: SecretReader,
): Promise<CodeKeys> {
  const inline = env[CUSTOM_CHALLENGE_ENV.key]?.trim();
  if (inline) {
    const material = Buffer.from(inline, 'base64');
    if (material.byteLength < MIN_KEY_BYTES) {
      throw new ConfigError(
        CUSTOM_CHALLENGE_ENV.key,
        `must be base64 of at least ${MIN_KEY_BYTES} bytes`,
      );
    }
    return deriveKeys(material);
  }
  const arn = env[CUSTOM_CHALLENGE_ENV.keySecretArn]?.trim();
  if (!arn) {
    throw new ConfigError(
      CUSTOM_CHALLENGE_ENV.keySecretArn,
      `is required (or set ${CUSTOM_CHALLENGE_ENV.key})`,
    );
  }
  const value = await readSecret(arn);
  if (value === undefined || Buffer.byteLength(value, 'utf8') < MIN_KEY_BYTES) {
    throw new ConfigError(
      CUSTOM_CHALLENGE_ENV.keySecretArn,
      `names a secret whose value is not at least ${MIN_KEY_BYTES} bytes`,
    );
  }
  return deriveKeys(Buffer.from(value, 'utf8'));
}

/**
 * Caches the keys per execution environment: loaded once, re-tried on the next call
 * when loading failed (a transient Secrets Manager error must not poison the instance).
 */
export function cachedKeys(load: () => Promise<CodeKeys>): () => Promise<CodeKeys> {
  let pending: Promise<CodeKeys> | undefined;
  return () => {
    if (pending === undefined) {
      pending = load().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    }
    return pending;
  };
}
