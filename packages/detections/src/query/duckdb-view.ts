/**
 * The view `authwatch_events` over a list of audit objects (the Security Lake layout's,
 * or a flat export of NDJSON or Parquet files), with the same contract as
 * `@authwatch/audit`'s views: the columns the rules read, `eventday` = the record's own
 * UTC day (computed from `time`, so any folder works).
 *
 * Columns are declared (not inferred) so that a field no object carries yet reads as
 * NULL instead of failing the query; JSON keys are matched as the producers write them
 * (`unmapped.clientId`), and read case-insensitively in SQL (`unmapped.clientid`) as in
 * Athena, whose Glue columns are lower case.
 */
import { sqlString } from '../sql/literals.js';

/** DuckDB types of the columns the view exposes. */
export const DUCKDB_EVENT_COLUMNS: Readonly<Record<string, string>> = {
  class_uid: 'INTEGER',
  category_uid: 'INTEGER',
  activity_id: 'INTEGER',
  type_uid: 'BIGINT',
  severity_id: 'INTEGER',
  status_id: 'INTEGER',
  status_detail: 'VARCHAR',
  message: 'VARCHAR',
  time: 'BIGINT',
  metadata:
    'STRUCT(uid VARCHAR, log_name VARCHAR, log_provider VARCHAR, event_code VARCHAR, version VARCHAR, product STRUCT(name VARCHAR, vendor_name VARCHAR, version VARCHAR))',
  cloud: 'STRUCT(provider VARCHAR, region VARCHAR)',
  service: 'STRUCT(name VARCHAR, uid VARCHAR)',
  user: 'STRUCT(name VARCHAR, uid VARCHAR, type VARCHAR, email_addr VARCHAR)',
  src_endpoint:
    'STRUCT(ip VARCHAR, location STRUCT(country VARCHAR, city VARCHAR, lat DOUBLE, "long" DOUBLE))',
  unmapped:
    'STRUCT("clientId" VARCHAR, "triggerSource" VARCHAR, reason VARCHAR, mode VARCHAR, attempt INTEGER, "maxAttempts" INTEGER, "userNotFound" BOOLEAN, "groupName" VARCHAR, privileged BOOLEAN, weakened BOOLEAN, "triggerTampered" BOOLEAN, "clientWidened" BOOLEAN)',
  api: 'STRUCT(operation VARCHAR)',
  actor:
    'STRUCT("user" STRUCT(uid VARCHAR, name VARCHAR, type VARCHAR, credential_uid VARCHAR), session STRUCT(issuer VARCHAR), invoked_by VARCHAR)',
  finding_info:
    'STRUCT(uid VARCHAR, title VARCHAR, analytic STRUCT(uid VARCHAR, name VARCHAR), first_seen_time BIGINT, last_seen_time BIGINT)',
};

function columnsLiteral(): string {
  return `{${Object.entries(DUCKDB_EVENT_COLUMNS)
    .map(([name, type]) => `${sqlString(name)}: ${sqlString(type)}`)
    .join(', ')}}`;
}

const EVENT_DAY = `strftime(make_timestamp(time * 1000), '%Y%m%d') AS eventday`;

/**
 * `CREATE VIEW authwatch_events` over the given NDJSON and Parquet files (absolute
 * paths). With no file at all the view is empty but has every column. `withFile` adds
 * the column `_file` (the object each row came from), for a table loaded object by
 * object.
 */
export function flatFolderViewSql(
  files: {
    ndjson: readonly string[];
    parquet: readonly string[];
  },
  options: { withFile?: boolean } = {},
): string {
  const parts: string[] = [];
  const file = options.withFile ? ', filename AS _file' : '';
  const fileOption = options.withFile ? ', filename = true' : '';
  const names = Object.keys(DUCKDB_EVENT_COLUMNS).map((name) => `"${name}"`);
  if (files.ndjson.length > 0) {
    parts.push(
      `SELECT ${names.join(', ')}, ${EVENT_DAY}${file} FROM read_json([${files.ndjson.map(sqlString).join(', ')}], format = 'newline_delimited', columns = ${columnsLiteral()}, ignore_errors = true${fileOption})`,
    );
  }
  if (files.parquet.length > 0) {
    parts.push(
      `SELECT ${names.join(', ')}, ${EVENT_DAY}${file} FROM read_parquet([${files.parquet.map(sqlString).join(', ')}], union_by_name = true${fileOption})`,
    );
  }
  if (parts.length === 0) {
    const nulls = Object.entries(DUCKDB_EVENT_COLUMNS).map(
      ([name, type]) => `CAST(NULL AS ${type}) AS "${name}"`,
    );
    parts.push(
      `SELECT ${nulls.join(', ')}, CAST(NULL AS VARCHAR) AS eventday${options.withFile ? ', CAST(NULL AS VARCHAR) AS _file' : ''} WHERE false`,
    );
  }
  return `CREATE OR REPLACE VIEW authwatch_events AS\n${parts.join('\nUNION ALL BY NAME\n')}`;
}
