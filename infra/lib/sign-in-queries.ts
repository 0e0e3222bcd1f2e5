/**
 * The named queries about sign-ins, counting each sign-in once (see
 * `packages/cloudtrail/README.md`, "Each sign-in is counted once"):
 *
 * - a **failed** sign-in is an Authentication Logon Failure: CloudTrail's
 *   `sign-in-failed` (wrong password, unknown user, wrong MFA code, refused by a trigger)
 *   or the verify trigger's `challenge-failed` (a wrong custom-challenge answer);
 *   `challenge-locked-out` follows failures already counted and is left out;
 * - a **successful** sign-in is the post authentication trigger's Logon Success; its
 *   source IP and country come from CloudTrail's `sign-in-call` (API Activity 6003) of
 *   the call that issued the tokens (`unmapped.outcome = 'tokens'`), one per sign-in.
 *
 * CloudTrail records carry the user's sub, not the name: users are grouped by sub
 * (`user.uid`), with the name where a trigger recorded it.
 */

/** SQL predicate: the event is a failed sign-in (each counted once). */
export const FAILED_SIGN_IN =
  "class_uid = 3002 AND activity_id = 1 AND status_id = 2 AND metadata.log_name <> 'challenge-locked-out'";

/** SQL predicate: CloudTrail's record of the call that completed a sign-in (one per sign-in). */
export const SIGN_IN_CALL =
  "class_uid = 6003 AND metadata.log_name = 'sign-in-call' AND unmapped.outcome = 'tokens'";

/** The sign-in queries, over `table`, with `last(days)` the time and partition filter. */
export function signInQueries(
  table: string,
  last: (days: number) => string,
): Record<string, { description: string; sql: string }> {
  return {
    'failed-sign-ins-per-user-24h': {
      description:
        'Failed sign-ins per user in the last 24 hours: wrong passwords and codes (CloudTrail), wrong challenge answers',
      sql: `SELECT coalesce("user".uid, '(unknown user)') AS user_sub, max("user".name) AS user_name, count(*) AS failures,
  from_unixtime(min(time) / 1000) AS first_failure, from_unixtime(max(time) / 1000) AS last_failure,
  count(DISTINCT src_endpoint.ip) AS distinct_ips
FROM ${table}
WHERE ${FAILED_SIGN_IN} AND ${last(1)}
GROUP BY coalesce("user".uid, '(unknown user)')
ORDER BY failures DESC
LIMIT 100`,
    },
    'failed-sign-ins-per-ip-24h': {
      description: 'Failed sign-ins per source IP in the last 24 hours, with its country',
      sql: `SELECT src_endpoint.ip AS source_ip, max(src_endpoint.location.country) AS country, count(*) AS failures,
  count(DISTINCT "user".uid) AS distinct_users, from_unixtime(max(time) / 1000) AS last_failure
FROM ${table}
WHERE ${FAILED_SIGN_IN} AND ${last(1)}
GROUP BY src_endpoint.ip
ORDER BY failures DESC
LIMIT 100`,
    },
    'sign-ins-per-country-7d': {
      description: 'Successful sign-ins per country of the source IP (CloudTrail), last 7 days',
      sql: `SELECT coalesce(src_endpoint.location.country, '(unknown)') AS country, count(*) AS sign_ins,
  count(DISTINCT "user".uid) AS distinct_users, count(DISTINCT src_endpoint.ip) AS distinct_ips
FROM ${table}
WHERE ${SIGN_IN_CALL} AND ${last(7)}
GROUP BY coalesce(src_endpoint.location.country, '(unknown)')
ORDER BY sign_ins DESC
LIMIT 250`,
    },
  };
}
