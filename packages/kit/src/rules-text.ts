/**
 * What the two rules files (the claims rules of pre-token-generation and the detection
 * rules) share when they read outside input: YAML or JSON text to a plain value, with
 * every syntax problem at its line and column; zod's issues as field problems (an
 * unknown key named by its full path); and the `__proto__` keys that YAML and
 * `JSON.parse` keep but a schema would drop without a word. Each package wraps the
 * problems in its own error, with its own way of naming a rule.
 *
 * @example
 * ```ts
 * const parsed = parseYamlText(text);
 * if ('problems' in parsed) throw new RulesError(source, parsed.problems);
 * ```
 */
import { LineCounter, parseDocument } from 'yaml';
import type * as z from 'zod';

/** One problem of a text: the dotted field it is about, and what is wrong. */
export interface TextProblem {
  field: string;
  message: string;
}

/**
 * Parses YAML or JSON (JSON is YAML) with unique keys and at most 100 alias expansions
 * (an alias bomb is a problem, not a hang). Syntax problems have the field `(syntax)`
 * and say where they are: `(line L, column C)`.
 */
export function parseYamlText(
  text: string,
): { value: unknown } | { problems: TextProblem[]; cause?: unknown } {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter: lines,
  });
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((error) => {
        const at = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
        // The parser's first line ends with its own "at line L, column C": say it once.
        const message = (error.message.split('\n')[0] ?? '').replace(
          / at line \d+, column \d+:?$/,
          '',
        );
        return {
          field: '(syntax)',
          message: `${message}${at ? ` (line ${at.line}, column ${at.col})` : ''}`,
        };
      }),
    };
  }
  try {
    // Aliases are resolved here: an unknown anchor or an alias bomb throws.
    return { value: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { problems: [{ field: '(syntax)', message: (error as Error).message }], cause: error };
  }
}

/**
 * zod's issues as field problems: an unrecognised key is named by its full path (one
 * problem per key). With `unions: 'furthest'`, a failed union (a filter value, a
 * sequence step) reports the branch that got furthest instead of zod's summary.
 */
export function issueProblems(
  issues: readonly z.core.$ZodIssue[],
  options: { prefix?: readonly string[]; unions?: 'summary' | 'furthest' } = {},
): TextProblem[] {
  const prefix = options.prefix ?? [];
  return issues.flatMap((issue) => {
    const base = [...prefix, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: base ? `${base}.${key}` : key,
        message: 'is not a known field',
      }));
    }
    if (
      options.unions === 'furthest' &&
      issue.code === 'invalid_union' &&
      issue.errors.length > 0
    ) {
      const best = [...issue.errors].sort((a, b) => b.length - a.length)[0] ?? [];
      const nested = best.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
      if (nested.length > 0) return issueProblems(nested as z.core.$ZodIssue[], options);
    }
    return [{ field: base, message: issue.message }];
  });
}

/** Paths of own `__proto__` keys (YAML and JSON.parse keep them; zod would drop them silently). */
export function protoKeyPaths(value: unknown, path: readonly string[] = []): string[] {
  if (value === null || typeof value !== 'object') return [];
  const found: string[] = [];
  for (const key of Object.keys(value)) {
    const at = [...path, key];
    if (key === '__proto__') found.push(at.join('.'));
    found.push(...protoKeyPaths((value as Record<string, unknown>)[key], at));
  }
  return found;
}
