/**
 * Typed, validated environment configuration. Each helper reads one variable, trims
 * it, and throws a {@link ConfigError} naming the variable and the problem, so a bad
 * deployment fails at cold start instead of on a user's sign-in.
 *
 * @example
 * ```ts
 * const config = {
 *   maxAttempts: getIntFromEnv('MAX_ATTEMPTS', { min: 1, max: 10, defaultValue: 3 }),
 *   sender: getStringFromEnv('MAIL_FROM'),
 * };
 * ```
 */
import * as z from 'zod/v4/core';
// English issue messages whichever zod build made the schema.
import './zod-locale.js';
import { ConfigError } from './errors.js';

// Config modules import `@authwatch/kit/env` alone (no SDK, no Powertools): the error
// they throw comes with it.
export { ConfigError };

type Env = Record<string, string | undefined>;

interface Source {
  /** Where to read from; `process.env` unless given (tests pass a plain object). */
  env?: Env;
}

function read(name: string, env: Env | undefined): string | undefined {
  const source = env ?? process.env;
  // Own properties only: `constructor` or `toString` must not read Object.prototype.
  const raw = Object.hasOwn(source, name) ? source[name] : undefined;
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A required string: throws "Environment variable X is required" when unset or blank. */
export function getStringFromEnv(
  name: string,
  options: Source & { defaultValue?: string } = {},
): string {
  const value = read(name, options.env) ?? options.defaultValue;
  if (value === undefined) throw new ConfigError(name, 'is required');
  return value;
}

/** An optional string: `undefined` when unset or blank. */
export function getOptionalStringFromEnv(name: string, options: Source = {}): string | undefined {
  return read(name, options.env);
}

/** An integer within `[min, max]`. */
export function getIntFromEnv(
  name: string,
  options: Source & { min?: number; max?: number; defaultValue?: number } = {},
): number {
  const raw = read(name, options.env);
  if (raw === undefined) {
    if (options.defaultValue === undefined) throw new ConfigError(name, 'is required');
    return options.defaultValue;
  }
  if (!/^[+-]?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new ConfigError(name, `is out of range, got "${raw}"`);
  const { min, max } = options;
  if (min !== undefined && value < min)
    throw new ConfigError(name, `must be at least ${min}, got ${value}`);
  if (max !== undefined && value > max)
    throw new ConfigError(name, `must be at most ${max}, got ${value}`);
  return value;
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A boolean: true/false, 1/0, yes/no, on/off (any case). */
export function getBooleanFromEnv(
  name: string,
  options: Source & { defaultValue?: boolean } = {},
): boolean {
  const raw = read(name, options.env);
  if (raw === undefined) {
    if (options.defaultValue === undefined) throw new ConfigError(name, 'is required');
    return options.defaultValue;
  }
  const lower = raw.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/** One of a fixed set of strings (case-sensitive). */
export function getEnumFromEnv<const T extends readonly string[]>(
  name: string,
  allowed: T,
  options: Source & { defaultValue?: T[number] } = {},
): T[number] {
  const raw = read(name, options.env);
  if (raw === undefined) {
    if (options.defaultValue === undefined) throw new ConfigError(name, 'is required');
    return options.defaultValue;
  }
  if (!allowed.includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T[number];
}

/** A comma-separated list; items are trimmed and empty items dropped. */
export function getListFromEnv(
  name: string,
  options: Source & { defaultValue?: string[] } = {},
): string[] {
  const raw = read(name, options.env);
  if (raw === undefined) {
    if (options.defaultValue === undefined) throw new ConfigError(name, 'is required');
    return options.defaultValue;
  }
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * A JSON value checked against a zod schema. The error names the variable and the
 * path that failed, never the value (it may hold a secret).
 */
export function getJsonFromEnv<S extends z.$ZodType>(
  name: string,
  schema: S,
  options: Source & { defaultValue?: z.output<S> } = {},
): z.output<S> {
  const raw = read(name, options.env);
  if (raw === undefined) {
    if (options.defaultValue === undefined) throw new ConfigError(name, 'is required');
    return options.defaultValue;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    // JSON.parse's message quotes the text, which may hold a secret: keep the position only.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ConfigError(
      name,
      `is not valid JSON${position === undefined ? '' : ` (at character ${position})`}`,
    );
  }
  const result = z.safeParse(schema, parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new ConfigError(
      name,
      `does not match its schema${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}
