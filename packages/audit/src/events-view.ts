/**
 * The `authwatch_events` view: the union of every source's events, so that every query
 * (named queries, detections, the dashboard's history) reads one name. In AWS it is an
 * Athena view over the per-source Glue tables; offline it is a DuckDB view over the
 * local Firehose's NDJSON objects. Both are SQL text built here (no engine imported),
 * from the one source list and the one column list.
 */
import { AUDIT_COLUMNS, AUDIT_PARTITION_KEYS } from './columns.js';
import { duckdbType, parseHiveType, prestoType } from './hive-types.js';
import { sourcePrefix } from './layout.js';
import { OCSF_SOURCE_LIST, type OcsfSource, sourceNamed } from './sources.js';

/** The view's name, in Athena (in the audit database) and in DuckDB. */
export const AUTHWATCH_EVENTS_VIEW = 'authwatch_events';

/** A SQL string literal: single quotes doubled. */
function literal(text: string): string {
  if (text.includes('\0')) throw new Error('a SQL literal cannot hold a NUL character');
  return `'${text.replaceAll("'", "''")}'`;
}

/** A double-quoted SQL identifier. */
function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`${JSON.stringify(name)} is not a plain SQL identifier`);
  }
  return `"${name}"`;
}

/** Every column of the view: the OCSF columns, then the partition keys. */
const VIEW_COLUMNS = [...AUDIT_COLUMNS, ...AUDIT_PARTITION_KEYS];

function resolveSources(sources: readonly (OcsfSource | string)[]): OcsfSource[] {
  return sources.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const found = sourceNamed(entry);
    if (!found) throw new Error(`${JSON.stringify(entry)} is not a source of OCSF_SOURCES`);
    return found;
  });
}

export interface DuckdbEventsViewOptions {
  /**
   * The sources to read (default: all). DuckDB refuses a glob that matches no file, so
   * pass the sources that have objects: `presentSources(auditDir)` lists them, and
   * `localEventsViewSql(auditDir)` does both.
   */
  sources?: readonly (OcsfSource | string)[];
  /** The view's name (default `authwatch_events`). */
  name?: string;
  /**
   * The objects' format: `ndjson` (default: the local Firehose's) or `parquet` (a copy
   * of the bucket, `aws s3 sync s3://<bucket>/ext/ <dir>/ext/`).
   */
  format?: 'ndjson' | 'parquet';
}

/**
 * `CREATE OR REPLACE VIEW authwatch_events AS ...` over the NDJSON objects the local
 * Firehose writes under `auditDir` (`ext/<source>/region=…/accountId=…/eventDay=…/`),
 * for DuckDB. The columns are Athena's: the OCSF columns (typed from `AUDIT_COLUMNS`,
 * NULL when no record has the field) and the partition columns `region`, `accountid`,
 * `eventday` (text, from the folder names). DuckDB matches column and struct field
 * names case-insensitively, so `unmapped.clientid` reads the records' `clientId`.
 *
 * @example
 * ```ts
 * await connection.run(duckdbEventsViewSql('.local/audit', { sources: await presentSources('.local/audit') }));
 * await connection.runAndReadAll('SELECT count(*) FROM authwatch_events WHERE class_uid = 3002');
 * ```
 */
export function duckdbEventsViewSql(
  auditDir: string,
  options: DuckdbEventsViewOptions = {},
): string {
  const root = auditDir.replaceAll('\\', '/').replace(/\/+$/, '');
  // Typed NULLs and no row: the view has every column even before any record has it.
  const skeleton = `SELECT ${VIEW_COLUMNS.map(
    (column) =>
      `CAST(NULL AS ${duckdbType(parseHiveType(column.type))}) AS ${identifier(column.name)}`,
  ).join(', ')} WHERE false`;
  const reads = resolveSources(options.sources ?? OCSF_SOURCE_LIST).map((source) => {
    const glob = `${root}/${sourcePrefix(source)}region=*/accountId=*/eventDay=*/*`;
    return options.format === 'parquet'
      ? `SELECT * FROM read_parquet(${literal(glob)}, union_by_name = true, hive_partitioning = true, hive_types_autocast = false)`
      : `SELECT * FROM read_json(${literal(glob)}, format = 'newline_delimited', union_by_name = true, hive_partitioning = true, hive_types_autocast = false)`;
  });
  // Top-level scalars get Athena's types (JSON numbers are read as BIGINT, the table says
  // int); structs keep the merged shape of the records; fields outside the table are not
  // columns, as in Athena.
  const projection = VIEW_COLUMNS.map((column) => {
    const type = parseHiveType(column.type);
    const name = identifier(column.name);
    return type.kind === 'primitive' ? `CAST(${name} AS ${duckdbType(type)}) AS ${name}` : name;
  }).join(', ');
  const name = identifier(options.name ?? AUTHWATCH_EVENTS_VIEW);
  return `CREATE OR REPLACE VIEW ${name} AS\nSELECT ${projection} FROM (\n${[skeleton, ...reads].join('\nUNION ALL BY NAME\n')}\n)`;
}

/**
 * The `SELECT` of the Athena view: every source's table, the same columns in order.
 * `class_uid` is each branch's constant (a source holds exactly one class: the Firehose
 * partitioning and the local Firehose route every record by it), so a query that filters
 * on the class, as every detection rule does, has the other sources' branches removed at
 * planning time: Athena scans, and bills, none of their bytes.
 */
export function athenaEventsViewQuery(
  database: string,
  sources: readonly (OcsfSource | string)[] = OCSF_SOURCE_LIST,
): string {
  return resolveSources(sources)
    .map((source) => {
      const columns = VIEW_COLUMNS.map((column) =>
        column.name === 'class_uid'
          ? `CAST(${Number(source.classUid)} AS integer) AS "class_uid"`
          : identifier(column.name),
      ).join(', ');
      return `SELECT ${columns} FROM ${identifier(database)}.${identifier(source.table)}`;
    })
    .join('\nUNION ALL\n');
}

/** The view's columns in Presto/Trino types (what an Athena view records in Glue). */
export function athenaEventsViewColumns(): { name: string; type: string; hiveType: string }[] {
  return VIEW_COLUMNS.map((column) => ({
    name: column.name,
    type: prestoType(parseHiveType(column.type)),
    hiveType: column.type,
  }));
}

/**
 * The Glue `ViewOriginalText` of the Athena view: Athena keeps a view as a Glue table of
 * type VIRTUAL_VIEW whose original text is `/* Presto View: <base64 of a JSON> *\/`.
 */
export function athenaViewOriginalText(database: string, query: string): string {
  const definition = {
    originalSql: query,
    catalog: 'awsdatacatalog',
    schema: database,
    columns: athenaEventsViewColumns().map(({ name, type }) => ({ name, type })),
  };
  return `/* Presto View: ${Buffer.from(JSON.stringify(definition), 'utf8').toString('base64')} */`;
}
