/** Identifiers in Cognito's own formats, from a CSPRNG. */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `eu-west-1_AbC123xyZ`: region, underscore, 9 alphanumerics. */
export const newPoolId = (region: string) => `${region}_${pick(ALNUM, 9)}`;
/** 26 lower-case alphanumerics, like Cognito's app client ids. */
export const newClientId = () => pick(LOWER_ALNUM, 26);
/** 51 lower-case alphanumerics, the length of Cognito's client secrets. */
export const newClientSecret = () => pick(LOWER_ALNUM, 51);
/** A UUID v4, as Cognito's `sub`. */
export const newSub = () => randomUUID();
/** An opaque token: base64url of 32 random bytes (sessions, refresh tokens). */
export const newOpaque = (bytes = 32) => randomBytes(bytes).toString('base64url');
/** A 6-digit confirmation code. */
export const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');
