/**
 * Turning events into Firehose records: newline-delimited JSON, each record within
 * Firehose's 1,000 KiB limit (an oversized event is cut, with a marker, never dropped),
 * and records grouped into calls of at most 500 records and 4 MiB.
 */
import type { AuditEvent } from './ocsf.js';

/** Firehose limits (PutRecordBatch): records per call, bytes per call, bytes per record. */
export const FIREHOSE_LIMITS = {
  maxRecordsPerCall: 500,
  maxBytesPerCall: 4 * 1024 * 1024,
  maxBytesPerRecord: 1_000 * 1024,
} as const;

/**
 * One event ready to send: its id, the event (possibly cut), its NDJSON line and the
 * line's size in UTF-8 bytes. The line stays a string until the request body is built
 * (`putRecordBatchBody`): a Buffer per record would cost an allocation outside the
 * JavaScript heap for each event, and on a busy batch path those add up to more than
 * the encoding itself.
 */
export interface EncodedRecord {
  id: string;
  event: AuditEvent;
  /** The event as JSON followed by a newline. */
  line: string;
  /** `line`'s size in UTF-8 bytes (what the Firehose limits count). */
  bytes: number;
}

/** One NDJSON line: the event as JSON followed by a newline. */
export function encodeEvent(event: AuditEvent): string {
  return `${JSON.stringify(event)}\n`;
}

function cut(value: unknown, maxString: number, maxItems: number): unknown {
  if (typeof value === 'string') {
    return value.length > maxString ? `${value.slice(0, maxString)}…` : value;
  }
  if (Array.isArray(value)) {
    return value.slice(0, maxItems).map((item) => cut(item, maxString, maxItems));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, cut(item, maxString, maxItems)]),
    );
  }
  return value;
}

/**
 * Returns the event as a record no larger than `maxBytes`. An event that fits is
 * returned as is; a larger one has its long strings and arrays cut, step by step,
 * and is marked `unmapped.truncated = true` with `unmapped.originalSize`. The id,
 * class, time, status and user survive any cut.
 */
export function fitEvent(
  event: AuditEvent,
  maxBytes: number = FIREHOSE_LIMITS.maxBytesPerRecord,
): { event: AuditEvent; line: string; bytes: number } {
  const line = encodeEvent(event);
  const bytes = Buffer.byteLength(line);
  if (bytes <= maxBytes) return { event, line, bytes };
  const originalSize = bytes;
  const mark = (candidate: AuditEvent): AuditEvent => ({
    ...candidate,
    // The id and the identity of the event are never cut.
    metadata: event.metadata,
    unmapped: { ...candidate.unmapped, truncated: true, originalSize },
  });
  for (const [maxString, maxItems] of [
    [65_536, 1_000],
    [8_192, 200],
    [1_024, 50],
    [128, 10],
    [32, 3],
  ] as const) {
    const candidate = mark(cut(event, maxString, maxItems) as AuditEvent);
    const encoded = encodeEvent(candidate);
    const size = Buffer.byteLength(encoded);
    if (size <= maxBytes) return { event: candidate, line: encoded, bytes: size };
  }
  // Only the skeleton: what Athena's queries group by.
  const skeleton: AuditEvent = mark({
    ...event,
    status_detail: event.status_detail.slice(0, 64),
    message: event.message.slice(0, 64),
    user: cut(event.user, 128, 1) as AuditEvent['user'],
    unmapped: {
      clientId: event.unmapped.clientId.slice(0, 128),
      triggerSource: event.unmapped.triggerSource.slice(0, 64),
    },
  });
  const skeletonLine = encodeEvent(skeleton);
  return { event: skeleton, line: skeletonLine, bytes: Buffer.byteLength(skeletonLine) };
}

/** Encodes events as records, cutting any that would exceed the record limit. */
export function encodeRecords(
  events: readonly AuditEvent[],
  maxBytes: number = FIREHOSE_LIMITS.maxBytesPerRecord,
): EncodedRecord[] {
  return events.map((original) => {
    const { event, line, bytes } = fitEvent(original, maxBytes);
    return { id: original.metadata.uid, event, line, bytes };
  });
}

/**
 * Splits records into calls of at most `maxRecords` records and `maxBytes` bytes,
 * keeping their order. Every record must already fit the per-record limit.
 */
export function chunkRecords<R extends { bytes: number }>(
  records: readonly R[],
  limits: { maxRecords?: number; maxBytes?: number } = {},
): R[][] {
  const maxRecords = limits.maxRecords ?? FIREHOSE_LIMITS.maxRecordsPerCall;
  const maxBytes = limits.maxBytes ?? FIREHOSE_LIMITS.maxBytesPerCall;
  const chunks: R[][] = [];
  let current: R[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.bytes;
    if (current.length > 0 && (current.length >= maxRecords || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
