/**
 * How the local Firehose lays out one write of a stream's buffer, as the deployed
 * stream's dynamic partitioning does: one object per (source, event day), the source
 * from each record's `class_uid` and the day from its own `time` (`@authwatch/audit`'s
 * `lineRecordPartition`, the TypeScript twin of the stream's jq query), records in
 * arrival order. A record that cannot be partitioned (not JSON, a class without a
 * source, no time) goes to an error document under
 * `errors/authwatch/processing-failed/eventDay=<arrival day>/`, as Firehose delivers
 * it, never into another class's source.
 */
import {
  auditObjectName,
  auditObjectPrefix,
  errorObjectPrefix,
  lineRecordPartition,
  PARTITIONING_ERROR_CODE,
  PARTITIONING_FAILED,
  RecordPartitionError,
} from '@authwatch/audit/layout';

/** One object of a write: where it goes, its bytes and the records it holds. */
export interface LaidOutObject {
  /** Folder, relative to the bucket root, with a trailing slash. */
  folder: string;
  name: string;
  body: Buffer;
  /** The records as accepted (to buffer again if the write fails). */
  records: Buffer[];
  /** True for an error document of records that could not be partitioned. */
  failed: boolean;
}

export interface LayoutInput {
  stream: string;
  /** The records, in arrival order. */
  records: Buffer[];
  region: string;
  accountId: string;
  /** The write's time (the object names' timestamp, the error documents' day). */
  at: number;
  /** Makes a fresh object id. */
  objectId: (at: number) => string;
}

/** Firehose's error document for a record it could not partition. */
function errorDocument(record: Buffer, message: string, at: number): string {
  return JSON.stringify({
    attemptsMade: 1,
    arrivalTimestamp: at,
    errorCode: PARTITIONING_ERROR_CODE,
    errorMessage: message,
    attemptEndingTimestamp: at,
    rawData: record.toString('base64'),
  });
}

/** Splits one stream's buffered records into the objects the stream would write. */
export function layOutRecords(input: LayoutInput): LaidOutObject[] {
  // Keyed by class and day: the folder text is built once per group, not per record.
  const groups = new Map<string, { folder: string; records: Buffer[] }>();
  const failed: { record: Buffer; document: string }[] = [];
  for (const record of input.records) {
    try {
      const { source, eventDay } = lineRecordPartition(record.toString('utf8'));
      const key = `${source.classUid}/${eventDay}`;
      let group = groups.get(key);
      if (!group) {
        const folder = auditObjectPrefix({
          source,
          region: input.region,
          accountId: input.accountId,
          eventDay,
        });
        group = { folder, records: [] };
        groups.set(key, group);
      }
      group.records.push(record);
    } catch (error) {
      if (!(error instanceof RecordPartitionError)) throw error;
      failed.push({ record, document: errorDocument(record, error.message, input.at) });
    }
  }
  const objects: LaidOutObject[] = [...groups.values()].map((group) => ({
    folder: group.folder,
    name: auditObjectName(input.stream, input.at, input.objectId(input.at)),
    body: Buffer.concat(group.records),
    records: group.records,
    failed: false,
  }));
  if (failed.length > 0) {
    objects.push({
      folder: errorObjectPrefix(PARTITIONING_FAILED, input.at),
      name: auditObjectName(input.stream, input.at, input.objectId(input.at)),
      body: Buffer.from(`${failed.map((f) => f.document).join('\n')}\n`, 'utf8'),
      records: failed.map((f) => f.record),
      failed: true,
    });
  }
  return objects;
}
