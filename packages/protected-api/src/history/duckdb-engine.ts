/**
 * The offline history engine: embedded DuckDB over the audit objects the local Firehose
 * writes (NDJSON, any folder layout under the audit dir). The objects are loaded into
 * one table on first use and then incrementally: a query first lists the files and
 * loads only those that are new or have grown, so a page that polls does not re-read
 * 100,000 events each time. DuckDB's typed NDJSON reader loads only the columns the
 * queries use (about 0.8 s for 100,000 events here); the whole object of a drill-down
 * is read back from its file. The `authwatch_events` view over that table is what every
 * SQL text reads, as the Athena view does in AWS.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type HistoryEngine, HistoryQueryError, type Row, type SqlValue } from './engine.js';
import { EVENTS_VIEW } from './sql.js';

const TABLE = 'authwatch_events_loaded';

/** Which parts of each OCSF object become typed columns (json_transform structures). */
const STRUCTS = {
  metadata: { uid: 'VARCHAR', event_code: 'VARCHAR' },
  user: { name: 'VARCHAR', uid: 'VARCHAR' },
  src_endpoint: { ip: 'VARCHAR', location: { country: 'VARCHAR' } },
  unmapped: { clientId: 'VARCHAR', reason: 'VARCHAR', group: 'JSON' },
  finding_info: {
    uid: 'VARCHAR',
    title: 'VARCHAR',
    analytic: { uid: 'VARCHAR', name: 'VARCHAR' },
    first_seen_time: 'BIGINT',
    last_seen_time: 'BIGINT',
    related_events: 'JSON',
  },
} as const;

/** Columns kept as JSON text (a finding's evidence list). */
const JSON_COLUMNS = { evidences: 'JSON' } as const;

const SCALARS = {
  time: 'BIGINT',
  class_uid: 'INTEGER',
  activity_id: 'INTEGER',
  type_name: 'VARCHAR',
  status_id: 'INTEGER',
  severity_id: 'INTEGER',
  status_detail: 'VARCHAR',
  message: 'VARCHAR',
  is_new_logon: 'BOOLEAN',
} as const;

/** The typed reader's `columns`: every column the view has, as DuckDB types. */
const READ_COLUMNS = `{${[
  ...Object.entries(SCALARS).map(([name, type]) => `'${name}': '${type}'`),
  ...Object.entries(STRUCTS).map(([name, inner]) => `'${name}': '${structType(inner)}'`),
  ...Object.entries(JSON_COLUMNS).map(([name, type]) => `'${name}': '${type}'`),
].join(', ')}}`;
const COLUMN_NAMES = [
  ...Object.keys(SCALARS),
  ...Object.keys(STRUCTS),
  ...Object.keys(JSON_COLUMNS),
];

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Every file under a folder (recursively), with its size; a missing folder has none. */
async function listFiles(dir: string): Promise<Map<string, number>> {
  const files = new Map<string, number>();
  let entries: { name: string; parentPath: string; isFile(): boolean }[];
  try {
    entries = (await readdir(dir, { recursive: true, withFileTypes: true })) as typeof entries;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path).catch(() => undefined);
    if (info && info.size > 0) files.set(path, info.size);
  }
  return files;
}

/** Row values as plain JSON values (DuckDB's BIGINT arrives as bigint). */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  }
  return value;
}

/** Integers bind as BIGINT (a double would make `(time - ?) / ?` fractional). */
function bindable(value: SqlValue): SqlValue | bigint {
  return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
}

export interface DuckDbEngineOptions {
  /** The audit folder (the local stack's `.local/audit`). */
  auditDir: string;
}

export function createDuckDbEngine(options: DuckDbEngineOptions): HistoryEngine & {
  /** Files loaded so far (tests, benchmarks). */
  loadedFiles(): number;
} {
  let connection: Promise<DuckDBConnection> | undefined;
  const loaded = new Map<string, number>();
  let refreshing: Promise<void> | undefined;

  const connect = async (): Promise<DuckDBConnection> => {
    // Loaded on first use: the native module costs nothing until a history route runs.
    // Loaded here, not at the top: a Lambda in AWS (Athena) never loads the native module,
    // and infra's bundling leaves `@duckdb/*` out.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const columns = [
      'file VARCHAR',
      ...Object.entries(SCALARS).map(([name, type]) => `"${name}" ${type}`),
      ...Object.keys(STRUCTS).map(
        (name) => `"${name}" ${structType(STRUCTS[name as keyof typeof STRUCTS])}`,
      ),
      ...Object.entries(JSON_COLUMNS).map(([name, type]) => `"${name}" ${type}`),
    ];
    await conn.run(`CREATE TABLE ${TABLE} (${columns.join(', ')})`);
    await conn.run(`CREATE VIEW ${EVENTS_VIEW} AS SELECT * EXCLUDE (file) FROM ${TABLE}`);
    return conn;
  };

  const refresh = async (conn: DuckDBConnection): Promise<void> => {
    // Delivered objects are under ext/ (one folder per source); errors/ holds records
    // Firehose could not deliver, which are no events.
    const files = await listFiles(join(options.auditDir, 'ext'));
    const changed = [...files].filter(([path, size]) => loaded.get(path) !== size);
    if (changed.length === 0) return;
    const list = `[${changed.map(([path]) => sqlString(path)).join(', ')}]`;
    const typed = COLUMN_NAMES.map((name) => `"${name}"`).join(', ');
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(`DELETE FROM ${TABLE} WHERE file IN (SELECT unnest(${list}))`);
      await conn.run(`INSERT INTO ${TABLE}
SELECT filename, ${typed}
FROM read_json(${list}, format = 'newline_delimited', filename = true, ignore_errors = true,
  columns = ${READ_COLUMNS})`);
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    for (const [path, size] of changed) loaded.set(path, size);
  };

  return {
    async query(sql, params) {
      try {
        connection ??= connect();
        const conn = await connection;
        // One refresh at a time; queries arriving meanwhile wait for it.
        refreshing ??= refresh(conn).finally(() => {
          refreshing = undefined;
        });
        await refreshing;
        const reader = await conn.runAndReadAll(sql, params.map(bindable) as never);
        return reader.getRowObjectsJS().map((row) => plain(row) as Row);
      } catch (error) {
        throw new HistoryQueryError(`DuckDB: ${(error as Error).message}`, { cause: error });
      }
    },
    loadedFiles: () => loaded.size,
    async wholeEvent(uid, time) {
      connection ??= connect();
      const conn = await connection;
      const found = await conn.runAndReadAll(
        `SELECT file FROM ${TABLE} WHERE "time" = ? AND "metadata"."uid" = ? LIMIT 1`,
        [BigInt(time), uid],
      );
      const file = found.getRowObjectsJS()[0]?.file;
      if (typeof file !== 'string') return undefined;
      const read = await conn.runAndReadAll(
        `SELECT json FROM read_ndjson_objects(${sqlString(file)}, ignore_errors = true)
WHERE json ->> '$.metadata.uid' = ? LIMIT 1`,
        [uid],
      );
      const json = read.getRowObjectsJS()[0]?.json;
      return typeof json === 'string' ? JSON.parse(json) : undefined;
    },
    async close() {
      if (!connection) return;
      const conn = await connection.catch(() => undefined);
      conn?.closeSync();
      connection = undefined;
    },
  };
}

type Structure = string | { readonly [key: string]: Structure };

/** The DuckDB STRUCT type of a json_transform structure. */
function structType(structure: Structure): string {
  if (typeof structure === 'string') return structure;
  return `STRUCT(${Object.entries(structure)
    .map(([name, inner]) => `"${name}" ${structType(inner)}`)
    .join(', ')})`;
}
