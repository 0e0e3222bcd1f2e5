/**
 * The history routes' answers: parse the parameters (a bad one is a 400 naming it), run
 * the route's SQL text on the engine, shape the rows for the page. A query that fails is
 * a 502 with a generic message; the engine's message goes to the log only.
 */

import { adminChangeRow, adminChangesSql, parseAdminChangeParams } from './admin-changes.js';
import type { HistoryEngine, Row } from './engine.js';
import {
  encodeCursor,
  HistoryParamError,
  parseDimension,
  parseEventLookup,
  parseEventParams,
  parseFilters,
  parseTopParams,
} from './params.js';
import { eventSql, eventsSql, findingsSql, summarySql, timeseriesSql, topSql } from './sql.js';

export type HistoryRouteName =
  | 'security-summary'
  | 'security-timeseries'
  | 'security-top'
  | 'security-events'
  | 'security-event'
  | 'security-findings'
  | 'security-admin-changes';

export interface HistoryRequest {
  route: HistoryRouteName;
  pathParams: Record<string, string>;
  query: Record<string, string | undefined> | undefined;
  now: number;
}

export type HistoryAnswer =
  | { status: 200; body: unknown }
  | { status: 404; body: { message: 'Not Found'; detail: string } }
  | { status: 400; body: { message: 'Bad Request'; parameter: string; detail: string } };

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));
const str = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function eventRow(row: Row) {
  return {
    time: num(row.time),
    uid: str(row.uid),
    classUid: num(row.class_uid),
    activityId: num(row.activity_id),
    typeName: str(row.type_name),
    eventCode: str(row.event_code),
    outcome: row.status_id === 1 ? 'success' : row.status_id === 2 ? 'failure' : null,
    severityId: row.severity_id === null ? null : num(row.severity_id),
    statusDetail: str(row.status_detail),
    message: str(row.message),
    user: str(row.user_name),
    userUid: str(row.user_uid),
    ip: str(row.ip),
    country: str(row.country),
    client: str(row.client),
    // A reason explains a failure; a success's message is no reason.
    reason: row.status_id === 2 ? str(row.reason) : null,
  };
}

async function run(request: HistoryRequest, engine: HistoryEngine): Promise<unknown> {
  const { now, query } = request;
  switch (request.route) {
    case 'security-summary': {
      const filters = parseFilters(query, now);
      const q = summarySql(filters);
      const [row = {}] = await engine.query(q.sql, q.params);
      const signIns = num(row.sign_ins);
      const failures = num(row.failures);
      return {
        from: filters.from,
        to: filters.to,
        signIns,
        failures,
        failureRate: signIns === 0 ? 0 : failures / signIns,
        newDevices: num(row.new_devices),
        signUpsDenied: num(row.sign_ups_denied),
        openFindings: num(row.open_findings),
        events: num(row.events),
      };
    }
    case 'security-timeseries': {
      const filters = parseFilters(query, now);
      const q = timeseriesSql(filters);
      const rows = await engine.query(q.sql, q.params);
      // Every bucket of the range, empty ones as zero, so the chart's x axis is even.
      const count = Math.ceil((filters.to - filters.from) / q.bucketMs);
      const successes = new Array<number>(count).fill(0);
      const failures = new Array<number>(count).fill(0);
      for (const row of rows) {
        const index = num(row.bucket);
        if (index >= 0 && index < count) {
          successes[index] = num(row.successes);
          failures[index] = num(row.failures);
        }
      }
      return {
        from: filters.from,
        to: filters.to,
        bucketMs: q.bucketMs,
        times: successes.map((_, index) => filters.from + index * q.bucketMs),
        successes,
        failures,
      };
    }
    case 'security-top': {
      const dimension = parseDimension(request.pathParams.dimension);
      const { filters, limit } = parseTopParams(query, now);
      const q = topSql(filters, dimension, limit);
      const rows = await engine.query(q.sql, q.params);
      return {
        dimension,
        items: rows.map((row) => ({
          key: String(row.key),
          events: num(row.events),
          failures: num(row.failures),
        })),
      };
    }
    case 'security-events': {
      const { filters, limit, cursor } = parseEventParams(query, now);
      const q = eventsSql(filters, limit, cursor);
      const rows = await engine.query(q.sql, q.params);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        events: page.map(eventRow),
        nextCursor:
          rows.length > limit && last
            ? encodeCursor({ time: num(last.time), uid: String(last.uid) })
            : null,
      };
    }
    case 'security-event': {
      const { uid, time } = parseEventLookup(request.pathParams.uid, query);
      const q = eventSql(uid, time);
      const [row] = await engine.query(q.sql, q.params);
      if (!row) return { notFound: true };
      // DuckDB reads the object back from its file; Athena's view gives its columns.
      return { event: (await engine.wholeEvent?.(uid, time)) ?? row };
    }
    case 'security-admin-changes': {
      const params = parseAdminChangeParams(query, now);
      const q = adminChangesSql(params);
      const rows = await engine.query(q.sql, q.params);
      const page = rows.slice(0, params.limit);
      const last = page[page.length - 1];
      return {
        changes: page.map(adminChangeRow),
        nextCursor:
          rows.length > params.limit && last
            ? encodeCursor({ time: num(last.time), uid: String(last.uid) })
            : null,
      };
    }
    case 'security-findings': {
      const { filters, limit } = parseTopParams(query, now);
      const q = findingsSql(filters, limit);
      const rows = await engine.query(q.sql, q.params);
      return {
        findings: rows.map((row) => ({
          time: num(row.time),
          uid: str(row.uid),
          title: str(row.title),
          ruleId: str(row.rule_id),
          ruleName: str(row.rule_name),
          firstSeen: row.first_seen === null ? null : num(row.first_seen),
          lastSeen: row.last_seen === null ? null : num(row.last_seen),
          severityId: num(row.severity_id),
          statusId: row.status_id === null ? 1 : num(row.status_id),
          message: str(row.message),
          group: parseJson(row.group),
          evidence: parseJson(row.evidence),
          relatedEvents: parseJson(row.related_events),
        })),
      };
    }
  }
}

/** Answers one history request. */
export async function answerHistory(
  request: HistoryRequest,
  engine: HistoryEngine,
): Promise<HistoryAnswer> {
  try {
    const body = await run(request, engine);
    if (body !== null && typeof body === 'object' && 'notFound' in body) {
      return { status: 404, body: { message: 'Not Found', detail: 'no such event in the range' } };
    }
    return { status: 200, body };
  } catch (error) {
    if (error instanceof HistoryParamError) {
      return {
        status: 400,
        body: { message: 'Bad Request', parameter: error.parameter, detail: error.message },
      };
    }
    throw error;
  }
}
