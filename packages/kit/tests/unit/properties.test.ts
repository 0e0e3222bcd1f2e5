/**
 * Property-based tests: whatever outside input the kit's parsers and maskers get, they
 * fail only with their typed error and never echo a value.
 */
import { getTestEvent, listTestEvents } from '@authwatch/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  ConfigError,
  CreateAuthChallengeEventSchema,
  DefineAuthChallengeEventSchema,
  getBooleanFromEnv,
  getEnumFromEnv,
  getIntFromEnv,
  getJsonFromEnv,
  getListFromEnv,
  getOptionalStringFromEnv,
  getStringFromEnv,
  InvalidEventError,
  maskEmail,
  maskPhone,
  maskText,
  PostAuthenticationEventSchema,
  PreSignUpEventSchema,
  PreTokenGenerationEventSchema,
  parseEvent,
  redact,
  redactingReplacer,
  VerifyAuthChallengeEventSchema,
} from '../../src/index.js';

const SCHEMAS = [
  ['PreSignUp', PreSignUpEventSchema],
  ['PostAuthentication', PostAuthenticationEventSchema],
  ['PreTokenGeneration', PreTokenGenerationEventSchema],
  ['DefineAuthChallenge', DefineAuthChallengeEventSchema],
  ['CreateAuthChallenge', CreateAuthChallengeEventSchema],
  ['VerifyAuthChallenge', VerifyAuthChallengeEventSchema],
] as const;

/** A value no schema message could contain by chance. */
const SENTINEL = 'SENTINEL-7f3a9c-value';

/** Parses and returns the error, or undefined when the event was valid. */
function parseError(name: string, schema: z.core.$ZodType, event: unknown): unknown {
  try {
    parseEvent(name, schema, event);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Every path (as keys) to a node of a JSON value. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths = [prefix];
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      paths.push(...pathsOf(item, [...prefix, index]));
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

/** Returns a copy of `event` with the node at `path` replaced by `value`. */
function setAt(event: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(event) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

const fixtures = listTestEvents();

/** A fixture with one node replaced by an arbitrary value that carries the sentinel. */
const mutatedFixture = fc
  .record({
    fixture: fc.constantFrom(...fixtures),
    pick: fc.nat(),
    replacement: fc.oneof(
      fc.constant(SENTINEL),
      fc.constant(Number.NaN),
      fc.constant(null),
      fc.constant([SENTINEL]),
      fc.constant({ [SENTINEL]: SENTINEL }),
      fc.integer(),
      fc.boolean(),
      fc.jsonValue(),
    ),
  })
  .map(({ fixture, pick, replacement }) => {
    const event = getTestEvent(fixture);
    const paths = pathsOf(event);
    return setAt(event, paths[pick % paths.length] ?? [], replacement);
  });

describe('parseEvent with arbitrary input', () => {
  it('throws nothing but InvalidEventError for any value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SCHEMAS), fc.anything(), ([name, schema], input) => {
        const error = parseError(name, schema, input);
        expect(error === undefined || error instanceof InvalidEventError).toBe(true);
      }),
    );
  });

  it('throws nothing but InvalidEventError for any JSON value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SCHEMAS), fc.jsonValue(), ([name, schema], input) => {
        const error = parseError(name, schema, input);
        expect(error === undefined || error instanceof InvalidEventError).toBe(true);
      }),
    );
  });

  it('never puts a value of a mutated fixture into its error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SCHEMAS), mutatedFixture, ([name, schema], event) => {
        const error = parseError(name, schema, event);
        if (error === undefined) return;
        expect(error).toBeInstanceOf(InvalidEventError);
        const { message, issues } = error as InvalidEventError;
        const text = JSON.stringify({ message, issues });
        // A key named SENTINEL may appear in a path; a value never appears in a message.
        for (const issue of issues) expect(issue.message).not.toContain(SENTINEL);
        expect(message.replaceAll(`.${SENTINEL}`, '')).not.toContain(SENTINEL);
        expect(text).not.toContain('user.one@example.com');
        expect(text).not.toContain('123456');
      }),
      { numRuns: 300 },
    );
  });
});

describe('maskers with arbitrary input', () => {
  it('maskEmail keeps only the first character of the local part', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const at = email.lastIndexOf('@');
        const local = email.slice(0, at);
        const domain = email.slice(at + 1);
        expect(maskEmail(email)).toBe(domain.includes('.') ? `${local[0]}***@${domain}` : '***');
      }),
    );
  });

  it('maskText masks every email inside free text', () => {
    fc.assert(
      fc.property(
        fc
          .emailAddress()
          .filter(
            (email) => email.slice(email.lastIndexOf('.') + 1).length >= 2 && !/^'+@/.test(email),
          ),
        fc.constantFrom('sign-up from ', 'mail to: <', 'user "', ''),
        fc.constantFrom(' refused', '> bounced', '" not found', ''),
        (email, before, after) => {
          const masked = maskText(`${before}${email}${after}`);
          // A leading apostrophe is read as a quote around the email, not part of it.
          const quote = /^'+/.exec(email)?.[0] ?? '';
          expect(masked).toBe(`${before}${quote}${maskEmail(email.slice(quote.length))}${after}`);
        },
      ),
    );
  });

  it('maskText returns a string with no email or JWT in it unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), (raw) => {
        const text = raw.replaceAll('@', ' at ').replaceAll('eyJ', 'ey J');
        expect(maskText(text)).toBe(text);
      }),
    );
  });

  it('maskEmail, maskPhone and maskText never throw on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), (text) => {
        expect(typeof maskEmail(text)).toBe('string');
        expect(typeof maskText(text)).toBe('string');
        const phone = maskPhone(text);
        expect(phone.replace(/[^\d]/g, '').length).toBeLessThanOrEqual(2);
      }),
    );
  });

  it('redact never throws and never lets a secret-keyed value through', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true }),
        (value) => {
          const entry = { value, password: SENTINEL, nested: { otp: SENTINEL, list: [value] } };
          const text = JSON.stringify(redact(entry));
          expect(text).not.toContain(SENTINEL);
          expect(() => JSON.stringify(value, redactingReplacer)).not.toThrow();
        },
      ),
    );
  });
});

describe('env helpers with arbitrary strings', () => {
  const JsonShape = z.object({ a: z.array(z.number()) });
  const helpers: ((name: string, env: Record<string, string>) => unknown)[] = [
    (name, env) => getStringFromEnv(name, { env }),
    (name, env) => getOptionalStringFromEnv(name, { env }),
    (name, env) => getIntFromEnv(name, { env, min: -5, max: 5 }),
    (name, env) => getBooleanFromEnv(name, { env }),
    (name, env) => getEnumFromEnv(name, ['a', 'b'] as const, { env }),
    (name, env) => getListFromEnv(name, { env }),
    (name, env) => getJsonFromEnv(name, JsonShape, { env }),
  ];

  it('throw only a ConfigError naming the variable', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...helpers),
        fc.string({ minLength: 1 }),
        fc.option(
          fc.oneof(
            fc.string({ unit: 'grapheme' }),
            fc.string({ unit: 'binary-ascii' }),
            fc.constantFrom(' 42 ', '-0', '1e3', 'TRUE', 'a', '{"a":[1]}', '{"a":"x"}', '\u0000'),
          ),
          { nil: undefined },
        ),
        (helper, name, raw) => {
          const env: Record<string, string> = raw === undefined ? {} : { [name]: raw };
          try {
            helper(name, env);
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as ConfigError).variable).toBe(name);
            expect((error as ConfigError).message).toContain(`Environment variable ${name} `);
          }
        },
      ),
    );
  });

  it('getJsonFromEnv never repeats the variable’s text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const raw = `${JSON.stringify(value)}${SENTINEL}`;
        try {
          getJsonFromEnv('RULES', z.unknown(), { env: { RULES: raw } });
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message).not.toContain(SENTINEL);
        }
      }),
    );
  });
});
