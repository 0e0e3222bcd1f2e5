/**
 * The Firehose fake's delivery buffer. Like the real stream, records are acknowledged once
 * they are in the buffer and written later, one object per stream, source and event day
 * (`layout.ts`, the stream's dynamic partitioning) holding the buffered records in
 * arrival order, in the S3 layout of the real stream.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { layOutRecords } from './layout.js';

/** Local buffering defaults: small, so objects show up a moment after the records. */
export const DEFAULT_BUFFER_INTERVAL_MS = 200;
export const DEFAULT_BUFFER_IDLE_MS = 20;
export const DEFAULT_BUFFER_SIZE_BYTES = 1024 * 1024;
/** A failed write is retried no sooner than this (one stderr line a second, not a spin). */
const MIN_RETRY_MS = 1_000;

/** The disk refused an object; its records stay buffered for the next write. */
export class FirehoseWriteError extends Error {
  constructor(
    readonly stream: string,
    readonly records: number,
    readonly path: string,
    cause: unknown,
  ) {
    super(
      `local firehose: could not write ${records} records of ${stream} to ${path} ` +
        `(${cause instanceof Error ? cause.message : String(cause)}); they stay buffered for the next write`,
      { cause },
    );
    this.name = 'FirehoseWriteError';
  }
}

/** A buffering option as a number >= `min`, or a message naming the option. */
export function bufferOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(`Firehose fake option ${name} must be a number >= ${min}, got ${value}`);
  }
  return value;
}

/**
 * Object ids that sort in the order the objects were written (UUIDv7 layout: time in ms,
 * then a counter, then random bits), so reading a folder sorted by name reads records in
 * delivery order. The real stream's ids are random UUIDs; the format is the same.
 */
function orderedIds(): (at: number) => string {
  let lastMs = 0;
  let counter = 0;
  return (at) => {
    let ms = Math.max(Math.trunc(at), lastMs);
    if (ms === lastMs) {
      counter += 1;
      if (counter > 0xfff) {
        ms += 1;
        counter = 0;
      }
    } else counter = 0;
    lastMs = ms;
    const time = ms.toString(16).padStart(12, '0').slice(-12);
    const random = randomBytes(8);
    random[0] = ((random[0] as number) & 0x3f) | 0x80;
    const tail = random.toString('hex');
    return `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, '0')}-${tail.slice(0, 4)}-${tail.slice(4)}`;
  };
}

/** Records of one stream waiting to be written, in arrival order. */
interface Buffered {
  chunks: Buffer[];
  bytes: number;
}

/** The counters of `FirehoseServerStats` the buffer keeps (see server.ts for their meaning). */
export interface DeliveryStats {
  recordsStored: number;
  recordsWritten: number;
  recordsBuffered: number;
  writeErrors: number;
  recordsPartitionFailed: number;
  lastWriteError?: string;
  objects: string[];
}

export interface DeliveryBufferOptions {
  /** Folder the delivered objects are written under (the bucket's root). */
  dir: string;
  region: string;
  accountId: string;
  now: () => number;
  intervalMs: number;
  idleMs: number;
  sizeBytes: number;
  log: (line: string) => void;
  /** The server's counters this buffer keeps (a FirehoseServerStats). */
  stats: DeliveryStats;
  /** Whether the server has stopped (a failed write is then not retried by a timer). */
  closed: () => boolean;
}

export interface DeliveryBuffer {
  /** Puts accepted records in the buffer; they are written later (see the options). */
  accept(stream: string, records: Buffer[]): void;
  /** Queues a write of the buffer; a write queued and not started yet is shared. */
  queueWrite(): Promise<void>;
}

export function createDeliveryBuffer(options: DeliveryBufferOptions): DeliveryBuffer {
  const { region, accountId, now, intervalMs, idleMs, sizeBytes, log, stats } = options;
  const objectId = orderedIds();
  const madeDirs = new Set<string>();

  // The buffer. Writes run one at a time, each taking the whole buffer when it starts,
  // so records reach the disk in the order they were accepted, even across a failed write.
  let buffers = new Map<string, Buffered>();
  let intervalTimer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;

  const clearTimers = () => {
    clearTimeout(intervalTimer);
    clearTimeout(idleTimer);
    intervalTimer = undefined;
    idleTimer = undefined;
  };

  /** Writes the whole buffer: one object per stream, source and event day (layout.ts). */
  const writeBuffered = async (): Promise<void> => {
    clearTimers();
    if (buffers.size === 0) return;
    const batch = buffers;
    buffers = new Map();
    let failure: FirehoseWriteError | undefined;
    for (const [stream, buffered] of batch) {
      const at = now();
      for (const object of layOutRecords({
        stream,
        records: buffered.chunks,
        region,
        accountId,
        at,
        objectId,
      })) {
        const folder = join(options.dir, object.folder);
        const path = join(folder, object.name);
        const count = object.records.length;
        try {
          if (!madeDirs.has(folder)) {
            await mkdir(folder, { recursive: true });
            madeDirs.add(folder);
          }
          await writeFile(path, object.body);
        } catch (cause) {
          // The folder may have been removed under us: make it again next time.
          madeDirs.delete(folder);
          const bytes = object.records.reduce((sum, record) => sum + record.byteLength, 0);
          const later = buffers.get(stream);
          buffers.set(stream, {
            chunks: later ? object.records.concat(later.chunks) : object.records,
            bytes: bytes + (later?.bytes ?? 0),
          });
          const error = new FirehoseWriteError(stream, count, path, cause);
          failure ??= error;
          stats.writeErrors += 1;
          stats.lastWriteError = error.message;
          log(`${error.message}\n`);
          continue;
        }
        stats.objects.push(path);
        stats.recordsWritten += count;
        stats.recordsBuffered -= count;
        if (object.failed) {
          stats.recordsPartitionFailed += count;
          log(
            `local firehose: ${count} record(s) of ${stream} could not be partitioned: ${path}\n`,
          );
        }
      }
    }
    if (failure) {
      if (!options.closed())
        intervalTimer ??= setTimeout(onTimer, Math.max(intervalMs, MIN_RETRY_MS));
      throw failure;
    }
  };

  /** Queues a write of the buffer; a write queued and not started yet is shared. */
  const queueWrite = (): Promise<void> => {
    if (queued) return queued;
    const task = writing.then(() => {
      queued = undefined;
      return writeBuffered();
    });
    queued = task;
    writing = task.catch(() => undefined);
    return task;
  };

  /** A write nobody waits for: its failure is logged and retried by `writeBuffered`. */
  const writeInBackground = () => {
    queueWrite().catch(() => undefined);
  };

  const onTimer = () => {
    clearTimers();
    writeInBackground();
  };

  /** Puts accepted records in the buffer; they are written later (see the options). */
  const accept = (stream: string, records: Buffer[]): void => {
    let buffered = buffers.get(stream);
    if (!buffered) {
      buffered = { chunks: [], bytes: 0 };
      buffers.set(stream, buffered);
    }
    for (const record of records) {
      buffered.chunks.push(record);
      buffered.bytes += record.byteLength;
    }
    stats.recordsStored += records.length;
    stats.recordsBuffered += records.length;
    if (buffered.bytes >= sizeBytes) {
      writeInBackground();
      return;
    }
    intervalTimer ??= setTimeout(onTimer, intervalMs);
    if (idleMs > 0) {
      if (idleTimer) idleTimer.refresh();
      else idleTimer = setTimeout(onTimer, idleMs);
    }
  };
  return { accept, queueWrite };
}
