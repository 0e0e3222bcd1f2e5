/**
 * Server side of Cognito's SRP-6a variant, byte for byte what amazon-cognito-identity-js
 * (`AuthenticationHelper`) and the Amplify / boto "warrant" clients compute:
 * - group: the 3072-bit MODP prime of RFC 3526 / RFC 5054, g = 2, SHA-256;
 * - k = H(PAD(N) | PAD(g)), u = H(PAD(A) | PAD(B)), where PAD is Java's
 *   `BigInteger.toByteArray()` (minimal two's complement: a leading 0x00 when the top bit
 *   is set), which is what the client's `padHex` produces;
 * - x = H(PAD(salt) | H(poolName | userIdForSrp | ":" | password)), v = g^x mod N, where
 *   poolName is the part of the pool id after the underscore;
 * - the password key is HKDF-SHA256(ikm = PAD(S), salt = PAD(u), info = "Caldera Derived
 *   Key" | 0x01) truncated to 16 bytes;
 * - PASSWORD_CLAIM_SIGNATURE = base64 HMAC-SHA256(key, poolName | userIdForSrp |
 *   SECRET_BLOCK bytes | TIMESTAMP).
 *
 * Modular exponentiation is plain BigInt (`modpow.ts`): a fixed-base comb for g and sliding
 * windows for other bases, the same cost on Node 20, 22 and 24.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { modPow, useFixedBase } from './modpow.js';

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const N = BigInt(`0x${N_HEX}`);
export const g = 2n;
const INFO = Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]);

/** Hex of a non-negative integer as Java's `toByteArray()` would give it (even length, sign byte). */
export function padHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 !== 0) hex = `0${hex}`;
  if (/^[89a-f]/i.test(hex)) hex = `00${hex}`;
  return hex;
}

function padBytes(value: bigint): Buffer {
  return Buffer.from(padHex(value), 'hex');
}

function sha256(...parts: (Buffer | string)[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function toBig(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

useFixedBase(g);

/** base^exp mod N. */
export function modPowN(base: bigint, exp: bigint): bigint {
  return modPow(base, exp, N);
}

export const k = toBig(sha256(padBytes(N), padBytes(g)));

/** The pool name SRP mixes in: `eu-west-1_AbC123xyz` → `AbC123xyz`. */
export function srpPoolName(poolId: string): string {
  return poolId.slice(poolId.indexOf('_') + 1);
}

/** x = H(PAD(salt) | H(poolName | user | ":" | password)). */
export function computeX(
  poolName: string,
  userIdForSrp: string,
  password: string,
  saltHex: string,
): bigint {
  const inner = sha256(`${poolName}${userIdForSrp}:${password}`);
  return toBig(sha256(padBytes(BigInt(`0x${saltHex}`)), inner));
}

export interface Verifier {
  /** Salt as the hex the client parses (`new BigInteger(SALT, 16)`). */
  salt: string;
  /** v = g^x mod N, hex. */
  verifier: string;
}

/** Computes a fresh salt and verifier; the password itself is never kept. */
export function createVerifier(poolId: string, userIdForSrp: string, password: string): Verifier {
  const salt = BigInt(`0x${randomBytes(16).toString('hex')}`).toString(16);
  const x = computeX(srpPoolName(poolId), userIdForSrp, password, salt);
  return { salt, verifier: modPowN(g, x).toString(16) };
}

/** Recomputes v from a candidate password; true when it matches the stored verifier. */
export function checkPassword(
  poolId: string,
  userIdForSrp: string,
  password: string,
  stored: Verifier,
): boolean {
  const x = computeX(srpPoolName(poolId), userIdForSrp, password, stored.salt);
  return modPowN(g, x) === BigInt(`0x${stored.verifier}`);
}

export interface SrpServerState {
  /** b, hex (server private ephemeral). */
  b: string;
  /** B, hex, as sent in SRP_B. */
  B: string;
  /** A, hex, as received in SRP_A. */
  A: string;
}

/** A = 0 mod N would let a client forge the session key. */
export function isValidA(aHex: string): boolean {
  if (!/^[0-9a-fA-F]{1,2048}$/.test(aHex)) return false;
  return BigInt(`0x${aHex}`) % N !== 0n;
}

/** B = (k·v + g^b) mod N for the stored verifier. */
export function startServer(stored: Verifier, aHex: string): SrpServerState {
  const v = BigInt(`0x${stored.verifier}`);
  for (;;) {
    const b = toBig(randomBytes(32));
    const B = (k * v + modPowN(g, b)) % N;
    if (B % N !== 0n) return { b: b.toString(16), B: B.toString(16), A: aHex };
  }
}

/** The 16-byte key both sides derive; null when u = 0 (the client must restart). */
export function serverKey(stored: Verifier, state: SrpServerState): Buffer | null {
  const A = BigInt(`0x${state.A}`);
  const B = BigInt(`0x${state.B}`);
  const b = BigInt(`0x${state.b}`);
  const v = BigInt(`0x${stored.verifier}`);
  const u = toBig(sha256(padBytes(A), padBytes(B)));
  if (u === 0n) return null;
  const S = modPowN((A * modPowN(v, u)) % N, b);
  const prk = createHmac('sha256', padBytes(u)).update(padBytes(S)).digest();
  return createHmac('sha256', prk).update(INFO).digest().subarray(0, 16);
}

/** The signature a client proves its password with. */
export function claimSignature(
  key: Buffer,
  poolName: string,
  userIdForSrp: string,
  secretBlock: string,
  timestamp: string,
): Buffer {
  return createHmac('sha256', key)
    .update(Buffer.from(poolName, 'utf8'))
    .update(Buffer.from(userIdForSrp, 'utf8'))
    .update(Buffer.from(secretBlock, 'base64'))
    .update(Buffer.from(timestamp, 'utf8'))
    .digest();
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Cognito's TIMESTAMP, `ddd MMM d HH:mm:ss UTC yyyy`, day without a leading zero. */
export function formatTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${two(
    d.getUTCHours(),
  )}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

const TIMESTAMP =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):([0-5]\d):([0-5]\d) UTC (\d{4})$/;

/** Parses a TIMESTAMP; undefined when it is not in Cognito's format. */
export function parseTimestamp(text: string): number | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(
    Number(m[7]),
    MONTHS.indexOf(m[2] as string),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
  );
  return formatTimestamp(ms) === text ? ms : undefined;
}
