import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { issueProblems, parseYamlText, protoKeyPaths } from '../../src/rules-text.js';

describe('parseYamlText', () => {
  it('reads YAML and JSON to plain values', () => {
    expect(parseYamlText('rules:\n  - id: a\n    n: 1\n')).toEqual({
      value: { rules: [{ id: 'a', n: 1 }] },
    });
    expect(parseYamlText('{"rules": [{"id": "a"}]}')).toEqual({ value: { rules: [{ id: 'a' }] } });
  });

  it('names each syntax problem with its line and column, once', () => {
    const parsed = parseYamlText('rules:\n  - id: a\n  id: b\nrules: []\n');
    expect('problems' in parsed && parsed.problems.length).toBeGreaterThan(0);
    const problems = 'problems' in parsed ? parsed.problems : [];
    for (const problem of problems) {
      expect(problem.field).toBe('(syntax)');
      expect(problem.message).toMatch(/\(line \d+, column \d+\)$/);
      expect(problem.message).not.toMatch(/at line \d+, column \d+/);
    }
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    const parsed = parseYamlText(bomb);
    expect('problems' in parsed).toBe(true);
    expect('problems' in parsed && parsed.cause).toBeInstanceOf(Error);
  });

  it('answers any text with a value or problems, never a throw (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const parsed = parseYamlText(text);
        expect('value' in parsed || ('problems' in parsed && parsed.problems.length > 0)).toBe(
          true,
        );
      }),
    );
  });
});

describe('issueProblems', () => {
  const Rule = z.strictObject({
    id: z.string(),
    when: z.union([
      z.strictObject({ equals: z.string() }),
      z.strictObject({ in: z.array(z.string()) }),
    ]),
  });

  it('names every unknown key by its full path, under a prefix', () => {
    const result = Rule.safeParse({ id: 'a', when: { equals: 'x' }, colour: 1, shade: 2 });
    if (result.success) throw new Error('should fail');
    expect(issueProblems(result.error.issues, { prefix: ['rules', '0'] })).toEqual([
      { field: 'rules.0.colour', message: 'is not a known field' },
      { field: 'rules.0.shade', message: 'is not a known field' },
    ]);
  });

  it('reports the union branch that got furthest when asked, zod’s summary otherwise', () => {
    const result = Rule.safeParse({ id: 'a', when: { in: 'x' } });
    if (result.success) throw new Error('should fail');
    const furthest = issueProblems(result.error.issues, { unions: 'furthest' });
    expect(furthest.map((problem) => problem.field)).toContain('when.in');
    const summary = issueProblems(result.error.issues);
    expect(summary).toHaveLength(1);
    expect(summary[0]?.field).toBe('when');
  });
});

describe('protoKeyPaths', () => {
  it('finds __proto__ keys at any depth, which a schema would drop silently', () => {
    const value = JSON.parse('{"rules": [{"id": "a", "then": {"__proto__": {"x": 1}}}]}');
    expect(protoKeyPaths(value)).toEqual(['rules.0.then.__proto__']);
    expect(protoKeyPaths({ rules: [] })).toEqual([]);
    expect(protoKeyPaths('text')).toEqual([]);
  });
});
