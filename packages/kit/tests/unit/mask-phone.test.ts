/**
 * Phone numbers are masked wherever they appear: in free text (a log message, an error)
 * and under any key, not only under `phone_number`. Property tests: every E.164 number,
 * however it is spaced, is masked inside any text; ids, dates, addresses and plain
 * numbers are left alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPhone, maskText, redact } from '../../src/index.js';

/** An E.164 number's digits: a country code not starting with 0, 8 to 15 digits in all. */
const e164Digits = fc
  .tuple(
    fc.integer({ min: 1, max: 9 }),
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 7, maxLength: 14 }),
  )
  .map(([first, rest]) => `${first}${rest}`);

/** The digits written with a plus and any of the separators people use. */
const writtenE164 = fc
  .tuple(
    e164Digits,
    fc.array(fc.constantFrom('', '', '', ' ', '-', '.'), { minLength: 15, maxLength: 15 }),
  )
  .map(([digits, separators]) => ({
    digits,
    text: `+${[...digits].map((digit, index) => (index === 0 ? digit : `${separators[index] ?? ''}${digit}`)).join('')}`,
  }));

/** Text around a number: anything that does not glue onto it as part of a word or number. */
const surrounding = fc
  .string({ maxLength: 20 })
  .map((text) => text.replace(/[\w+.\-()]|[^\x20-\x7e]/g, ' '));

describe('maskText on phone numbers', () => {
  it.each([
    ['call +14155552671 now', 'call +*********71 now'],
    ['sms sent to +44 20 7946 0958.', 'sms sent to +**********58.'],
    ['tel:+33612345678', 'tel:+*********78'],
    ['from +1 (415) 555-2671', 'from +*********71'],
    [
      'call (415) 555-2671 or 415-555-2671 or 415.555.2671',
      'call ********71 or ********71 or ********71',
    ],
  ])('masks %j as %j', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it.each([
    'user 00000000-0000-4000-8000-00000000beef',
    'at 2026-12-06T21:10:43.123Z (epoch 1796591856552)',
    'from 192.168.100.200 on ports 4580 4581 4582',
    'attempt 2 of 3, +123 points',
    'order 123-456-7890-abc',
  ])('leaves %j alone: ids, dates, addresses and plain numbers', (text) => {
    expect(maskText(text)).toBe(text);
  });

  it('masks every E.164 number inside any text, however it is written', () => {
    fc.assert(
      fc.property(surrounding, writtenE164, surrounding, (before, { digits, text }, after) => {
        const masked = maskText(`${before}${text}${after}`);
        expect(masked).toBe(`${before}${maskPhone(text)}${after}`);
        // Only the last two digits survive (the text around has no digits).
        expect(masked.replace(/\D/g, '')).toBe(digits.slice(-2));
      }),
    );
  });

  it('leaves UUIDs, ISO times, IPv4 addresses and unsigned integers unchanged', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uuid(),
          fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
          fc.ipV4(),
          fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
        ),
        (text) => {
          expect(maskText(`value ${text} seen`)).toBe(`value ${text} seen`);
        },
      ),
    );
  });
});

describe('redact on phone numbers under any key', () => {
  it('masks a phone-like key’s value, string or number', () => {
    expect(
      redact({
        mobile: '+14155552671',
        cell_phone: '0612345678',
        msisdn: 14155552671,
        faxNumber: '+14155552671',
      }),
    ).toEqual({
      mobile: '+*********71',
      cell_phone: '********78',
      msisdn: '*********71',
      faxNumber: '+*********71',
    });
  });

  it('masks an E.164 number under any key and inside any message', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }).filter((key) => key !== '__proto__'),
        writtenE164,
        (key, { digits, text }) => {
          const out = JSON.stringify(redact({ [key]: text, message: `code sent to ${text}` }));
          expect(out).not.toContain(digits.slice(0, -2));
        },
      ),
    );
  });
});
