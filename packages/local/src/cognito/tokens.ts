/**
 * RS256 JWTs as Cognito issues them: header `{ kid, alg: 'RS256' }`, one RSA-2048 key
 * per pool, published as a JWKS. Key objects are cached: PEM parsing costs more than
 * the signature itself.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { newOpaque } from './ids.js';
import { isJsonObject } from './state.js';

export interface PoolKey {
  kid: string;
  privatePem: string;
  publicJwk: Record<string, string>;
}

export function generatePoolKey(): PoolKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  // Cognito's kids are base64 of a digest; derive ours from the modulus so it is stable.
  const kid = createHash('sha256').update(jwk.n).digest('base64');
  return {
    kid,
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwk: { alg: 'RS256', e: jwk.e, kid, kty: 'RSA', n: jwk.n, use: 'sig' },
  };
}

const keyCache = new Map<string, KeyObject>();

function keyObject(key: PoolKey): KeyObject {
  let cached = keyCache.get(key.kid);
  if (!cached) {
    cached = createPrivateKey(key.privatePem);
    keyCache.set(key.kid, cached);
  }
  return cached;
}

function signingInput(key: PoolKey, payload: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ kid: key.kid, alg: 'RS256' })).toString('base64url');
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
}

export function signJwt(key: PoolKey, payload: Record<string, unknown>): string {
  const input = signingInput(key, payload);
  return `${input}.${sign('sha256', Buffer.from(input), keyObject(key)).toString('base64url')}`;
}

/**
 * Signs on libuv's thread pool: the event loop keeps serving other requests (or signs
 * the sign-in's other token) meanwhile.
 */
export function signJwtAsync(key: PoolKey, payload: Record<string, unknown>): Promise<string> {
  const input = signingInput(key, payload);
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(input), keyObject(key), (error, signature) => {
      if (error) reject(error);
      else resolve(`${input}.${signature.toString('base64url')}`);
    });
  });
}

/** A JSON object, or undefined for anything else (`null`, an array, a number, not JSON). */
function jsonObject(base64url: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(base64url, 'base64url').toString('utf8')) as unknown;
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decodes a JWT's header and payload without verifying it (callers verify separately);
 * undefined unless both are JSON objects.
 */
export function decodeJwt(token: string):
  | {
      header: Record<string, unknown>;
      payload: Record<string, unknown>;
      input: string;
      signature: Buffer;
    }
  | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = jsonObject(parts[0] as string);
  const payload = jsonObject(parts[1] as string);
  if (header === undefined || payload === undefined) return undefined;
  return {
    header,
    payload,
    input: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2] as string, 'base64url'),
  };
}

/** A refresh token: opaque, random; the server keeps only its digest. */
export const newRefreshToken = () => `${newOpaque(48)}.${newOpaque(16)}`;
export const digest = (text: string) => createHash('sha256').update(text).digest('hex');
