/**
 * The columns of the Glue table that Firehose converts the stream to Parquet with, and
 * Athena queries. One entry per top-level field of {@link AuditEvent}, in Hive type
 * syntax; struct field names are lower case (Firehose's OpenX JSON SerDe matches JSON
 * keys case-insensitively, so `unmapped.clientId` lands in `unmapped.clientid`).
 * A unit test checks that every field a builder emits has its column.
 */
export interface AuditColumn {
  name: string;
  type: string;
  comment: string;
}

export const AUDIT_COLUMNS: readonly AuditColumn[] = [
  { name: 'activity_id', type: 'int', comment: 'OCSF activity id' },
  { name: 'activity_name', type: 'string', comment: 'OCSF activity name' },
  { name: 'category_uid', type: 'int', comment: 'OCSF category (3 IAM, 6 Application)' },
  { name: 'category_name', type: 'string', comment: 'OCSF category name' },
  { name: 'class_uid', type: 'int', comment: 'OCSF class (one per source: OCSF_SOURCES)' },
  { name: 'class_name', type: 'string', comment: 'OCSF class name' },
  { name: 'type_uid', type: 'bigint', comment: 'class_uid * 100 + activity_id' },
  { name: 'type_name', type: 'string', comment: 'OCSF type name' },
  { name: 'severity_id', type: 'int', comment: 'OCSF severity id' },
  { name: 'severity', type: 'string', comment: 'OCSF severity' },
  { name: 'status_id', type: 'int', comment: '1 success, 2 failure' },
  { name: 'status', type: 'string', comment: 'OCSF status' },
  { name: 'status_detail', type: 'string', comment: 'why (e.g. the denial reason)' },
  { name: 'message', type: 'string', comment: 'short description' },
  { name: 'time', type: 'bigint', comment: 'event time, epoch ms (OCSF timestamp_t)' },
  {
    name: 'metadata',
    type: 'struct<version:string,product:struct<name:string,vendor_name:string,version:string>,uid:string,event_code:string,log_name:string,log_provider:string,correlation_uid:string>',
    comment:
      'OCSF metadata: uid is the unique event id, log_name the event kind, log_provider the source (cognito-trigger, cloudtrail), correlation_uid the CloudTrail eventID',
  },
  { name: 'cloud', type: 'struct<provider:string,region:string>', comment: 'OCSF cloud' },
  { name: 'service', type: 'struct<name:string,uid:string>', comment: 'Cognito user pool' },
  {
    name: 'user',
    type: 'struct<name:string,uid:string,email_addr:string,type:string>',
    comment: 'the user (email only when allowed)',
  },
  {
    name: 'src_endpoint',
    type: 'struct<ip:string,location:struct<country:string,city:string,lat:double,long:double>,autonomous_system:struct<number:bigint,name:string>>',
    comment: 'client IP (CloudTrail, or the app) with GeoIP location and AS',
  },
  { name: 'http_request', type: 'struct<user_agent:string>', comment: 'caller user agent' },
  {
    name: 'api',
    type: 'struct<operation:string,request:struct<uid:string>>',
    comment: 'API Activity: Cognito operation, CloudTrail requestID',
  },
  {
    name: 'actor',
    type: 'struct<user:struct<uid:string,name:string,type:string,credential_uid:string,account:struct<uid:string>>,session:struct<issuer:string,created_time:bigint,is_mfa:boolean>,invoked_by:string>',
    comment: 'admin changes: the IAM principal (ARN, access key id, session issuer)',
  },
  {
    name: 'resources',
    type: 'array<struct<type:string,uid:string,name:string>>',
    comment: 'admin changes: what the call changed',
  },
  { name: 'privileges', type: 'array<string>', comment: 'groups given or taken' },
  { name: 'is_new_logon', type: 'boolean', comment: 'sign-in from a new device' },
  { name: 'is_mfa', type: 'boolean', comment: 'a second factor was used' },
  { name: 'auth_protocol', type: 'string', comment: 'authentication method' },
  { name: 'auth_protocol_id', type: 'int', comment: 'OCSF auth protocol id (99 other)' },
  {
    name: 'unmapped',
    type: 'struct<clientid:string,triggersource:string,reason:string,autoconfirmed:boolean,linkedtouser:string,mode:string,attempt:int,maxattempts:int,matchedrules:array<string>,claimsadded:array<string>,claimssuppressed:array<string>,scopesadded:array<string>,scopessuppressed:array<string>,tokenversion:string,truncated:boolean,originalsize:bigint,usernamehash:string,usernotfound:boolean,errorcode:string,authflow:string,challengename:string,outcome:string,groupname:string,privileged:boolean,changes:array<string>,before:string,after:string,weakened:boolean,triggertampered:boolean,clientwidened:boolean>',
    comment: 'Cognito facts without an OCSF attribute',
  },
];

/** Partition keys, in the order of the S3 layout (Security Lake custom source style). */
export const AUDIT_PARTITION_KEYS: readonly AuditColumn[] = [
  { name: 'region', type: 'string', comment: 'AWS region of the stream' },
  { name: 'accountid', type: 'string', comment: 'AWS account of the stream' },
  { name: 'eventday', type: 'string', comment: 'day of the event time, YYYYMMDD (UTC)' },
];
