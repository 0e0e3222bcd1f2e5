/**
 * Whatever text an admin saves as a rules file, the parser answers a RulesError (never
 * anything else), and every syntax problem says where: a line inside the text and a
 * column, as an editor shows them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RulesError } from '../../src/errors.js';
import { parseRulesText } from '../../src/load.js';

const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'rules:',
        '  - name: a',
        '    then: {',
        ']',
        '- [',
        'x: "',
        "'",
        '  : :',
        '\t- b',
      ),
      fc.string({ maxLength: 20 }),
    ),
    { maxLength: 8 },
  )
  .map((lines) => lines.join('\n'));

describe('parseRulesText on any text', () => {
  it('throws only RulesError, and each syntax problem names a line and column inside the text', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        try {
          parseRulesText(text, 'rules.yaml');
        } catch (error) {
          expect(error).toBeInstanceOf(RulesError);
          const lineCount = text.split('\n').length;
          for (const problem of (error as RulesError).problems) {
            if (problem.field !== '(syntax)') continue;
            const at = /\(line (\d+), column (\d+)\)$/.exec(problem.message);
            if (at === null) {
              // Alias resolution errors come after parsing and have no position.
              expect(problem.message).not.toMatch(/line \d+$/);
              continue;
            }
            expect(Number(at[1])).toBeGreaterThanOrEqual(1);
            expect(Number(at[1])).toBeLessThanOrEqual(lineCount + 1);
            expect(Number(at[2])).toBeGreaterThanOrEqual(1);
          }
        }
      }),
    );
  });
});
