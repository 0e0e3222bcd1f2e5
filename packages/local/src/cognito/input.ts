/** Readers of request input (strings, string maps, attribute lists) and list pagination. */
import { CognitoError, invalidParameter } from './errors.js';

export type Json = Record<string, unknown>;

export function str(input: Json, key: string, required = true): string {
  const value = input[key];
  if (typeof value === 'string' && value.length > 0) return value;
  if (!required && (value === undefined || value === null)) return '';
  throw invalidParameter(
    `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must not be null`,
  );
}

export function record(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParameter('Expected a map of strings');
  }
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' && key !== '__proto__') out[key] = item;
  }
  return out;
}

/** A string map in a trigger's answer (strings kept, as `record` does for a request). */
export function lambdaStringMap(value: unknown): Record<string, string> {
  try {
    return record(value);
  } catch {
    throw new CognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
  }
}

/** A value named in an error message, whatever the caller sent. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? value : typeof value;
}

export function attributesMap(list: unknown): Record<string, string> {
  if (!Array.isArray(list)) return record(list);
  const out: Record<string, string> = {};
  for (const item of list as { Name?: unknown; Value?: unknown }[]) {
    if (typeof item?.Name === 'string')
      out[item.Name] = typeof item.Value === 'string' ? item.Value : '';
  }
  return out;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function paginate<T>(
  items: T[],
  input: Json,
  maxLimit: number,
  map: (item: T) => unknown,
  listKey: string,
  tokenKey: string,
): Json {
  const limit =
    typeof input.Limit === 'number' && input.Limit > 0 ? Math.min(input.Limit, maxLimit) : maxLimit;
  const tokenIn = input[tokenKey] ?? input.NextToken ?? input.PaginationToken;
  let start = 0;
  if (typeof tokenIn === 'string') {
    start = Number.parseInt(Buffer.from(tokenIn, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(start) || start < 0) throw invalidParameter('Invalid pagination token');
  }
  const page = items.slice(start, start + limit);
  const next =
    start + limit < items.length
      ? Buffer.from(String(start + limit)).toString('base64url')
      : undefined;
  return { [listKey]: page.map(map), ...(next ? { [tokenKey]: next } : {}) };
}
