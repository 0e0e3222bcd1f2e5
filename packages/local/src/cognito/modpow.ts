/**
 * Modular exponentiation modulo SRP's 3072-bit prime N in plain BigInt arithmetic, so it
 * costs the same on every Node release and relies on no OpenSSL parameter check.
 *
 * Why not `crypto.createDiffieHellman(N)`: Node 24 checks the prime when the object is
 * constructed (about 1.6 s each time), and Node 22's OpenSSL refuses bases outside the
 * prime-order subgroup in `computeSecret` ("Unspecified validation error" for a base of
 * 5), so that trick is slow or fragile on every Node after 20.
 *
 * Two algorithms, chosen by the base:
 * - the generator g = 2 (every `g^x` and `g^b`, i.e. every verifier, password check and
 *   server ephemeral) uses a fixed-base comb: g^(d·16^i) for every 4-bit digit d and
 *   position i is computed once, on first use, and an exponent of up to 256 bits then
 *   costs at most 64 multiplications (Handbook of Applied Cryptography, algorithm 14.109);
 * - any other base (`v^u`, `(A·v^u)^b`) uses left-to-right sliding windows
 *   (HAC algorithm 14.85), a window of 5 bits for the 256-bit exponents SRP uses.
 * Exponents are the 256-bit values Cognito's clients use (SHA-256 outputs and 32-byte
 * randoms); larger ones are correct, only slower.
 */

/** Bits per comb digit. */
const COMB_BITS = 4;
/** The comb covers exponents of up to this many bits (SHA-256 and 32-byte randoms). */
const COMB_MAX_BITS = 256;

interface Comb {
  readonly modulus: bigint;
  /** table[i][d] = base^(d·2^(COMB_BITS·i)) mod modulus, d in 0..2^COMB_BITS-1. */
  readonly table: bigint[][];
}

const combs = new Map<string, Comb>();

function buildComb(base: bigint, modulus: bigint): Comb {
  const digits = 1 << COMB_BITS;
  const positions = Math.ceil(COMB_MAX_BITS / COMB_BITS);
  const table: bigint[][] = [];
  let unit = base % modulus;
  for (let i = 0; i < positions; i += 1) {
    const row: bigint[] = [1n, unit];
    for (let d = 2; d < digits; d += 1) row.push(((row[d - 1] as bigint) * unit) % modulus);
    table.push(row);
    // base^(2^(COMB_BITS·(i+1))) = (row[15] · unit) for a 4-bit comb.
    unit = ((row[digits - 1] as bigint) * unit) % modulus;
  }
  return { modulus, table };
}

function combFor(base: bigint, modulus: bigint): Comb {
  const key = `${base.toString(16)}:${modulus.toString(16)}`;
  let comb = combs.get(key);
  if (!comb) {
    comb = buildComb(base, modulus);
    combs.set(key, comb);
  }
  return comb;
}

function combPow(comb: Comb, exp: bigint): bigint {
  const mask = BigInt((1 << COMB_BITS) - 1);
  const step = BigInt(COMB_BITS);
  let result = 1n;
  let rest = exp;
  for (let i = 0; rest > 0n; i += 1) {
    const digit = Number(rest & mask);
    if (digit !== 0) result = (result * (comb.table[i]?.[digit] as bigint)) % comb.modulus;
    rest >>= step;
  }
  return result;
}

function windowBits(bitLength: number): number {
  if (bitLength <= 24) return 1;
  if (bitLength <= 80) return 3;
  if (bitLength <= 240) return 4;
  if (bitLength <= 672) return 5;
  return 6;
}

/** base^exp mod modulus by left-to-right sliding windows (exp ≥ 0, modulus > 1). */
export function slidingWindowPow(base: bigint, exp: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  if (exp === 0n) return 1n;
  const b = ((base % modulus) + modulus) % modulus;
  const bits = exp.toString(2);
  const w = windowBits(bits.length);
  // odd[j] = b^(2j+1)
  const odd: bigint[] = [b];
  if (w > 1) {
    const square = (b * b) % modulus;
    for (let j = 1; j < 1 << (w - 1); j += 1) odd.push(((odd[j - 1] as bigint) * square) % modulus);
  }
  let result = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      result = (result * result) % modulus;
      i += 1;
      continue;
    }
    // The longest window starting here, at most w bits, that ends in a 1.
    let end = Math.min(i + w, bits.length);
    while (bits[end - 1] === '0') end -= 1;
    const value = Number.parseInt(bits.slice(i, end), 2);
    for (let s = i; s < end; s += 1) result = (result * result) % modulus;
    result = (result * (odd[(value - 1) >> 1] as bigint)) % modulus;
    i = end;
  }
  return result;
}

/**
 * base^exp mod modulus. A base registered with {@link useFixedBase} (SRP's generator) takes
 * the comb for exponents of up to 256 bits; everything else takes sliding windows.
 */
export function modPow(base: bigint, exp: bigint, modulus: bigint): bigint {
  if (exp < 0n) throw new RangeError('modPow: negative exponent');
  if (modulus <= 0n) throw new RangeError('modPow: modulus must be positive');
  if (fixedBases.has(base) && exp < 1n << BigInt(COMB_MAX_BITS)) {
    if (modulus === 1n) return 0n;
    return combPow(combFor(base, modulus), exp);
  }
  return slidingWindowPow(base, exp, modulus);
}

const fixedBases = new Set<bigint>();

/** Declares a base that is raised to many exponents, so a comb table pays off. */
export function useFixedBase(base: bigint): void {
  fixedBases.add(base);
}
