/**
 * Base filters (Sigma-style maps over OCSF fields) to SQL boolean expressions, with
 * the checks that need the field catalogue: unknown fields, unknown modifiers, values
 * of the wrong type. Problems are reported through `problem(field, message)` with the
 * dotted path inside the rule, so the loader names the rule and the field.
 */
import { type FieldSpec, fieldSpec } from '../fields.js';
import type { Filter, Scalar } from '../schema.js';
import { sqlLikePattern, sqlScalar } from './literals.js';

export type Problem = (field: string, message: string) => void;

const MODIFIERS = [
  'contains',
  'startswith',
  'endswith',
  'exists',
  'gte',
  'lte',
  'gt',
  'lt',
] as const;
type Modifier = (typeof MODIFIERS)[number];
const COMPARISON: Record<'gte' | 'lte' | 'gt' | 'lt', string> = {
  gte: '>=',
  lte: '<=',
  gt: '>',
  lt: '<',
};

// Control characters have no place in a filter value and would confuse a reader of the SQL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function checkValue(spec: FieldSpec, value: Scalar, at: string, problem: Problem): boolean {
  switch (spec.type) {
    case 'int':
    case 'bigint':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        problem(at, `must be an integer (the field is ${spec.type}), got ${JSON.stringify(value)}`);
        return false;
      }
      return true;
    case 'double':
      if (typeof value !== 'number') {
        problem(at, `must be a number, got ${JSON.stringify(value)}`);
        return false;
      }
      return true;
    case 'boolean':
      if (typeof value !== 'boolean') {
        problem(at, `must be true or false, got ${JSON.stringify(value)}`);
        return false;
      }
      return true;
    case 'string':
      if (typeof value !== 'string') {
        problem(at, `must be a string, got ${JSON.stringify(value)}`);
        return false;
      }
      if (CONTROL.test(value)) {
        problem(at, 'must not contain control characters');
        return false;
      }
      return true;
  }
}

function condition(
  spec: FieldSpec,
  modifier: Modifier | undefined,
  values: Scalar[],
  at: string,
  problem: Problem,
): string | undefined {
  const expr = spec.sql;
  if (modifier === 'exists') {
    const [value] = values;
    if (values.length !== 1 || typeof value !== 'boolean') {
      problem(at, 'exists takes true or false');
      return undefined;
    }
    return value ? `${expr} IS NOT NULL` : `${expr} IS NULL`;
  }
  if (modifier === 'contains' || modifier === 'startswith' || modifier === 'endswith') {
    if (spec.type !== 'string') {
      problem(at, `${modifier} needs a string field, this one is ${spec.type}`);
      return undefined;
    }
    const ok = values.every((value, index) =>
      checkValue(spec, value, values.length > 1 ? `${at}.${index}` : at, problem),
    );
    if (!ok) return undefined;
    // Case-insensitive, as Sigma's modifiers are.
    const parts = values.map(
      (value) => `lower(${expr}) LIKE ${sqlLikePattern(String(value).toLowerCase(), modifier)}`,
    );
    return parts.length === 1 ? (parts[0] as string) : `(${parts.join(' OR ')})`;
  }
  if (modifier !== undefined) {
    if (spec.type === 'string' || spec.type === 'boolean') {
      problem(at, `${modifier} needs a numeric field, this one is ${spec.type}`);
      return undefined;
    }
    const [value] = values;
    if (values.length !== 1 || typeof value !== 'number') {
      problem(at, `${modifier} takes one number`);
      return undefined;
    }
    return `${expr} ${COMPARISON[modifier]} ${sqlScalar(value)}`;
  }
  const ok = values.every((value, index) =>
    checkValue(spec, value, values.length > 1 ? `${at}.${index}` : at, problem),
  );
  if (!ok) return undefined;
  if (values.length === 1) return `${expr} = ${sqlScalar(values[0] as Scalar)}`;
  return `${expr} IN (${values.map(sqlScalar).join(', ')})`;
}

/**
 * Compiles a filter to a SQL boolean expression (`true` for an empty filter). Returns
 * undefined when the filter has a problem (each one reported).
 */
export function compileFilter(filter: Filter, at: string, problem: Problem): string | undefined {
  const parts: string[] = [];
  let failed = false;
  for (const [key, raw] of Object.entries(filter)) {
    const path = `${at}.${key}`;
    if (key === 'not') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        problem(path, 'not takes a filter (a map of conditions)');
        failed = true;
        continue;
      }
      const inner = compileFilter(raw as Filter, path, problem);
      // A NULL inside must not make the negation NULL (an event without the field is "not" it).
      if (inner === undefined) failed = true;
      else parts.push(`NOT coalesce((${inner}), false)`);
      continue;
    }
    if (key === 'any') {
      if (!Array.isArray(raw) || raw.some((item) => item === null || typeof item !== 'object')) {
        problem(path, 'any takes a list of filters');
        failed = true;
        continue;
      }
      const inner = (raw as Filter[]).map((item, index) =>
        compileFilter(item, `${path}.${index}`, problem),
      );
      if (inner.some((item) => item === undefined)) failed = true;
      else parts.push(`(${inner.map((item) => `coalesce((${item}), false)`).join(' OR ')})`);
      continue;
    }
    const [name = '', modifierText, ...rest] = key.split('|');
    const spec = fieldSpec(name);
    if (!spec) {
      problem(path, `${name} is not a known OCSF field (see the README's field table)`);
      failed = true;
      continue;
    }
    if (
      rest.length > 0 ||
      (modifierText !== undefined && !MODIFIERS.includes(modifierText as Modifier))
    ) {
      problem(
        path,
        `unknown modifier "${key.slice(name.length + 1)}" (one of ${MODIFIERS.join(', ')})`,
      );
      failed = true;
      continue;
    }
    const values = Array.isArray(raw) ? raw : [raw];
    if (!values.every(isScalar)) {
      problem(path, 'takes a value or a list of values');
      failed = true;
      continue;
    }
    const sql = condition(spec, modifierText as Modifier | undefined, values, path, problem);
    if (sql === undefined) failed = true;
    else parts.push(sql);
  }
  if (failed) return undefined;
  return parts.length === 0 ? 'true' : parts.join(' AND ');
}

/**
 * The filter of a sequence's event step: the rule's base filter and the step's own (the
 * base filter holds for every event a rule looks at). Undefined when either has problems.
 */
export function stepFilter(
  base: Filter,
  step: Filter,
  index: number,
  problem: Problem,
): string | undefined {
  const baseSql = compileFilter(base, 'filter', problem);
  const stepSql = compileFilter(step, `correlation.sequence.${index}.filter`, problem);
  return baseSql === undefined || stepSql === undefined
    ? undefined
    : `(${baseSql}) AND (${stepSql})`;
}
