/**
 * A Firehose-compatible HTTP endpoint for offline runs and tests: the awsJson1_1
 * protocol of `Firehose_20150804.PutRecord` and `.PutRecordBatch`, the real SDK client
 * talks to it through `AWS_ENDPOINT_URL_FIREHOSE` (or an `endpoint` option).
 *
 * Like the real stream, it acknowledges records once they are in its buffer and writes
 * them later: when the buffer reaches `bufferSizeBytes`, when its oldest record has
 * waited `bufferIntervalMs`, or when no record came for `bufferIdleMs` (local only, so
 * objects appear right after a burst such as a sign-in). Each write is one object per
 * (source, event day) holding the buffered records in arrival order, in the S3 layout of
 * the real stream's dynamic partitioning (`layout.ts`:
 * `<dir>/ext/<source>/region=../accountId=../eventDay=<record's day>/<stream>-1-<time>-<uuid>`);
 * the real stream converts to Parquet, the fake keeps the NDJSON as sent. `flush()` (or
 * `POST /_authwatch/flush` from another process) writes at once; `stop()` flushes.
 *
 * Faults can be injected at start and changed at runtime (`setFaults`, or
 * `POST /_authwatch/faults` with the same JSON): per-record partial failures (HTTP 200,
 * `FailedPutCount` > 0), 503 ServiceUnavailableException, 400 ThrottlingException,
 * answers lost after the records were accepted (the socket is destroyed, so the client
 * cannot know they were delivered), and added latency. SigV4 is accepted and not verified.
 */
import { isAscii } from 'node:buffer';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { layOutRecords } from './layout.js';

/** Firehose's limits, enforced like the service does. */
const MAX_RECORDS = 500;
const MAX_RECORD_BYTES = 1_000 * 1024;
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** Local buffering defaults: small, so objects show up a moment after the records. */
const DEFAULT_BUFFER_INTERVAL_MS = 200;
const DEFAULT_BUFFER_IDLE_MS = 20;
const DEFAULT_BUFFER_SIZE_BYTES = 1024 * 1024;
/** A failed write is retried no sooner than this (one stderr line a second, not a spin). */
const MIN_RETRY_MS = 1_000;

export interface FirehoseFaults {
  /** Probability that one record of a PutRecordBatch fails (HTTP 200, ErrorCode). */
  partialFailureRate?: number;
  /** Probability that a request answers 503 ServiceUnavailableException. */
  unavailableRate?: number;
  /** Probability that a request answers 400 ThrottlingException. */
  throttleRate?: number;
  /** Probability that the records are stored but the answer never reaches the client. */
  dropResponseRate?: number;
  /** Latency added before a request is handled, ms. */
  latencyMs?: number;
  /** Extra random latency in [0, latencyJitterMs), ms. */
  latencyJitterMs?: number;
}

export interface FirehoseServerOptions {
  /** Folder the delivered objects are written under (the bucket's root). */
  dir: string;
  /** Stream names that exist; any name is accepted when unset. */
  streams?: string[];
  /** Region and account of the partition folders (default us-east-1, 000000000000). */
  region?: string;
  accountId?: string;
  faults?: FirehoseFaults;
  /** Random source in [0, 1) for fault injection (Math.random unless given). */
  random?: () => number;
  now?: () => number;
  /** Keep the records of answers that were dropped (default true), for tests. */
  keepLostRecords?: boolean;
  /**
   * Longest a record waits in the buffer before it is written, ms (default 200; the real
   * stream's `IntervalInSeconds` is 0-900 s). 0 writes on the next turn of the event loop.
   */
  bufferIntervalMs?: number;
  /**
   * A stream's buffer is written once it holds this many bytes (default 1 MiB; the real
   * stream's `SizeInMBs` is 1-128 MiB).
   */
  bufferSizeBytes?: number;
  /**
   * The buffer is also written once no record came for this long, ms (default 20; 0: off).
   * Local only: the real stream waits for the interval or the size.
   */
  bufferIdleMs?: number;
  /** Where write failures are reported (default: one line on stderr). */
  log?: (line: string) => void;
  /**
   * Awaited first by `flush()` (and `POST /_authwatch/flush`): the local stack waits for
   * its handlers' after-response work, so a flush holds every audit event of the
   * sign-ins that have answered.
   */
  beforeFlush?: () => Promise<void>;
}

export interface FirehoseServerStats {
  requests: number;
  putRecord: number;
  putRecordBatch: number;
  /** Records accepted and acknowledged (buffered, then written: see `recordsWritten`). */
  recordsStored: number;
  /** Records written to disk. */
  recordsWritten: number;
  /** Records accepted and not written yet. */
  recordsBuffered: number;
  recordsFailed: number;
  unavailable: number;
  throttled: number;
  invalid: number;
  /** Answers lost after their records were accepted. */
  responsesLost: number;
  /** The records (as stored text) of those lost answers. */
  lostRecords: string[];
  /** Requests the client gave up on before they were handled (not stored). */
  abandoned: number;
  /** Objects the disk refused (their records stayed buffered for the next write). */
  writeErrors: number;
  /** Records written to the error prefix: no source for their class, or no time (see layout.ts). */
  recordsPartitionFailed: number;
  /** The message of the last refused write. */
  lastWriteError?: string;
  /** Paths of the objects written, in the order they were written. */
  objects: string[];
}

export interface FirehoseServer {
  /** The HTTP server (not listening until `start`). */
  readonly listener: Server;
  /** Listens on `port` (0: any free port) on 127.0.0.1 and returns the endpoint URL. */
  start(port?: number, host?: string): Promise<string>;
  /**
   * Stops listening (after the requests in flight), then writes every buffered record.
   * Rejects with a `FirehoseWriteError` when the disk refuses them (they stay buffered).
   */
  stop(): Promise<void>;
  /** The endpoint URL once started. */
  readonly url: string;
  readonly stats: FirehoseServerStats;
  /** Replaces the fault settings (omitted keys become 0). */
  setFaults(faults: FirehoseFaults): void;
  readonly faults: Readonly<Required<FirehoseFaults>>;
  /**
   * Waits for the requests in flight, then writes every buffered record (one object per
   * stream) and waits until they are on disk. Rejects with a `FirehoseWriteError` when
   * the disk refuses an object; its records stay buffered for the next write.
   */
  flush(): Promise<void>;
}

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

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Faults that are not what {@link FirehoseFaults} describes: the message names the member. */
export class FirehoseFaultsError extends Error {
  constructor(message: string) {
    super(`local firehose faults: ${message}`);
    this.name = 'FirehoseFaultsError';
  }
}

const FAULT_RATES = [
  'partialFailureRate',
  'unavailableRate',
  'throttleRate',
  'dropResponseRate',
] as const;
const FAULT_LATENCIES = ['latencyMs', 'latencyJitterMs'] as const;
/** Longer than any caller's timeout: a latency above it is a mistake, not a test. */
const MAX_FAULT_LATENCY_MS = 60_000;

/**
 * Checks faults (from code or a control request's JSON) and fills in the zeros. Throws
 * a {@link FirehoseFaultsError} naming the first bad member: rates are numbers in
 * [0, 1], latencies numbers of ms in [0, 60000], and nothing else is accepted.
 */
export function normaliseFaults(faults: unknown = {}): Required<FirehoseFaults> {
  if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) {
    throw new FirehoseFaultsError(`expected a JSON object, got ${describeValue(faults)}`);
  }
  const given = faults as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (
      !(FAULT_RATES as readonly string[]).includes(key) &&
      !(FAULT_LATENCIES as readonly string[]).includes(key)
    ) {
      throw new FirehoseFaultsError(
        `unknown member '${key}' (known: ${[...FAULT_RATES, ...FAULT_LATENCIES].join(', ')})`,
      );
    }
  }
  const number = (key: string, max: number): number => {
    const value = given[key] === undefined ? 0 : given[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
      throw new FirehoseFaultsError(
        `${key} must be a number from 0 to ${max}, got ${describeValue(value)}`,
      );
    }
    return value;
  };
  return {
    partialFailureRate: number('partialFailureRate', 1),
    unavailableRate: number('unavailableRate', 1),
    throttleRate: number('throttleRate', 1),
    dropResponseRate: number('dropResponseRate', 1),
    latencyMs: number('latencyMs', MAX_FAULT_LATENCY_MS),
    latencyJitterMs: number('latencyJitterMs', MAX_FAULT_LATENCY_MS),
  };
}

/** A value as an error message shows it: short, and never more than 40 characters of it. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (typeof value === 'object') return 'an object';
  return String(value);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).byteLength;
  }
  if (chunks.length === 1) return chunks[0] as Buffer;
  return Buffer.concat(chunks, length);
}

/**
 * The body as text. A PutRecordBatch body is base64 inside JSON, so nearly always pure
 * ASCII: then latin1 (a plain byte copy) gives the same string several times faster
 * than UTF-8 decoding of a 4 MiB body.
 */
function bodyText(raw: Buffer): string {
  return isAscii(raw) ? raw.toString('latin1') : raw.toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, onDone?: () => void): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text, onDone);
}

function sendError(res: ServerResponse, error: ApiError): void {
  send(res, error.status, { __type: error.type, message: error.message });
}

/** A buffering option as a number >= `min`, or a message naming the option. */
function bufferOption(name: string, value: number | undefined, fallback: number, min: number) {
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

/** Parses one base64 `Data` blob, enforcing the record limit. */
function decodeData(value: unknown): Buffer {
  if (typeof value !== 'string') {
    throw new ApiError(400, 'InvalidArgumentException', 'Record.Data must be a base64 string');
  }
  const data = Buffer.from(value, 'base64');
  if (data.byteLength === 0 || data.byteLength > MAX_RECORD_BYTES) {
    throw new ApiError(
      400,
      'InvalidArgumentException',
      `Record size must be between 1 and ${MAX_RECORD_BYTES} bytes`,
    );
  }
  return data;
}

/** Records of one stream waiting to be written, in arrival order. */
interface Buffered {
  chunks: Buffer[];
  bytes: number;
}

/**
 * Creates the fake. Call `start()` to listen.
 *
 * @example
 * ```ts
 * const fake = createFirehoseServer({ dir: '.local/s3', faults: { partialFailureRate: 0.1 } });
 * const endpoint = await fake.start(4573); // AWS_ENDPOINT_URL_FIREHOSE=http://127.0.0.1:4573
 * // ... PutRecord / PutRecordBatch ...
 * await fake.flush(); // every acknowledged record is on disk now
 * ```
 */
export function createFirehoseServer(options: FirehoseServerOptions): FirehoseServer {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const streams = options.streams ? new Set(options.streams) : undefined;
  const keepLost = options.keepLostRecords ?? true;
  const intervalMs = bufferOption(
    'bufferIntervalMs',
    options.bufferIntervalMs,
    DEFAULT_BUFFER_INTERVAL_MS,
    0,
  );
  const idleMs = bufferOption('bufferIdleMs', options.bufferIdleMs, DEFAULT_BUFFER_IDLE_MS, 0);
  const sizeBytes = bufferOption(
    'bufferSizeBytes',
    options.bufferSizeBytes,
    DEFAULT_BUFFER_SIZE_BYTES,
    1,
  );
  const log = options.log ?? ((line: string) => process.stderr.write(line));
  const objectId = orderedIds();
  let faults = normaliseFaults(options.faults);
  let url = '';
  let closed = false;
  /** API requests being handled (control requests are not: a flush waits for these). */
  const pending = new Set<Promise<unknown>>();
  const madeDirs = new Set<string>();
  const stats: FirehoseServerStats = {
    requests: 0,
    putRecord: 0,
    putRecordBatch: 0,
    recordsStored: 0,
    recordsWritten: 0,
    recordsBuffered: 0,
    recordsFailed: 0,
    unavailable: 0,
    throttled: 0,
    invalid: 0,
    responsesLost: 0,
    lostRecords: [],
    abandoned: 0,
    writeErrors: 0,
    recordsPartitionFailed: 0,
    objects: [],
  };

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
      if (!closed) intervalTimer ??= setTimeout(onTimer, Math.max(intervalMs, MIN_RETRY_MS));
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

  const streamOf = (body: Record<string, unknown>): string => {
    const name = body.DeliveryStreamName;
    if (typeof name !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(name)) {
      throw new ApiError(400, 'InvalidArgumentException', 'DeliveryStreamName is invalid');
    }
    if (streams && !streams.has(name)) {
      throw new ApiError(
        400,
        'ResourceNotFoundException',
        `Firehose ${name} under account ${accountId} not found.`,
      );
    }
    return name;
  };

  /** Returns the answer and the records accepted by this request. */
  const handleApi = (
    operation: string,
    body: Record<string, unknown>,
  ): { answer: unknown; stored: Buffer[] } => {
    if (operation === 'PutRecord') {
      stats.putRecord += 1;
      const stream = streamOf(body);
      const record = body.Record as { Data?: unknown } | undefined;
      const data = decodeData(record?.Data);
      accept(stream, [data]);
      return { answer: { RecordId: randomUUID(), Encrypted: false }, stored: [data] };
    }
    if (operation === 'PutRecordBatch') {
      stats.putRecordBatch += 1;
      const stream = streamOf(body);
      const records = body.Records;
      if (!Array.isArray(records) || records.length === 0 || records.length > MAX_RECORDS) {
        throw new ApiError(
          400,
          'InvalidArgumentException',
          `Records must hold between 1 and ${MAX_RECORDS} records`,
        );
      }
      const data = records.map((record: { Data?: unknown }) => decodeData(record?.Data));
      const total = data.reduce((sum, item) => sum + item.byteLength, 0);
      if (total > MAX_REQUEST_BYTES) {
        throw new ApiError(400, 'InvalidArgumentException', 'Request is larger than 4 MiB');
      }
      const stored: Buffer[] = [];
      const responses = data.map((item) => {
        if (faults.partialFailureRate > 0 && random() < faults.partialFailureRate) {
          stats.recordsFailed += 1;
          return {
            ErrorCode: 'ServiceUnavailableException',
            ErrorMessage: 'Slow down.',
          };
        }
        stored.push(item);
        return { RecordId: randomUUID() };
      });
      if (stored.length > 0) accept(stream, stored);
      return {
        answer: {
          FailedPutCount: data.length - stored.length,
          Encrypted: false,
          RequestResponses: responses,
        },
        stored,
      };
    }
    throw new ApiError(400, 'UnknownOperationException', `Unknown operation ${operation}`);
  };

  /** `/_authwatch/*`: faults, stats and flush, for tests and out-of-process readers. */
  const handleControl = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    if (req.method === 'POST' && req.url === '/_authwatch/faults') {
      let next: unknown;
      try {
        next = JSON.parse(raw.toString('utf8') || '{}');
        server.setFaults(next as FirehoseFaults);
      } catch (error) {
        // The faults stay as they were.
        const message =
          error instanceof FirehoseFaultsError
            ? error.message
            : 'local firehose faults: body is not JSON';
        send(res, 400, { __type: 'InvalidArgumentException', message });
        return;
      }
      send(res, 200, faults);
      return;
    }
    if (req.method === 'GET' && req.url === '/_authwatch/stats') {
      const { lostRecords: _lost, objects: _objects, ...counts } = stats;
      send(res, 200, counts);
      return;
    }
    if (req.method === 'POST' && req.url === '/_authwatch/flush') {
      const answer = () => ({
        recordsWritten: stats.recordsWritten,
        recordsBuffered: stats.recordsBuffered,
        objects: stats.objects.length,
      });
      try {
        await server.flush();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        send(res, 500, { __type: 'WriteError', message, ...answer() });
        return;
      }
      send(res, 200, answer());
      return;
    }
    send(res, 404, { __type: 'NotFound', message: 'unknown control path' });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    stats.requests += 1;
    const delay =
      faults.latencyMs + (faults.latencyJitterMs > 0 ? random() * faults.latencyJitterMs : 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed || req.socket.destroyed) {
      stats.abandoned += 1;
      return;
    }
    const target = req.headers['x-amz-target'];
    const operation =
      typeof target === 'string' && target.startsWith('Firehose_20150804.')
        ? target.slice('Firehose_20150804.'.length)
        : '';
    try {
      if (req.method !== 'POST' || operation === '') {
        throw new ApiError(400, 'UnknownOperationException', 'Missing X-Amz-Target');
      }
      if (faults.unavailableRate > 0 && random() < faults.unavailableRate) {
        stats.unavailable += 1;
        throw new ApiError(503, 'ServiceUnavailableException', 'Slow down.');
      }
      if (faults.throttleRate > 0 && random() < faults.throttleRate) {
        stats.throttled += 1;
        throw new ApiError(400, 'ThrottlingException', 'Rate exceeded');
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(bodyText(raw)) as Record<string, unknown>;
      } catch {
        throw new ApiError(400, 'SerializationException', 'Body is not JSON');
      }
      if (body === null || typeof body !== 'object') {
        throw new ApiError(400, 'SerializationException', 'Body is not a JSON object');
      }
      const { answer, stored } = handleApi(operation, body);
      const lost = () => {
        stats.responsesLost += 1;
        if (keepLost) for (const item of stored) stats.lostRecords.push(item.toString('utf8'));
      };
      if (faults.dropResponseRate > 0 && random() < faults.dropResponseRate) {
        lost();
        req.socket.destroy();
        return;
      }
      if (res.destroyed) {
        lost();
        return;
      }
      res.on('close', () => {
        if (!res.writableFinished) lost();
      });
      send(res, 200, answer);
    } catch (error) {
      if (error instanceof ApiError) {
        if (error.status === 400 && error.type !== 'ThrottlingException') stats.invalid += 1;
        sendError(res, error);
        return;
      }
      send(res, 500, { __type: 'InternalFailure', message: 'internal error' });
    }
  };

  const listener = createServer((req, res) => {
    const control = req.url?.startsWith('/_authwatch/') ?? false;
    const work = (control ? handleControl(req, res) : handle(req, res)).catch(() => {
      if (!res.headersSent)
        send(res, 500, { __type: 'InternalFailure', message: 'internal error' });
    });
    if (control) return;
    pending.add(work);
    void work.finally(() => pending.delete(work));
  });
  listener.keepAliveTimeout = 30_000;

  const server: FirehoseServer = {
    listener,
    stats,
    get url() {
      return url;
    },
    get faults() {
      return faults;
    },
    setFaults(next) {
      faults = normaliseFaults(next);
    },
    async start(port = 0, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, host, () => {
          listener.off('error', reject);
          resolve();
        });
      });
      const address = listener.address() as AddressInfo;
      url = `http://${host}:${address.port}`;
      return url;
    },
    async stop() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      listener.closeAllConnections();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      closed = true;
      await queueWrite();
    },
    async flush() {
      await options.beforeFlush?.();
      await Promise.allSettled([...pending]);
      await queueWrite();
    },
  };
  return server;
}
