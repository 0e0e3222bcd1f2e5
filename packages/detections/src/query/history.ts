/**
 * The SQL texts of the security page's history routes (packages/protected-api), with
 * the detections' rules in this one query module: the same text runs on Athena in AWS
 * and on DuckDB offline, over the one view every query reads (`authwatch_events`),
 * written in the SQL both understand (double-quoted identifiers, struct fields with `.`,
 * positional `?` parameters).
 *
 * Every value a caller chose is a bound parameter: the only text that varies is which of
 * the fixed fragments below are joined, decided by which filters are present. The
 * protected API validates the values first (its params.ts); a property test there checks
 * that the text never depends on them.
 */

/** Bucket widths a time series may use, smallest first. */
export const BUCKETS_MS = [
  10_000,
  30_000,
  60_000,
  5 * 60_000,
  15 * 60_000,
  30 * 60_000,
  60 * 60_000,
  2 * 60 * 60_000,
  6 * 60 * 60_000,
  12 * 60 * 60_000,
  24 * 60 * 60_000,
] as const;
/** A chart reads best with at most this many buckets. */
export const MAX_BUCKETS = 120;

export const OUTCOMES = ['success', 'failure'] as const;
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
/** OCSF severity_id of each severity name. */
export const SEVERITY_IDS: Record<(typeof SEVERITIES)[number], number> = {
  informational: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};
export const TOP_DIMENSIONS = ['reason', 'user', 'ip', 'country', 'client'] as const;
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

/** The filters every history query takes. Times are epoch ms, `from` inclusive, `to` exclusive. */
export interface HistoryFilters {
  from: number;
  to: number;
  outcome?: (typeof OUTCOMES)[number];
  user?: string;
  ip?: string;
  client?: string;
  type?: string;
  severity?: (typeof SEVERITIES)[number];
}

/** Where a page of events starts: after (time, uid) of the previous page's last row. */
export interface EventCursor {
  time: number;
  uid: string;
}

/** The bucket width of a time series over a range: the smallest with at most MAX_BUCKETS. */
export function bucketFor(rangeMs: number): number {
  for (const bucket of BUCKETS_MS) if (rangeMs / bucket <= MAX_BUCKETS) return bucket;
  return BUCKETS_MS.at(-1) as number;
}

/** The view over every audit source (the audit storage contract). */
export const EVENTS_VIEW = 'authwatch_events';

/** OCSF classes the routes read. */
export const CLASS = { accountChange: 3001, authentication: 3002, detectionFinding: 2004 } as const;

export interface SqlQuery {
  sql: string;
  params: (string | number)[];
}

/** Column expressions (struct paths) per concept. */
export const COLUMNS = {
  time: '"time"',
  uid: '"metadata"."uid"',
  user: '"user"."name"',
  userUid: '"user"."uid"',
  ip: '"src_endpoint"."ip"',
  country: '"src_endpoint"."location"."country"',
  client: '"unmapped"."clientId"',
  reason: 'coalesce("unmapped"."reason", "message")',
  type: '"metadata"."event_code"',
} as const;

const DIMENSION_COLUMN: Record<TopDimension, string> = {
  reason: COLUMNS.reason,
  user: COLUMNS.user,
  ip: COLUMNS.ip,
  country: COLUMNS.country,
  client: COLUMNS.client,
};

/** The WHERE clause of the filters: fixed fragments, values bound in order. */
export function whereOf(filters: HistoryFilters, extra: string[] = []): SqlQuery {
  const parts = [`${COLUMNS.time} >= ?`, `${COLUMNS.time} < ?`];
  const params: (string | number)[] = [filters.from, filters.to];
  if (filters.outcome) {
    parts.push('"status_id" = ?');
    params.push(filters.outcome === 'success' ? 1 : 2);
  }
  if (filters.user) {
    parts.push(`(${COLUMNS.user} = ? OR ${COLUMNS.userUid} = ?)`);
    params.push(filters.user, filters.user);
  }
  if (filters.ip) {
    parts.push(`${COLUMNS.ip} = ?`);
    params.push(filters.ip);
  }
  if (filters.client) {
    parts.push(`${COLUMNS.client} = ?`);
    params.push(filters.client);
  }
  if (filters.type) {
    parts.push(`(${COLUMNS.type} = ? OR "type_name" = ?)`);
    params.push(filters.type, filters.type);
  }
  if (filters.severity) {
    parts.push('"severity_id" = ?');
    params.push(SEVERITY_IDS[filters.severity]);
  }
  return { sql: [...parts, ...extra].join(' AND '), params };
}

/** Sign-ins are Authentication events of activity Logon (1). */
const LOGON = `"class_uid" = ${CLASS.authentication} AND "activity_id" = 1`;

/** Headline counters of the range. */
export function summarySql(filters: HistoryFilters): SqlQuery {
  const where = whereOf(filters);
  return {
    sql: `SELECT
  count_if(${LOGON}) AS sign_ins,
  count_if(${LOGON} AND "status_id" = 2) AS failures,
  count_if("class_uid" = ${CLASS.authentication} AND "is_new_logon") AS new_devices,
  count_if("class_uid" = ${CLASS.accountChange} AND "activity_id" = 1 AND "status_id" = 2) AS sign_ups_denied,
  count_if("class_uid" = ${CLASS.detectionFinding} AND coalesce("status_id", 1) IN (1, 2)) AS open_findings,
  count(*) AS events
FROM ${EVENTS_VIEW}
WHERE ${where.sql}`,
    params: where.params,
  };
}

/** Successes and failures of sign-ins per bucket; the bucket width comes from the range. */
export function timeseriesSql(filters: HistoryFilters): SqlQuery & { bucketMs: number } {
  const bucketMs = bucketFor(filters.to - filters.from);
  const where = whereOf(filters, [LOGON]);
  return {
    bucketMs,
    sql: `SELECT
  floor((${COLUMNS.time} - ?) / ?) AS bucket,
  count_if("status_id" = 1) AS successes,
  count_if("status_id" = 2) AS failures
FROM ${EVENTS_VIEW}
WHERE ${where.sql}
GROUP BY 1
ORDER BY 1`,
    params: [filters.from, bucketMs, ...where.params],
  };
}

/** The top values of a dimension over authentication events (reasons: failures only). */
export function topSql(filters: HistoryFilters, dimension: TopDimension, limit: number): SqlQuery {
  const column = DIMENSION_COLUMN[dimension];
  const extra = [`"class_uid" = ${CLASS.authentication}`, `${column} IS NOT NULL`];
  if (dimension === 'reason') extra.push('"status_id" = 2');
  const where = whereOf(filters, extra);
  return {
    sql: `SELECT
  ${column} AS key,
  count(*) AS events,
  count_if("status_id" = 2) AS failures
FROM ${EVENTS_VIEW}
WHERE ${where.sql}
GROUP BY 1
ORDER BY failures DESC, events DESC, key
LIMIT ?`,
    params: [...where.params, limit],
  };
}

const EVENT_COLUMNS = `${COLUMNS.time} AS "time", ${COLUMNS.uid} AS uid, "class_uid", "activity_id",
  "type_name", ${COLUMNS.type} AS event_code, "status_id", "severity_id", "status_detail", "message",
  ${COLUMNS.user} AS user_name, ${COLUMNS.userUid} AS user_uid, ${COLUMNS.ip} AS ip,
  ${COLUMNS.country} AS country, ${COLUMNS.client} AS client, ${COLUMNS.reason} AS reason`;

/** One page of events, newest first, after the cursor; one row more than asked tells if there is a next page. */
export function eventsSql(filters: HistoryFilters, limit: number, cursor?: EventCursor): SqlQuery {
  const extra = [`"class_uid" <> ${CLASS.detectionFinding}`];
  if (cursor) extra.push(`(${COLUMNS.time} < ? OR (${COLUMNS.time} = ? AND ${COLUMNS.uid} < ?))`);
  const where = whereOf(filters, extra);
  return {
    sql: `SELECT ${EVENT_COLUMNS}
FROM ${EVENTS_VIEW}
WHERE ${where.sql}
ORDER BY ${COLUMNS.time} DESC, ${COLUMNS.uid} DESC
LIMIT ?`,
    params: [...where.params, ...(cursor ? [cursor.time, cursor.time, cursor.uid] : []), limit + 1],
  };
}

/** Findings of the range (the newest record of each finding uid), newest first. */
export function findingsSql(filters: HistoryFilters, limit: number): SqlQuery {
  // Filters about sign-ins (outcome, IP, client) do not apply to findings; severity does.
  const where = whereOf(
    {
      from: filters.from,
      to: filters.to,
      ...(filters.severity ? { severity: filters.severity } : {}),
    },
    [`"class_uid" = ${CLASS.detectionFinding}`],
  );
  return {
    sql: `SELECT * FROM (
  SELECT ${COLUMNS.time} AS "time", "finding_info"."uid" AS uid, "finding_info"."title" AS title,
    "finding_info"."analytic"."uid" AS rule_id, "finding_info"."analytic"."name" AS rule_name,
    "finding_info"."first_seen_time" AS first_seen, "finding_info"."last_seen_time" AS last_seen,
    "severity_id", "status_id", "message", "unmapped"."group" AS "group",
    "evidences" AS evidence, "finding_info"."related_events" AS related_events,
    row_number() OVER (PARTITION BY "finding_info"."uid" ORDER BY ${COLUMNS.time} DESC) AS rn
  FROM ${EVENTS_VIEW}
  WHERE ${where.sql}
) WHERE rn = 1
ORDER BY "time" DESC
LIMIT ?`,
    params: [...where.params, limit],
  };
}

/** One whole event by uid and time (the drill-down). */
export function eventSql(uid: string, time: number): SqlQuery {
  return {
    sql: `SELECT * FROM ${EVENTS_VIEW}
WHERE ${COLUMNS.time} = ? AND ${COLUMNS.uid} = ?
LIMIT 1`,
    params: [time, uid],
  };
}
