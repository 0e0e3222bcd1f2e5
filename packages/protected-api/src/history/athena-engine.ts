/**
 * The history routes on Athena (AWS): the detections package's query module runs the
 * same SQL texts as DuckDB offline, in the audit workgroup and database, with the
 * routes' `?` values as ExecutionParameters. Its deadline is under the function's
 * timeout, so a slow query is a 502 the page shows, not a Lambda timeout.
 */

import { AthenaEngine } from '@authwatch/detections/athena';
import type { AthenaClient } from '@aws-sdk/client-athena';
import { type HistoryEngine, HistoryQueryError, type SqlValue } from './engine.js';

export interface AthenaHistoryOptions {
  workGroup: string;
  database: string;
  /** Longest time one query may take (default 8 s: the API function has 10). */
  timeoutMs?: number;
  /** The SDK client (tests). */
  client?: AthenaClient;
  sleep?: (ms: number) => Promise<void>;
}

export function createAthenaHistoryEngine(options: AthenaHistoryOptions): HistoryEngine {
  const engine = new AthenaEngine({
    workGroup: options.workGroup,
    database: options.database,
    timeoutMs: options.timeoutMs ?? 8_000,
    ...(options.client ? { client: options.client } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  const parameter = (value: SqlValue): string | number => {
    if (typeof value === 'string' || typeof value === 'number') return value;
    throw new HistoryQueryError(`Athena: a parameter must be a string or a number, not ${value}`);
  };
  return {
    async query(sql, params) {
      try {
        return (await engine.query(sql, params.map(parameter))).rows;
      } catch (error) {
        if (error instanceof HistoryQueryError) throw error;
        throw new HistoryQueryError((error as Error).message, { cause: error });
      }
    },
    close: () => engine.close(),
  };
}
