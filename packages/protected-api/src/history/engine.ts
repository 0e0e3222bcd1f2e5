/**
 * What the history routes need from a query engine: run one SQL text with positional
 * parameters over the `authwatch_events` view and hand back plain rows. DuckDB serves
 * it offline (`duckdb-engine.ts`); Athena in AWS. The narrow interface is what the
 * detections package's query module will implement once it is on main.
 */
export type SqlValue = string | number | boolean | null;
export type Row = Record<string, unknown>;

export interface HistoryEngine {
  /** Runs `sql` with `params` bound in order to its `?` marks. */
  query(sql: string, params: readonly SqlValue[]): Promise<Row[]>;
  /**
   * The whole stored object of an event, where the engine can read it (DuckDB reads it
   * from its NDJSON object); without it, the drill-down answers the view's columns.
   */
  wholeEvent?(uid: string, time: number): Promise<unknown>;
  close?(): Promise<void>;
}

/** A query the engine could not run (its message is logged, never shown to callers). */
export class HistoryQueryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HistoryQueryError';
  }
}
