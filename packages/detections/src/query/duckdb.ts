/**
 * The DuckDB engine: embedded `@duckdb/node-api`, in memory, over a folder of audit
 * objects (the local stack's `.local/audit`, or any folder of exported NDJSON or
 * Parquet objects). The native module is loaded on first use, so a process that never
 * runs a query (the local stack at start) does not pay for it.
 */
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QueryError } from '../errors.js';
import { BASELINES_COLUMNS, BASELINES_PARTITION_KEYS, BASELINES_TABLE } from '../sql/baselines.js';
import { DUCKDB_MACROS } from './duckdb-shim.js';
import { flatFolderViewSql } from './duckdb-view.js';
import type { QueryEngine, QueryParam, QueryResult } from './engine.js';

type DuckModule = typeof import('@duckdb/node-api');
type Connection = Awaited<
  ReturnType<Awaited<ReturnType<DuckModule['DuckDBInstance']['create']>>['connect']>
>;

export interface DuckDbEngineOptions {
  /** Folder of audit objects (searched recursively; hidden entries skipped). */
  dir: string;
  /**
   * Load the objects into a table at `refresh` (parsed once for all the rules) rather
   * than a view that every rule's query reads again: for backtests over many objects.
   */
  materialize?: boolean;
  /**
   * Keep the objects in a table across refreshes and load only the objects that are new
   * or have changed size since the last one (dropping those that left the day range):
   * for a long-lived engine over a folder that grows, as the local stack's detect loop
   * is, which would otherwise parse every object of the day for every rule every run.
   */
  incremental?: boolean;
}

export interface AuditFiles {
  ndjson: string[];
  parquet: string[];
  /** Whether the folder has the Security Lake layout (`ext/<source>/region=…/…`). */
  layout: boolean;
}

/**
 * The native package, resolved from this file and imported by a computed specifier:
 * bundlers leave it alone (the Lambda bundle never runs DuckDB and must not try to pack
 * a native module), and a bundle of this file (the local stack's) still finds the
 * package where this package's dependencies are installed.
 */
const DUCKDB_PACKAGE = '@duckdb/node-api';

async function loadDuckDb(): Promise<DuckModule> {
  const path = createRequire(import.meta.url).resolve(DUCKDB_PACKAGE);
  const loaded = (await import(pathToFileURL(path).href)) as DuckModule & { default?: DuckModule };
  return loaded.DuckDBInstance ? loaded : (loaded.default as DuckModule);
}

const DAY_SEGMENT = /(?:^|[/\\])eventDay=(\d{8})(?:[/\\]|$)/i;

/**
 * Lists the audit objects under `dir`: under `ext/` when the folder has the Security
 * Lake layout (so Firehose's `errors/` output is left out), else everything. With a
 * day range, objects in an `eventDay=` folder outside it are skipped (partition pruning).
 */
export async function listAuditFiles(
  dir: string,
  days?: { from: string; to: string },
): Promise<AuditFiles> {
  const files: AuditFiles = { ndjson: [], parquet: [], layout: false };
  let root = dir;
  try {
    const top = await readdir(dir, { withFileTypes: true });
    if (top.some((entry) => entry.isDirectory() && entry.name === 'ext')) {
      root = join(dir, 'ext');
      files.layout = true;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        const day = /^eventDay=(\d{8})$/i.exec(entry.name)?.[1];
        if (day && days && (day < days.from || day > days.to)) continue;
        await walk(path);
      } else if (entry.isFile()) {
        if (entry.name.endsWith('.parquet')) files.parquet.push(path);
        else if (!/\.(md|txt|gz|zip|crc|tmp)$/i.test(entry.name)) files.ndjson.push(path);
      }
    }
  };
  await walk(root);
  files.ndjson.sort();
  files.parquet.sort();
  return files;
}

/** True when a path sits in an `eventDay=` folder (used by tests of the pruning). */
export function dayOfPath(path: string): string | undefined {
  return DAY_SEGMENT.exec(path)?.[1];
}

/** `CREATE TABLE authwatch_baselines`, DuckDB's copy of the Glue table's columns. */
export function duckdbBaselinesTableSql(): string {
  const type = (hive: string) => (hive === 'bigint' ? 'BIGINT' : 'VARCHAR');
  const columns = [...BASELINES_COLUMNS, ...BASELINES_PARTITION_KEYS]
    .map((column) => `${column.name} ${type(column.type)}`)
    .join(', ');
  return `CREATE TABLE IF NOT EXISTS ${BASELINES_TABLE} (${columns})`;
}

/** The incremental engine's table of loaded objects (`_file`: the object of each row). */
const LOADED_TABLE = 'authwatch_events_loaded';

export class DuckDbEngine implements QueryEngine {
  readonly name = 'duckdb' as const;
  private connection?: Promise<Connection>;
  private closeInstance?: () => void;
  private viewDays?: string;

  constructor(private readonly options: DuckDbEngineOptions) {}

  private connect(): Promise<Connection> {
    this.connection ??= (async () => {
      const duck = await loadDuckDb();
      const instance = await duck.DuckDBInstance.create(':memory:', { threads: '2' });
      const connection = await instance.connect();
      this.closeInstance = () => {
        connection.closeSync();
        instance.closeSync();
      };
      for (const macro of DUCKDB_MACROS) await connection.run(macro);
      // The first_seen rules' daily summaries live as long as the engine (Athena's is a
      // Glue table); a new engine builds them again from the audit objects.
      await connection.run(duckdbBaselinesTableSql());
      return connection;
    })();
    return this.connection;
  }

  /**
   * (Re)creates the view over the objects now in the folder, limited to the given
   * `eventday` range when given. Call before a run: new objects arrive all the time.
   */
  async refresh(days?: { from: string; to: string }): Promise<AuditFiles> {
    const connection = await this.connect();
    const files = await listAuditFiles(this.options.dir, days);
    // One view with declared column types over every object, whatever the folder's
    // layout. @authwatch/audit's localEventsViewSql (the layout's own view) infers struct
    // types from the records (union_by_name), and fails ("Malformed JSON") when a field's
    // shape differs between records, as it does between the admin-change records and
    // the others today; the engine moves to it once it declares its types.
    if (this.options.incremental) {
      await this.loadChanged(connection, files);
      this.viewDays = days ? `${days.from}-${days.to}` : 'all';
      return files;
    }
    const view = flatFolderViewSql(files);
    if (this.options.materialize) {
      // Parse the objects once into a table, instead of once per rule through the view.
      await connection.run(view.replace(/^CREATE OR REPLACE VIEW /, 'CREATE OR REPLACE TABLE '));
    } else {
      await connection.run(view);
    }
    this.viewDays = days ? `${days.from}-${days.to}` : 'all';
    return files;
  }

  /** Objects in the incremental table, by path: their size when loaded. */
  private readonly loaded = new Map<string, number>();
  private tableMade = false;

  private async loadChanged(connection: Connection, files: AuditFiles): Promise<void> {
    const listed = [...files.ndjson, ...files.parquet];
    const sizes = new Map<string, number>();
    await Promise.all(
      listed.map(async (path) => {
        const size = await stat(path).then(
          (info) => info.size,
          () => -1,
        );
        if (size >= 0) sizes.set(path, size);
      }),
    );
    const changed = listed.filter(
      (path) => sizes.has(path) && this.loaded.get(path) !== sizes.get(path),
    );
    const gone = [...this.loaded.keys()].filter((path) => !sizes.has(path));
    if (!this.tableMade) {
      // The table's columns are the view's (and `_file`); the view hides `_file`.
      const empty = flatFolderViewSql({ ndjson: [], parquet: [] }, { withFile: true });
      await connection.run(
        `CREATE OR REPLACE TABLE ${LOADED_TABLE} AS ${empty.replace(/^CREATE OR REPLACE VIEW authwatch_events AS\n/, '')}`,
      );
      await connection.run(
        `CREATE OR REPLACE VIEW authwatch_events AS SELECT * EXCLUDE (_file) FROM ${LOADED_TABLE}`,
      );
      this.tableMade = true;
    }
    const drop = [...gone, ...changed.filter((path) => this.loaded.has(path))];
    for (let i = 0; i < drop.length; i += 500) {
      const chunk = drop.slice(i, i + 500);
      await connection.run(
        `DELETE FROM ${LOADED_TABLE} WHERE _file IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
    }
    for (const path of gone) this.loaded.delete(path);
    if (changed.length > 0) {
      const select = flatFolderViewSql(
        {
          ndjson: changed.filter((path) => files.ndjson.includes(path)),
          parquet: changed.filter((path) => files.parquet.includes(path)),
        },
        { withFile: true },
      ).replace(/^CREATE OR REPLACE VIEW authwatch_events AS\n/, '');
      await connection.run(`INSERT INTO ${LOADED_TABLE} BY NAME ${select}`);
      for (const path of changed) this.loaded.set(path, sizes.get(path) as number);
    }
  }

  async query(sql: string, params: readonly QueryParam[]): Promise<QueryResult> {
    const connection = await this.connect();
    if (this.viewDays === undefined) await this.refresh();
    try {
      const reader = await connection.runAndReadAll(sql, params as QueryParam[]);
      return { rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
    } catch (error) {
      throw new QueryError(`DuckDB: ${(error as Error).message.split('\n')[0]}`, {
        retryable: false,
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (!this.connection) return;
    await this.connection.catch(() => undefined);
    this.closeInstance?.();
    this.connection = undefined;
    this.viewDays = undefined;
    this.loaded.clear();
    this.tableMade = false;
  }
}
