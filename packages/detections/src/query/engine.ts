/**
 * One query module, two engines: Athena in AWS and embedded DuckDB offline run the same
 * SQL text with the same positional parameters. Rows come back as plain objects whose
 * values are strings, numbers, arrays or null; `num`/`jsonList` read them the same way
 * whichever engine produced them (Athena returns every value as a string).
 */

/** A bound parameter value: a number (epoch ms) or a string (a `yyyyMMdd` day). */
export type QueryParam = number | string;

export interface QueryResult {
  rows: Record<string, unknown>[];
  /** Bytes the engine read (Athena's DataScannedInBytes; undefined for DuckDB). */
  bytesScanned?: number;
}

export interface QueryEngine {
  readonly name: 'athena' | 'duckdb';
  /** Runs one SELECT with `?` parameters. Throws a QueryError when it cannot. */
  query(
    sql: string,
    params: readonly QueryParam[],
    options?: { signal?: AbortSignal },
  ): Promise<QueryResult>;
  /** Frees what the engine holds (DuckDB's instance). */
  close(): Promise<void>;
}

/** A number from an engine's value (a JS number, a bigint, or its decimal text). */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  throw new TypeError(`not a number: ${JSON.stringify(value)}`);
}

/** A list of strings from an engine's value (JSON text, as the queries produce, or a list). */
export function jsonList(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(parsed)) throw new TypeError(`not a JSON list: ${String(value).slice(0, 80)}`);
  return parsed.filter((item) => item !== null && item !== undefined).map((item) => String(item));
}
