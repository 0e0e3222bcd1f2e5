import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RulesError } from '../../src/errors.js';
import { loadRulesText, validateRules } from '../../src/load.js';
import { sqlLikePattern, sqlString } from '../../src/sql/literals.js';

// The filter refuses control characters; everything else must survive quoting.
const printable = fc
  .string({ unit: 'grapheme', maxLength: 40 })
  .filter((s) => ![...s].some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f'));

describe('rules files from anywhere', () => {
  it('either load or fail with a RulesError, for any YAML text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          loadRulesText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(RulesError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('either load or fail with a RulesError naming a field, for any JSON value', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (rules, correlation) => {
        for (const raw of [{ rules }, { rules: [{ id: 'x-1', correlation, filter: rules }] }]) {
          try {
            validateRules(raw);
          } catch (error) {
            expect(error).toBeInstanceOf(RulesError);
            for (const problem of (error as RulesError).problems)
              expect(typeof problem.field).toBe('string');
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('filter values in SQL', () => {
  let instance: DuckDBInstance;
  let run: (sql: string) => Promise<unknown>;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    run = async (sql) => (await connection.runAndReadAll(sql)).getRows()[0]?.[0];
  });
  afterAll(() => instance.closeSync());

  it('are literals that read back as the very value, whatever it holds', async () => {
    await fc.assert(
      fc.asyncProperty(printable, async (value) => {
        expect(await run(`SELECT ${sqlString(value)}`)).toBe(value);
      }),
      { numRuns: 200 },
    );
  });

  it('match with contains exactly when the text contains the value (%, _ and \\ are literal)', async () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'B', '%', '_', '\\', "'", ' '),
      maxLength: 12,
    });
    await fc.assert(
      fc.asyncProperty(text, text, async (haystack, needle) => {
        const matched = await run(
          `SELECT lower(${sqlString(haystack)}) LIKE ${sqlLikePattern(needle.toLowerCase(), 'contains')}`,
        );
        expect(matched).toBe(haystack.toLowerCase().includes(needle.toLowerCase()));
      }),
      { numRuns: 200 },
    );
  });
});
