import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCodeShaped, RANDOM_INT_MAX_RANGE, randomCode } from '../../src/code.js';

describe('randomCode', () => {
  it.each([6, 7, 8])('draws %i digits, zero-padded', (length) => {
    for (let i = 0; i < 200; i += 1)
      expect(randomCode(length)).toMatch(new RegExp(`^\\d{${length}}$`));
  });

  it('asks the CSPRNG for [0, 10^length) — the upper bound is exclusive', () => {
    const calls: [number, number][] = [];
    randomCode(6, (min, max) => {
      calls.push([min, max]);
      return 0;
    });
    expect(calls).toEqual([[0, 1_000_000]]);
    expect(10 ** 8).toBeLessThanOrEqual(RANDOM_INT_MAX_RANGE);
  });

  it('keeps the extremes: all zeros and all nines', () => {
    expect(randomCode(6, () => 0)).toBe('000000');
    expect(randomCode(8, (_min, max) => max - 1)).toBe('99999999');
  });

  it.each([5, 9, 6.5, Number.NaN])('refuses length %s', (length) => {
    expect(() => randomCode(length)).toThrow(RangeError);
  });

  it('refuses a random source that breaks its contract', () => {
    expect(() => randomCode(6, (_min, max) => max)).toThrow(RangeError);
    expect(() => randomCode(6, () => -1)).toThrow(RangeError);
  });

  it('uses every digit in every position (no stuck digit)', () => {
    const seen = Array.from({ length: 6 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i += 1) {
      for (const [position, digit] of [...randomCode(6)].entries()) seen[position]?.add(digit);
    }
    for (const digits of seen) expect(digits.size).toBe(10);
  });
});

describe('isCodeShaped', () => {
  it('accepts exactly `length` ASCII digits', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 6, max: 8 }), (text, length) => {
        expect(isCodeShaped(text, length)).toBe(new RegExp(`^[0-9]{${length}}$`).test(text));
      }),
    );
    expect(isCodeShaped('١٢٣٤٥٦', 6)).toBe(false); // Arabic-Indic digits are not ours
  });
});
