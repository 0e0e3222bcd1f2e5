/**
 * The OCSF fields a rule may name, and the SQL expression each reads in the
 * `authwatch_events` view. One catalogue for the compiler, the load-time checks (an
 * unknown field is an error naming the rule and the field) and the DuckDB view's
 * column types: a field is added here once.
 *
 * Struct members are read with the dot path in both Trino and DuckDB; `user` and
 * `long` are quoted because they are keywords in one dialect or the other.
 */

export type FieldType = 'int' | 'bigint' | 'string' | 'boolean' | 'double';

export interface FieldSpec {
  /** SQL expression over one row of `authwatch_events`. */
  sql: string;
  type: FieldType;
  /** What it holds (README and error messages). */
  doc: string;
}

export const FIELDS = {
  class_uid: {
    sql: 'class_uid',
    type: 'int',
    doc: 'OCSF class: 3001 Account Change, 3002 Authentication, 3005 User Access Management, 6003 API Activity, 2004 Detection Finding',
  },
  activity_id: {
    sql: 'activity_id',
    type: 'int',
    doc: 'OCSF activity (3002: 1 Logon, 3 ticket, 6 Preauth, 99 other)',
  },
  type_uid: { sql: 'type_uid', type: 'bigint', doc: 'class_uid * 100 + activity_id' },
  status_id: { sql: 'status_id', type: 'int', doc: '1 success, 2 failure' },
  severity_id: { sql: 'severity_id', type: 'int', doc: 'OCSF severity' },
  status_detail: {
    sql: 'status_detail',
    type: 'string',
    doc: 'why: the denial reason, or the error Cognito answered (NotAuthorizedException, Password attempts exceeded, ...)',
  },
  message: { sql: 'message', type: 'string', doc: 'short description' },
  time: { sql: 'time', type: 'bigint', doc: 'event time, epoch ms' },
  'metadata.uid': { sql: 'metadata.uid', type: 'string', doc: 'unique event id' },
  'metadata.log_name': {
    sql: 'metadata.log_name',
    type: 'string',
    doc: 'event kind (challenge-failed, logon-succeeded, ...)',
  },
  'metadata.event_code': {
    sql: 'metadata.event_code',
    type: 'string',
    doc: 'Cognito trigger source or API operation',
  },
  'metadata.product.name': { sql: 'metadata.product.name', type: 'string', doc: 'the producer' },
  'cloud.region': { sql: 'cloud.region', type: 'string', doc: 'AWS region' },
  'service.uid': { sql: 'service.uid', type: 'string', doc: 'user pool id' },
  'user.name': { sql: '"user".name', type: 'string', doc: "Cognito's user name" },
  'user.uid': { sql: '"user".uid', type: 'string', doc: "the user's sub" },
  'user.type': { sql: '"user".type', type: 'string', doc: 'User, or Service for a machine client' },
  'user.email_domain': {
    sql: `lower(nullif(split_part("user".email_addr, '@', 2), ''))`,
    type: 'string',
    doc: "domain of the user's email (only when the stream keeps emails, AUDIT_INCLUDE_EMAIL)",
  },
  'src_endpoint.ip': { sql: 'src_endpoint.ip', type: 'string', doc: 'client IP' },
  'src_endpoint.location.country': {
    sql: 'src_endpoint.location.country',
    type: 'string',
    doc: 'GeoIP country (ISO code)',
  },
  'src_endpoint.location.city': {
    sql: 'src_endpoint.location.city',
    type: 'string',
    doc: 'GeoIP city (city-level database only)',
  },
  'src_endpoint.location.lat': {
    sql: 'src_endpoint.location.lat',
    type: 'double',
    doc: 'GeoIP latitude (city-level database only)',
  },
  'src_endpoint.location.long': {
    sql: 'src_endpoint.location."long"',
    type: 'double',
    doc: 'GeoIP longitude (city-level database only)',
  },
  'unmapped.clientId': { sql: 'unmapped.clientid', type: 'string', doc: 'app client id' },
  'unmapped.triggerSource': {
    sql: 'unmapped.triggersource',
    type: 'string',
    doc: 'Cognito trigger source',
  },
  'unmapped.reason': { sql: 'unmapped.reason', type: 'string', doc: 'reason of a refusal' },
  'unmapped.mode': { sql: 'unmapped.mode', type: 'string', doc: 'challenge mode (email, ...)' },
  'unmapped.attempt': { sql: 'unmapped.attempt', type: 'int', doc: 'challenge attempt number' },
  'unmapped.userNotFound': {
    sql: 'unmapped.usernotfound',
    type: 'boolean',
    doc: 'a sign-in attempt for a user that does not exist',
  },
  'metadata.log_provider': {
    sql: 'metadata.log_provider',
    type: 'string',
    doc: 'which source recorded it: cognito-trigger, cloudtrail',
  },
  'api.operation': {
    sql: 'api.operation',
    type: 'string',
    doc: 'the Cognito operation of a CloudTrail event (AdminAddUserToGroup, UpdateUserPool, ...)',
  },
  'actor.user.uid': {
    sql: 'actor."user".uid',
    type: 'string',
    doc: 'admin changes: the IAM principal ARN that made the call',
  },
  'actor.user.credential_uid': {
    sql: 'actor."user".credential_uid',
    type: 'string',
    doc: 'admin changes: the access key id of the call',
  },
  'actor.session.issuer': {
    sql: 'actor.session.issuer',
    type: 'string',
    doc: 'admin changes: the role or user that issued the session',
  },
  'actor.invoked_by': {
    sql: 'actor.invoked_by',
    type: 'string',
    doc: 'admin changes: the AWS service that made the call (cloudformation.amazonaws.com)',
  },
  'unmapped.groupName': {
    sql: 'unmapped.groupname',
    type: 'string',
    doc: 'admin changes: the group granted, revoked or changed',
  },
  'unmapped.privileged': {
    sql: 'unmapped.privileged',
    type: 'boolean',
    doc: 'admin changes: the group is a privileged one (CLOUDTRAIL_PRIVILEGED_GROUPS)',
  },
  'unmapped.weakened': {
    sql: 'unmapped.weakened',
    type: 'boolean',
    doc: 'admin changes: MFA lower than deployed, or a weaker password policy',
  },
  'unmapped.triggerTampered': {
    sql: 'unmapped.triggertampered',
    type: 'boolean',
    doc: 'admin changes: an Authwatch trigger detached or replaced in LambdaConfig',
  },
  'unmapped.clientWidened': {
    sql: 'unmapped.clientwidened',
    type: 'boolean',
    doc: 'admin changes: a client given callback URLs or OAuth flows it was not deployed with',
  },
  'finding_info.analytic.uid': {
    sql: 'finding_info.analytic.uid',
    type: 'string',
    doc: 'Detection Finding: the rule id',
  },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof FIELDS;

/** The field's spec, or undefined for a name that is not in the catalogue. */
export function fieldSpec(name: string): FieldSpec | undefined {
  return Object.hasOwn(FIELDS, name) ? FIELDS[name as FieldName] : undefined;
}

/** Field names a rule may use, for error messages. */
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** The SQL of a known field (the compiler's and the queries' one way to name a column). */
export function fieldSql(name: string): string {
  const spec = fieldSpec(name);
  if (!spec) throw new RangeError(`unknown field ${name}`);
  return spec.sql;
}
