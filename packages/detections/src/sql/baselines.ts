/**
 * The first_seen rules' baseline snapshots: the table both engines keep them in, and
 * the INSERT that builds one rule's snapshot of one day (the same SQL text on Athena and
 * DuckDB). How a rule reads its snapshot is in `compile.ts` (`compileFirstSeen`).
 */

import { dayOf, dayStart, nextDay, previousDay } from './days.js';
import { sqlString } from './literals.js';
import { EVENTS_VIEW } from './view.js';

/**
 * The baseline snapshot a `first_seen` rule reads instead of its baseline's raw events:
 * per rule and day D, one row per group and value seen in the baseline window that
 * ends with D, with the value's first and last time (`BASELINES_COLUMNS`; `rule_id` and
 * `eventday` = D are the partition columns, last, as Athena puts them). A run reads the
 * snapshot of the last settled day before it and the raw events after that day. A day's
 * snapshot is built once, by `BaselineBuild`'s INSERT, from the previous day's snapshot
 * and one day of raw events (or from the raw baseline when there is none), on Athena (a
 * Glue table the CDK app defines) and on DuckDB (a table of the engine).
 */
export const BASELINES_TABLE = 'authwatch_baselines';
/** Where Athena writes the snapshots: this prefix of the audit bucket. */
export const BASELINES_PREFIX = 'detections/baselines/';
export const BASELINES_COLUMNS = [
  { name: 'g0', type: 'string' },
  { name: 'g1', type: 'string' },
  { name: 'g2', type: 'string' },
  { name: 'v', type: 'string' },
  { name: 'first_time', type: 'bigint' },
  { name: 'last_time', type: 'bigint' },
] as const;
export const BASELINES_PARTITION_KEYS = [
  { name: 'rule_id', type: 'string' },
  { name: 'eventday', type: 'string' },
] as const;
/**
 * One INSERT that builds a rule's snapshot of one day, with a marker row (NULL group and
 * value) so that an empty snapshot is known to be built too. `params` in order: the
 * previous day (its snapshot is merged when it exists), the cut-off time (epoch ms: the
 * day's end minus the baseline), the raw days from and to (inclusive), the cut-off again.
 */
export interface BaselineBuild {
  sql: string;
  params: [string, number, string, string, number];
}

/** At most this many group-by fields (the schema's limit): the table's `g` columns. */
export const MAX_GROUP_FIELDS = 3;

/** What the snapshot INSERT of a rule needs from its compiled parts. */
export interface BaselineSpec {
  ruleId: string;
  /** `CAST(<field> AS VARCHAR) AS g0, ...` of the group-by fields. */
  groupSelect: string;
  /** How many group-by fields (at most `MAX_GROUP_FIELDS`). */
  groups: number;
  /** The SQL of the field whose values are remembered. */
  valueSql: string;
  filterSql: string;
  /** Expressions that must not be NULL (the group and the value). */
  notNull: readonly string[];
  baselineMs: number;
}

/**
 * The INSERT of a rule's snapshot of `day`: merges the previous day's snapshot (when
 * `incremental`) with the raw events, dropping values last seen before the cut-off.
 */
export function baselineBuilder(
  spec: BaselineSpec,
): (day: string, incremental: boolean) => BaselineBuild {
  const all = Array.from({ length: MAX_GROUP_FIELDS }, (_, i) => `g${i}`).join(', ');
  const own = Array.from({ length: spec.groups }, (_, i) => `g${i}`).join(', ');
  const padded = Array.from({ length: MAX_GROUP_FIELDS }, (_, i) =>
    i < spec.groups ? `g${i}` : `CAST(NULL AS VARCHAR) AS g${i}`,
  ).join(', ');
  const nulls = Array.from(
    { length: MAX_GROUP_FIELDS },
    (_, i) => `CAST(NULL AS VARCHAR) AS g${i}`,
  ).join(', ');
  const rule = sqlString(spec.ruleId);
  const sql = (day: string) => `INSERT INTO ${BASELINES_TABLE}
SELECT ${all}, v, min(first_time) AS first_time, max(last_time) AS last_time, CAST(${rule} AS VARCHAR) AS rule_id, CAST(${sqlString(day)} AS VARCHAR) AS eventday
FROM (
  SELECT ${all}, v, first_time, last_time FROM ${BASELINES_TABLE}
  WHERE rule_id = ${rule} AND eventday = ? AND v IS NOT NULL AND last_time >= ?
  UNION ALL
  SELECT ${padded}, v, min(t) AS first_time, max(t) AS last_time
  FROM (
    SELECT ${spec.groupSelect}, CAST(${spec.valueSql} AS VARCHAR) AS v, time AS t
    FROM ${EVENTS_VIEW}
    WHERE eventday >= ?
      AND eventday <= ?
      AND time >= ?
      AND (${spec.filterSql})
      AND ${spec.notNull.map((expr) => `${expr} IS NOT NULL`).join('\n      AND ')}
  ) day_events
  GROUP BY ${own}, v
) merged
GROUP BY ${all}, v
UNION ALL
SELECT ${nulls}, CAST(NULL AS VARCHAR) AS v, CAST(NULL AS BIGINT) AS first_time, CAST(NULL AS BIGINT) AS last_time, CAST(${rule} AS VARCHAR) AS rule_id, CAST(${sqlString(day)} AS VARCHAR) AS eventday`;
  return (day, incremental) => {
    if (!/^\d{8}$/.test(day)) {
      throw new RangeError(`a baseline day is a yyyyMMdd day, got ${JSON.stringify(day)}`);
    }
    // Pairs last seen before the cut-off cannot be in the baseline of any run after `day`.
    const cutoff = dayStart(nextDay(day)) - spec.baselineMs;
    return {
      sql: sql(day),
      params: [previousDay(day), cutoff, incremental ? day : dayOf(cutoff), day, cutoff],
    };
  };
}
