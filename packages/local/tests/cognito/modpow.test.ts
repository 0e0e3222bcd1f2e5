import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modPow, slidingWindowPow, useFixedBase } from '../../src/cognito/modpow.js';
import { g, modPowN, N } from '../../src/cognito/srp.js';

/** Right-to-left square-and-multiply: slow, obviously right, the reference. */
function reference(base: bigint, exp: bigint, modulus: bigint): bigint {
  let result = 1n % modulus;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

const bigNat = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });

describe('modular exponentiation', () => {
  it('agrees with square-and-multiply for any base, exponent and modulus', () => {
    fc.assert(
      fc.property(
        bigNat(300),
        bigNat(300),
        fc.bigInt({ min: 1n, max: (1n << 300n) - 1n }),
        (b, e, m) => {
          expect(slidingWindowPow(b, e, m)).toBe(reference(b, e, m));
          expect(modPow(b, e, m)).toBe(reference(b, e, m));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the reference modulo SRP’s prime for 256-bit exponents, generator and other bases', () => {
    fc.assert(
      fc.property(bigNat(3072), bigNat(256), (b, e) => {
        expect(modPowN(b, e)).toBe(reference(b, e, N));
        expect(modPowN(g, e)).toBe(reference(g, e, N));
      }),
      { numRuns: 25 },
    );
  });

  it('takes the fixed-base comb for a registered base and falls back beyond 256 bits', () => {
    const m = (1n << 127n) - 1n;
    useFixedBase(7n);
    const wide = (1n << 300n) + 12345n;
    expect(modPow(7n, 2n ** 255n + 3n, m)).toBe(reference(7n, 2n ** 255n + 3n, m));
    expect(modPow(7n, wide, m)).toBe(reference(7n, wide, m));
  });

  it('handles the edge cases: zero exponent, zero base, modulus one, base equal to the modulus', () => {
    expect(modPowN(5n, 0n)).toBe(1n);
    expect(modPowN(0n, 5n)).toBe(0n);
    expect(modPowN(N, 5n)).toBe(0n);
    expect(modPow(3n, 4n, 1n)).toBe(0n);
    expect(modPow(g, 0n, N)).toBe(1n);
  });

  it('refuses a negative exponent or a non-positive modulus', () => {
    expect(() => modPow(2n, -1n, 7n)).toThrow(/negative exponent/);
    expect(() => modPow(2n, 1n, 0n)).toThrow(/modulus must be positive/);
  });
});
