/**
 * The client side of Cognito's SRP-6a (USER_SRP_AUTH → PASSWORD_VERIFIER), in the
 * browser with BigInt and WebCrypto: the same arithmetic as amazon-cognito-identity-js
 * (`AuthenticationHelper`) and the local emulator's server side
 * (packages/local/src/cognito/srp.ts), which the tests sign in against:
 * - the 3072-bit group of RFC 5054, g = 2, SHA-256, k = H(PAD(N) | PAD(g));
 * - x = H(PAD(salt) | H(poolName | userIdForSrp | ":" | password));
 * - S = (B - k·g^x)^(a + u·x) mod N, u = H(PAD(A) | PAD(B));
 * - key = HKDF-SHA256(ikm = PAD(S), salt = PAD(u), info = "Caldera Derived Key"), 16 bytes;
 * - PASSWORD_CLAIM_SIGNATURE = HMAC-SHA256(key, poolName | userIdForSrp | SECRET_BLOCK | TIMESTAMP).
 * The password never leaves the page; only A and the signature do.
 */

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
export const N = BigInt(`0x${N_HEX}`);
const g = 2n;
const encoder = new TextEncoder();

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function hexToBytes(hex: string): Uint8Array {
  const even = hex.length % 2 === 0 ? hex : `0${hex}`;
  const bytes = new Uint8Array(even.length / 2);
  for (let i = 0; i < bytes.length; i += 1)
    bytes[i] = Number.parseInt(even.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Hex as Java's `BigInteger.toByteArray()`: even length, a 00 byte when the top bit is set. */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  if (/^[89a-f]/i.test(hex)) hex = `00${hex}`;
  return hex;
}

const pad = (value: bigint) => hexToBytes(padHex(value));
const big = (bytes: Uint8Array) => (bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`));

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
}

async function hmac(key: Uint8Array, ...parts: Uint8Array[]): Promise<Uint8Array> {
  const imported = await crypto.subtle.importKey(
    'raw',
    concat(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', imported, concat(...parts)));
}

/** base^exp mod N by square-and-multiply. */
export function modPow(base: bigint, exp: bigint, mod = N): bigint {
  let result = 1n;
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Cognito's TIMESTAMP: `ddd MMM d HH:mm:ss UTC yyyy`, the day without a leading zero. */
export function srpTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

function base64ToBytes(value: string): Uint8Array {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export class SrpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SrpError';
  }
}

export interface SrpSession {
  /** SRP_A, hex. */
  A: string;
  /** Answers the PASSWORD_VERIFIER challenge. */
  verify(
    challenge: {
      SALT: string;
      SRP_B: string;
      SECRET_BLOCK: string;
      USER_ID_FOR_SRP: string;
    },
    password: string,
    now: number,
  ): Promise<{
    PASSWORD_CLAIM_SECRET_BLOCK: string;
    PASSWORD_CLAIM_SIGNATURE: string;
    TIMESTAMP: string;
  }>;
}

/** Starts an SRP exchange for a pool: a fresh private a, and A = g^a mod N. */
export async function startSrp(userPoolId: string): Promise<SrpSession> {
  const poolName = userPoolId.slice(userPoolId.indexOf('_') + 1);
  const k = big(await sha256(pad(N), pad(g)));
  let a = 0n;
  let A = 0n;
  while (A === 0n) {
    a = big(crypto.getRandomValues(new Uint8Array(32)));
    A = modPow(g, a);
  }
  return {
    A: A.toString(16),
    async verify(challenge, password, now) {
      const B = BigInt(`0x${challenge.SRP_B}`);
      if (B % N === 0n) throw new SrpError('the server sent an invalid B');
      const u = big(await sha256(pad(A), pad(B)));
      if (u === 0n) throw new SrpError('u is zero: start again');
      const user = challenge.USER_ID_FOR_SRP;
      const inner = await sha256(encoder.encode(`${poolName}${user}:${password}`));
      const x = big(await sha256(pad(BigInt(`0x${challenge.SALT}`)), inner));
      const base = (((B - k * modPow(g, x)) % N) + N) % N;
      const S = modPow(base, a + u * x);
      const prk = await hmac(pad(u), pad(S));
      const key = (
        await hmac(prk, encoder.encode('Caldera Derived Key'), new Uint8Array([1]))
      ).slice(0, 16);
      const timestamp = srpTimestamp(now);
      const signature = await hmac(
        key,
        encoder.encode(poolName),
        encoder.encode(user),
        base64ToBytes(challenge.SECRET_BLOCK),
        encoder.encode(timestamp),
      );
      return {
        PASSWORD_CLAIM_SECRET_BLOCK: challenge.SECRET_BLOCK,
        PASSWORD_CLAIM_SIGNATURE: bytesToBase64(signature),
        TIMESTAMP: timestamp,
      };
    },
  };
}
