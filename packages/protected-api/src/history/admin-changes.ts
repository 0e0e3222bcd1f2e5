/**
 * The admin-changes history route (`GET /security/admin-changes`): what admins and
 * deploys did to the pool (the CloudTrail package's `admin-change` events: Account
 * Change 3001, User Access Management 3005, API Activity 6003), newest first, with the
 * actor (the IAM principal's ARN, access key id, session issuer), the target user or
 * resource, the source IP and what changed.
 *
 * One SQL text for Athena and DuckDB, like the other history routes: it reads the
 * `authwatch_events` view, the filters are the page's (`whereOf` of the detections
 * query module) plus `actor`, and every value the caller chose is a bound parameter.
 * The text uses only what both engines mean the same way: struct fields with `.`,
 * `try(list[1].field)` (NULL for an empty list in both) and `json_format(CAST(list AS
 * JSON))` for a list of strings (DuckDB gets Trino's `json_format` as a macro, as the
 * detections engine does).
 */

import type { Row } from './engine.js';
import { decodeCursor, HistoryParamError, parseFilters } from './params.js';
import { EVENTS_VIEW, type EventCursor, type HistoryFilters, whereOf } from './sql.js';

/** `metadata.log_name` of the CloudTrail package's management-call events. */
export const ADMIN_CHANGE_LOG_NAME = 'admin-change';

/** An IAM principal ARN, an access key id or a principal or role name. */
const ACTOR = /^[\w+=,.@:/-]{1,512}$/;

export interface AdminChangeParams {
  filters: HistoryFilters;
  /** Matches the principal's ARN, its name, the access key id or the session issuer. */
  actor?: string;
  limit: number;
  cursor?: EventCursor;
}

type RawParams = Record<string, string | undefined> | undefined;

/** The route's parameters: the page's filters, `actor`, `limit` (1-200, default 50), `cursor`. */
export function parseAdminChangeParams(raw: RawParams, now: number): AdminChangeParams {
  const filters = parseFilters(raw, now, ['actor', 'limit', 'cursor']);
  const params: AdminChangeParams = { filters, limit: 50 };
  const limit = raw?.limit;
  if (limit !== undefined) {
    if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 200) {
      throw new HistoryParamError('limit', 'must be a whole number from 1 to 200');
    }
    params.limit = Number(limit);
  }
  const actor = raw?.actor;
  if (actor !== undefined) {
    if (!ACTOR.test(actor)) {
      throw new HistoryParamError(
        'actor',
        'must be an IAM principal ARN, an access key id or a principal name (letters, digits and + = , . @ : / - _)',
      );
    }
    params.actor = actor;
  }
  if (raw?.cursor !== undefined) params.cursor = decodeCursor(raw.cursor);
  return params;
}

const ACTOR_MATCH = `("actor"."user"."uid" = ? OR "actor"."user"."credential_uid" = ? OR "actor"."user"."name" = ? OR "actor"."session"."issuer" = ?)`;
const AFTER_CURSOR = `("time" < ? OR ("time" = ? AND "metadata"."uid" < ?))`;

const ADMIN_CHANGE_COLUMNS = `"time", "metadata"."uid" AS uid, "class_uid", "activity_id", "type_name",
  "api"."operation" AS operation, "status_id", "severity_id", "status_detail", "message",
  "actor"."user"."uid" AS actor_arn, "actor"."user"."name" AS actor_name,
  "actor"."user"."type" AS actor_type, "actor"."user"."credential_uid" AS access_key_id,
  "actor"."session"."issuer" AS session_issuer, "actor"."session"."is_mfa" AS session_mfa,
  "actor"."invoked_by" AS invoked_by,
  "user"."uid" AS target_user, "unmapped"."groupName" AS group_name, "unmapped"."clientId" AS client,
  try("resources"[1]."type") AS resource_type, try("resources"[1]."uid") AS resource_uid,
  try("resources"[1]."name") AS resource_name,
  "src_endpoint"."ip" AS ip, "src_endpoint"."location"."country" AS country,
  "http_request"."user_agent" AS user_agent,
  json_format(CAST("unmapped"."changes" AS JSON)) AS changes,
  "unmapped"."before" AS before_json, "unmapped"."after" AS after_json,
  "unmapped"."errorCode" AS error_code, "unmapped"."privileged" AS privileged,
  "unmapped"."weakened" AS weakened, "unmapped"."triggerTampered" AS trigger_tampered,
  "unmapped"."clientWidened" AS client_widened`;

/** One page of admin changes, newest first; one row more than asked tells if there is a next page. */
export function adminChangesSql(params: AdminChangeParams): {
  sql: string;
  params: (string | number)[];
} {
  const extra = [`"metadata"."log_name" = '${ADMIN_CHANGE_LOG_NAME}'`];
  const values: (string | number)[] = [];
  if (params.actor !== undefined) {
    extra.push(ACTOR_MATCH);
    values.push(params.actor, params.actor, params.actor, params.actor);
  }
  if (params.cursor) {
    extra.push(AFTER_CURSOR);
    values.push(params.cursor.time, params.cursor.time, params.cursor.uid);
  }
  const where = whereOf(params.filters, extra);
  return {
    sql: `SELECT ${ADMIN_CHANGE_COLUMNS}
FROM ${EVENTS_VIEW}
WHERE ${where.sql}
ORDER BY "time" DESC, "metadata"."uid" DESC
LIMIT ?`,
    params: [...where.params, ...values, params.limit + 1],
  };
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0));
const str = (value: unknown): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);
/** Athena gives booleans as text. */
const bool = (value: unknown): boolean | null =>
  value === null || value === undefined || value === '' ? null : value === true || value === 'true';

/** A JSON text column (`unmapped.before`/`after`, the changes list) as a value. */
function json(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    // `after`/`before` longer than 4 KiB are cut by the mapping and marked: kept as text.
    return value;
  }
}

/** The page's shape of one admin change. */
export function adminChangeRow(row: Row) {
  const changes = json(row.changes);
  return {
    time: num(row.time),
    uid: str(row.uid),
    classUid: num(row.class_uid),
    activityId: num(row.activity_id),
    typeName: str(row.type_name),
    operation: str(row.operation),
    outcome: num(row.status_id) === 1 ? 'success' : num(row.status_id) === 2 ? 'failure' : null,
    severityId: row.severity_id === null ? null : num(row.severity_id),
    statusDetail: str(row.status_detail),
    message: str(row.message),
    actor: {
      arn: str(row.actor_arn),
      name: str(row.actor_name),
      type: str(row.actor_type),
      accessKeyId: str(row.access_key_id),
      sessionIssuer: str(row.session_issuer),
      sessionMfa: bool(row.session_mfa),
      invokedBy: str(row.invoked_by),
    },
    target: {
      userUid: str(row.target_user),
      group: str(row.group_name),
      client: str(row.client),
      resourceType: str(row.resource_type),
      resourceUid: str(row.resource_uid),
      resourceName: str(row.resource_name),
    },
    ip: str(row.ip),
    country: str(row.country),
    userAgent: str(row.user_agent),
    changes: Array.isArray(changes) ? changes.map(String) : [],
    before: json(row.before_json),
    after: json(row.after_json),
    errorCode: str(row.error_code),
    flags: {
      privileged: bool(row.privileged) === true,
      weakened: bool(row.weakened) === true,
      triggerTampered: bool(row.trigger_tampered) === true,
      clientWidened: bool(row.client_widened) === true,
    },
  };
}

export type AdminChange = ReturnType<typeof adminChangeRow>;
