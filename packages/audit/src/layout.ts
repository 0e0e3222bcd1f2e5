/**
 * Where the audit stream's objects land in S3, shared by the CDK construct (the
 * Firehose prefixes and partitioning query) and the local Firehose (the folders it
 * writes), so that both lay files out the same way. Security Lake's custom-source
 * layout, one source per OCSF class (see `sources.ts`), partitioned by the day of
 * each record's own `time`:
 *
 * `ext/<source>/region=<region>/accountId=<account>/eventDay=<YYYYMMDD>/<object>`
 */
import {
  OCSF_SOURCE_LIST,
  type OcsfSource,
  sourceForClass,
  UnmappedClassError,
} from './sources.js';

/** The key prefix every source's folder is under. */
export const AUDIT_S3_ROOT = 'ext/';
/**
 * The prefix of the layout before one source per class: every class under one source,
 * partitioned by arrival day. `authwatch-audit-migrate` moves such objects.
 */
export const LEGACY_AUDIT_S3_ROOT = 'ext/authwatch/';
/** The key prefix of records Firehose could not partition, convert or deliver. */
export const AUDIT_S3_ERROR_ROOT = 'errors/authwatch/';

/** The names of the dynamic partitioning keys the stream extracts from each record. */
export const PARTITION_KEYS = { source: 'source', eventDay: 'eventDay' } as const;

/**
 * Firehose's `!{firehose:error-output-type}` for a record whose partitioning keys could
 * not be extracted (not JSON, no numeric `time`, a class without a source).
 */
export const PARTITIONING_FAILED = 'processing-failed';
/** The error code Firehose writes in the error document of such a record. */
export const PARTITIONING_ERROR_CODE = 'DynamicPartitioning.MetadataExtractionFailed';

const DAY_MS = 86_400_000;
/** The last day formatted, by day number (records of one write mostly share a day). */
let lastDayNumber = Number.NaN;
let lastDayText = '';

/** `YYYYMMDD` in UTC of an epoch-milliseconds time. */
export function eventDay(epochMs: number): string {
  // The day of the whole second, as jq's `. / 1000 | floor | strftime` has it.
  const dayNumber = Math.floor(Math.floor(epochMs / 1000) / 86_400);
  if (dayNumber !== lastDayNumber) {
    lastDayText = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
    lastDayNumber = dayNumber;
  }
  return lastDayText;
}

/** The folder of one source (`ext/<source>/`). */
export function sourcePrefix(source: OcsfSource | string): string {
  return `${AUDIT_S3_ROOT}${typeof source === 'string' ? source : source.name}/`;
}

export interface ObjectPrefixParts {
  /** The source (or its name). */
  source: OcsfSource | string;
  region: string;
  accountId: string;
  /** `YYYYMMDD` of the records' own time (see {@link eventDay}). */
  eventDay: string;
}

/** The folder (with trailing slash) of objects of one source and one event day. */
export function auditObjectPrefix(parts: ObjectPrefixParts): string {
  return `${sourcePrefix(parts.source)}region=${parts.region}/accountId=${parts.accountId}/eventDay=${parts.eventDay}/`;
}

/** The folder of error documents of one error type, by arrival day (as the stream's). */
export function errorObjectPrefix(errorType: string, arrivalEpochMs: number): string {
  return `${AUDIT_S3_ERROR_ROOT}${errorType}/eventDay=${eventDay(arrivalEpochMs)}/`;
}

/**
 * The object name Firehose gives a delivered file:
 * `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>`.
 */
export function auditObjectName(streamName: string, epochMs: number, uuid: string): string {
  const stamp = new Date(epochMs).toISOString().slice(0, 19).replace(/[T:]/g, '-');
  return `${streamName}-1-${stamp}-${uuid}`;
}

/** A record the stream cannot partition: it goes to the error prefix, never to a source. */
export class RecordPartitionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecordPartitionError';
  }
}

/** Where one record belongs. */
export interface RecordPartition {
  source: OcsfSource;
  eventDay: string;
}

/** The first ms of the year 10000: `time` must be below (and not negative), in both engines. */
export const TIME_LIMIT_MS = 253_402_300_800_000;

/**
 * The source and event day of one parsed record: what the deployed stream's
 * {@link firehosePartitionQuery} extracts, in TypeScript (a test runs both on the
 * same records with jq 1.6, Firehose's engine). Throws a {@link RecordPartitionError}
 * naming the problem.
 */
export function recordPartition(record: unknown): RecordPartition {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new RecordPartitionError('the record is not a JSON object');
  }
  const { class_uid: classUid, time } = record as { class_uid?: unknown; time?: unknown };
  let source: OcsfSource;
  try {
    source = sourceForClass(classUid);
  } catch (error) {
    if (error instanceof UnmappedClassError) {
      throw new RecordPartitionError(error.message, { cause: error });
    }
    throw error;
  }
  if (typeof time !== 'number' || !(time >= 0 && time < TIME_LIMIT_MS)) {
    throw new RecordPartitionError(
      `the record's time must be epoch milliseconds from 1970 to 9999, got ${JSON.stringify(time) ?? 'nothing'}`,
    );
  }
  return { source, eventDay: eventDay(time) };
}

/** {@link recordPartition} of one NDJSON line (the bytes Firehose received). */
export function lineRecordPartition(line: string): RecordPartition {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (cause) {
    throw new RecordPartitionError('the record is not JSON', { cause });
  }
  return recordPartition(record);
}

/**
 * The jq 1.6 query of the stream's inline dynamic partitioning: the source from
 * `class_uid` (through {@link OCSF_SOURCES}; an unmapped class is an error, so the
 * record goes to the error prefix), and the event day from the record's own `time`
 * (epoch ms), so a record buffered or replayed across midnight lands in its day.
 *
 * @param nameOf the folder name of a source (Security Lake's registered name when
 *   delivering into a lake).
 */
export function firehosePartitionQuery(nameOf: (source: OcsfSource) => string = (s) => s.name) {
  const names = Object.fromEntries(OCSF_SOURCE_LIST.map((s) => [String(s.classUid), nameOf(s)]));
  const source = `(${JSON.stringify(names)}[.class_uid | tojson] // error("class_uid has no Security Lake source"))`;
  const day = `(.time | if type == "number" and . >= 0 and . < ${TIME_LIMIT_MS} then . else error("time must be epoch milliseconds") end | . / 1000 | floor | strftime("%Y%m%d"))`;
  return `{${PARTITION_KEYS.source}: ${source}, ${PARTITION_KEYS.eventDay}: ${day}}`;
}

/**
 * The stream's `Prefix`: the source and day come from each record. `sourceVersion`
 * adds the version folder Security Lake puts after the source name when a source is
 * registered with one (`ext/<source>/<version>/region=…`).
 */
export function firehoseDataPrefix(
  region: string,
  accountId: string,
  options: { sourceVersion?: string } = {},
): string {
  const version = options.sourceVersion ? `${options.sourceVersion}/` : '';
  return `${AUDIT_S3_ROOT}!{partitionKeyFromQuery:${PARTITION_KEYS.source}}/${version}region=${region}/accountId=${accountId}/eventDay=!{partitionKeyFromQuery:${PARTITION_KEYS.eventDay}}/`;
}

/** The stream's `ErrorOutputPrefix` (by error type and arrival day). */
export const FIREHOSE_ERROR_PREFIX = `${AUDIT_S3_ERROR_ROOT}!{firehose:error-output-type}/eventDay=!{timestamp:yyyyMMdd}/`;
