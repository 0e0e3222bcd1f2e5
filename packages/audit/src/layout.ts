/**
 * Where the audit stream's objects land in S3, shared by the CDK construct (the
 * Firehose prefix) and the local Firehose fake (the folders it writes), so that both
 * lay files out the same way. Partitions follow Amazon Security Lake custom sources:
 * `region=<region>/accountId=<account>/eventDay=<YYYYMMDD>`.
 */

/** The key prefix of delivered records. */
export const AUDIT_S3_ROOT = 'ext/authwatch/';
/** The key prefix of records Firehose could not convert or deliver. */
export const AUDIT_S3_ERROR_ROOT = 'errors/authwatch/';

/** `YYYYMMDD` in UTC, Firehose's `!{timestamp:yyyyMMdd}`. */
export function eventDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replaceAll('-', '');
}

/** The folder (with trailing slash) of objects delivered at `epochMs`. */
export function auditObjectPrefix(region: string, accountId: string, epochMs: number): string {
  return `${AUDIT_S3_ROOT}region=${region}/accountId=${accountId}/eventDay=${eventDay(epochMs)}/`;
}

/**
 * The object name Firehose gives a delivered file:
 * `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>`.
 */
export function auditObjectName(streamName: string, epochMs: number, uuid: string): string {
  const stamp = new Date(epochMs).toISOString().slice(0, 19).replace(/[T:]/g, '-');
  return `${streamName}-1-${stamp}-${uuid}`;
}
