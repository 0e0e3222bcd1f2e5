/**
 * The events behind a finding: the rows `authwatch-detect explain` prints, and the uids
 * of a finding's sample of related events. Both read the events of the rule's filter
 * (for a sequence, of its event steps) for the finding's group between two times, with
 * the group's values bound as parameters.
 */
import { fieldSql } from '../fields.js';
import type { Rule } from '../schema.js';
import { dayOf } from './days.js';
import { compileFilter, type Problem, stepFilter } from './filter.js';
import { EVENTS_VIEW } from './view.js';

/** Uids of up to this many events per finding (its `related_events`). */
export const SAMPLE_EVENTS = 10;

/** The query behind `explain`: the events a rule looked at for one group in a time span. */
export interface ExplainQuery {
  sql: string;
  /** Parameters in order: from day, to day, from ms, to ms, then the group's values. */
  params: (
    range: { from: number; to: number },
    groupValues: readonly string[],
  ) => (number | string)[];
}

/** The WHERE of the events a rule looked at for one group between two times. */
function eventsOfGroupWhere(rule: Rule): string {
  const problems: string[] = [];
  const problem: Problem = (field, message) => problems.push(`${field}: ${message}`);
  const correlation = rule.correlation;
  const filters =
    correlation.type === 'temporal_ordered'
      ? correlation.sequence.flatMap((step, index) =>
          'filter' in step ? [stepFilter(rule.filter, step.filter, index, problem)] : [],
        )
      : [compileFilter(rule.filter, 'filter', problem)];
  if (problems.length > 0 || filters.some((sql) => sql === undefined)) {
    throw new RangeError(`rule ${rule.id} does not compile: ${problems.join('; ')}`);
  }
  const groupBy = correlation['group-by'];
  return `eventday >= ? AND eventday <= ? AND time >= ? AND time <= ?
  AND (${filters.map((filter) => `(${filter})`).join(' OR ')})
  AND ${groupBy.map((field) => `CAST(${fieldSql(field)} AS VARCHAR) = ?`).join(' AND ')}`;
}

function eventsOfGroupParams(
  range: { from: number; to: number },
  groupValues: readonly string[],
): (number | string)[] {
  return [dayOf(range.from), dayOf(range.to), range.from, range.to, ...groupValues];
}

/**
 * The rows that made a finding: the events of the rule's filter (for a sequence, of its
 * event steps) for the group between two times. Group values are bound parameters.
 */
export function explainQuery(rule: Rule): ExplainQuery {
  const sql = `SELECT time, metadata.uid AS event_uid, metadata.log_name AS kind, status_detail,
  "user".name AS user_name, "user".uid AS user_uid, src_endpoint.ip AS source_ip, src_endpoint.location.country AS country
FROM ${EVENTS_VIEW}
WHERE ${eventsOfGroupWhere(rule)}
ORDER BY time
LIMIT 1000`;
  return { sql, params: eventsOfGroupParams };
}

/**
 * A finding's sample of related events: the uids of the latest `SAMPLE_EVENTS` events
 * behind it (the explain query's events). The rules' own queries do not read
 * `metadata.uid` (random text, most of an event's Parquet bytes); this query reads it
 * only for the group and time span of a new or grown finding.
 */
export function sampleQuery(rule: Rule): ExplainQuery {
  const sql = `SELECT metadata.uid AS event_uid
FROM ${EVENTS_VIEW}
WHERE ${eventsOfGroupWhere(rule)}
ORDER BY time DESC
LIMIT ${SAMPLE_EVENTS}`;
  return { sql, params: eventsOfGroupParams };
}
