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
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  bufferOption,
  createDeliveryBuffer,
  DEFAULT_BUFFER_IDLE_MS,
  DEFAULT_BUFFER_INTERVAL_MS,
  DEFAULT_BUFFER_SIZE_BYTES,
} from './buffer.js';
import { type FirehoseFaults, FirehoseFaultsError, normaliseFaults } from './faults.js';
import {
  ApiError,
  bodyText,
  decodeData,
  MAX_RECORDS,
  MAX_REQUEST_BYTES,
  readBody,
  send,
  sendError,
} from './protocol.js';

export { FirehoseWriteError } from './buffer.js';
export { type FirehoseFaults, FirehoseFaultsError, normaliseFaults } from './faults.js';

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
  /** Records written to the error prefix: no source for their class, or no time (layout.ts). */
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
  let faults = normaliseFaults(options.faults);
  let url = '';
  let closed = false;
  /** API requests being handled (control requests are not: a flush waits for these). */
  const pending = new Set<Promise<unknown>>();
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
  // The buffer: records are acknowledged once in it and written later (buffer.ts).
  const { accept, queueWrite } = createDeliveryBuffer({
    dir: options.dir,
    region,
    accountId,
    now,
    intervalMs,
    idleMs,
    sizeBytes,
    log,
    stats,
    closed: () => closed,
  });

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
