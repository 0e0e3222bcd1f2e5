import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILTERABLE_ATTRIBUTES, matchesFilter } from '../../src/cognito/filter.js';
import { CognitoError, parseUserFilter } from '../../src/cognito/index.js';

const user = {
  username: 'a1b2',
  attributes: { email: 'user@example.com', given_name: 'User', sub: 'a1b2' },
  status: 'CONFIRMED',
  enabled: true,
};

describe('ListUsers filter parser', () => {
  it('parses exact and prefix filters with spaces and escaped quotes', () => {
    expect(parseUserFilter('email = "user@example.com"')).toEqual({
      attribute: 'email',
      operator: '=',
      value: 'user@example.com',
    });
    expect(parseUserFilter('  given_name^="Us"  ')).toEqual({
      attribute: 'given_name',
      operator: '^=',
      value: 'Us',
    });
    expect(parseUserFilter('name = "say \\"hi\\""')).toEqual({
      attribute: 'name',
      operator: '=',
      value: 'say "hi"',
    });
  });

  it('lists everyone for an empty filter', () => {
    expect(parseUserFilter('')).toBeUndefined();
    expect(parseUserFilter('   ')).toBeUndefined();
    expect(parseUserFilter(undefined)).toBeUndefined();
  });

  it('refuses unknown attributes, custom attributes, bad operators and unquoted values', () => {
    for (const text of [
      'custom:tenant = "x"',
      'email != "x"',
      'email = x',
      'email = "x',
      'email',
      '= "x"',
    ]) {
      expect(() => parseUserFilter(text), text).toThrowError(CognitoError);
    }
  });

  it('matches status case-insensitively and the enabled status by name', () => {
    expect(matchesFilter(user, parseUserFilter('cognito:user_status = "confirmed"'))).toBe(true);
    expect(matchesFilter(user, parseUserFilter('status = "Enabled"'))).toBe(true);
    expect(matchesFilter(user, parseUserFilter('email ^= "use"'))).toBe(true);
    expect(matchesFilter(user, parseUserFilter('email = "use"'))).toBe(false);
    expect(matchesFilter(user, parseUserFilter('phone_number ^= ""'))).toBe(false);
  });

  it('either parses a random string or throws InvalidParameterException, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseUserFilter(text);
        } catch (error) {
          expect(error).toBeInstanceOf(CognitoError);
          expect((error as CognitoError).type).toBe('InvalidParameterException');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips every well-formed filter on a supported attribute', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FILTERABLE_ATTRIBUTES),
        fc.constantFrom('=', '^=' as const),
        fc.string({ maxLength: 40 }),
        (attribute, operator, value) => {
          const quoted = value.replace(/["\\]/g, (c) => `\\${c}`);
          expect(parseUserFilter(`${attribute} ${operator} "${quoted}"`)).toEqual({
            attribute,
            operator,
            value,
          });
        },
      ),
    );
  });

  it('never matches a user when the parsed filter names a value the user lacks', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (value) => {
        fc.pre(!'user@example.com'.startsWith(value));
        expect(matchesFilter(user, { attribute: 'email', operator: '^=', value })).toBe(false);
      }),
    );
  });
});
