/**
 * One-time codes: drawn from the CSPRNG with `crypto.randomInt`, whose upper bound is
 * exclusive and whose range must not exceed 2^48, so `randomInt(0, 10 ** length)`
 * draws every code of `length` digits with equal probability (no modulo bias).
 */
import { randomInt } from 'node:crypto';

export const MIN_CODE_LENGTH = 6;
export const MAX_CODE_LENGTH = 8;

/** `crypto.randomInt` refuses a range (max - min) above this. */
export const RANDOM_INT_MAX_RANGE = 2 ** 48;

/** A `randomInt(min, max)` with `crypto.randomInt`'s contract, injectable for tests. */
export type RandomInt = (min: number, max: number) => number;

/**
 * A uniformly random code of `length` decimal digits, zero-padded ("004213").
 *
 * @example randomCode(6) // '048213'
 */
export function randomCode(length: number, random: RandomInt = randomInt): string {
  if (!Number.isInteger(length) || length < MIN_CODE_LENGTH || length > MAX_CODE_LENGTH) {
    throw new RangeError(
      `code length must be an integer from ${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH}`,
    );
  }
  const upper = 10 ** length; // exclusive: the largest code is upper - 1 (all nines)
  if (upper > RANDOM_INT_MAX_RANGE) throw new RangeError('code range exceeds randomInt’s 2^48');
  const value = random(0, upper);
  if (!Number.isSafeInteger(value) || value < 0 || value >= upper) {
    throw new RangeError('random source returned a value outside [0, 10^length)');
  }
  return String(value).padStart(length, '0');
}

/** True when `answer` is exactly `length` ASCII digits. */
export function isCodeShaped(answer: string, length: number): boolean {
  return answer.length === length && /^[0-9]+$/.test(answer);
}
