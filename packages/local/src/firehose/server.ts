/**
 * A Firehose-compatible HTTP endpoint for offline runs and tests: the awsJson1_1
 * protocol of `Firehose_20150804.PutRecord` and `.PutRecordBatch`, the real SDK client
 * talks to it through `AWS_ENDPOINT_URL_FIREHOSE` (or an `endpoint` option). Delivered
 * records are written to disk in the S3 layout of the real stream
 * (`<dir>/ext/authwatch/region=../accountId=../eventDay=YYYYMMDD/<stream>-1-<time>-<uuid>`),
 * one object per request (real Firehose buffers several requests into one object and
 * converts them to Parquet; the fake keeps the NDJSON as sent).
 *
 * Faults can be injected at start and changed at runtime (`setFaults`, or
 * `POST /_authwatch/faults` with the same JSON): per-record partial failures (HTTP 200,
 * `FailedPutCount` > 0), 503 ServiceUnavailableException, 400 ThrottlingException,
 * answers lost after the records were stored (the socket is destroyed, so the client
 * cannot know they were delivered), and added latency. SigV4 is accepted and not verified.
 */
import { isAscii } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { auditObjectName, auditObjectPrefix } from '@authwatch/audit';

/** Firehose's limits, enforced like the service does. */
const MAX_RECORDS = 500;
const MAX_RECORD_BYTES = 1_000 * 1024;
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

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
}

export interface FirehoseServerStats {
  requests: number;
  putRecord: number;
  putRecordBatch: number;
  recordsStored: number;
  recordsFailed: number;
  unavailable: number;
  throttled: number;
  invalid: number;
  /** Answers lost after their records were stored. */
  responsesLost: number;
  /** The records (as stored text) of those lost answers. */
  lostRecords: string[];
  /** Requests the client gave up on before they were handled (not stored). */
  abandoned: number;
  /** Paths of the objects written. */
  objects: string[];
}

export interface FirehoseServer {
  /** The HTTP server (not listening until `start`). */
  readonly listener: Server;
  /** Listens on `port` (0: any free port) on 127.0.0.1 and returns the endpoint URL. */
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
  /** The endpoint URL once started. */
  readonly url: string;
  readonly stats: FirehoseServerStats;
  /** Replaces the fault settings (omitted keys become 0). */
  setFaults(faults: FirehoseFaults): void;
  readonly faults: Readonly<Required<FirehoseFaults>>;
  /** Waits until every write of an accepted request is on disk. */
  flush(): Promise<void>;
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

function normalise(faults: FirehoseFaults = {}): Required<FirehoseFaults> {
  return {
    partialFailureRate: faults.partialFailureRate ?? 0,
    unavailableRate: faults.unavailableRate ?? 0,
    throttleRate: faults.throttleRate ?? 0,
    dropResponseRate: faults.dropResponseRate ?? 0,
    latencyMs: faults.latencyMs ?? 0,
    latencyJitterMs: faults.latencyJitterMs ?? 0,
  };
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

/**
 * Creates the fake. Call `start()` to listen.
 *
 * @example
 * ```ts
 * const fake = createFirehoseServer({ dir: '.local/s3', faults: { partialFailureRate: 0.1 } });
 * const endpoint = await fake.start(4573); // AWS_ENDPOINT_URL_FIREHOSE=http://127.0.0.1:4573
 * ```
 */
export function createFirehoseServer(options: FirehoseServerOptions): FirehoseServer {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const streams = options.streams ? new Set(options.streams) : undefined;
  const keepLost = options.keepLostRecords ?? true;
  let faults = normalise(options.faults);
  let url = '';
  const pending = new Set<Promise<unknown>>();
  const madeDirs = new Set<string>();
  const stats: FirehoseServerStats = {
    requests: 0,
    putRecord: 0,
    putRecordBatch: 0,
    recordsStored: 0,
    recordsFailed: 0,
    unavailable: 0,
    throttled: 0,
    invalid: 0,
    responsesLost: 0,
    lostRecords: [],
    abandoned: 0,
    objects: [],
  };

  const store = async (stream: string, records: Buffer[]): Promise<void> => {
    const at = now();
    const folder = join(options.dir, auditObjectPrefix(region, accountId, at));
    if (!madeDirs.has(folder)) {
      await mkdir(folder, { recursive: true });
      madeDirs.add(folder);
    }
    const path = join(folder, auditObjectName(stream, at, randomUUID()));
    await writeFile(path, Buffer.concat(records));
    stats.objects.push(path);
    stats.recordsStored += records.length;
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

  /** Returns the answer and the records stored by this request. */
  const handleApi = async (
    operation: string,
    body: Record<string, unknown>,
  ): Promise<{ answer: unknown; stored: Buffer[] }> => {
    if (operation === 'PutRecord') {
      stats.putRecord += 1;
      const stream = streamOf(body);
      const record = body.Record as { Data?: unknown } | undefined;
      const data = decodeData(record?.Data);
      await store(stream, [data]);
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
      if (stored.length > 0) await store(stream, stored);
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

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    if (req.url?.startsWith('/_authwatch/')) {
      if (req.method === 'POST' && req.url === '/_authwatch/faults') {
        server.setFaults(JSON.parse(raw.toString('utf8') || '{}') as FirehoseFaults);
        send(res, 200, faults);
        return;
      }
      if (req.method === 'GET' && req.url === '/_authwatch/stats') {
        const { lostRecords: _lost, objects: _objects, ...counts } = stats;
        send(res, 200, counts);
        return;
      }
      send(res, 404, { __type: 'NotFound', message: 'unknown control path' });
      return;
    }
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
      const { answer, stored } = await handleApi(operation, body);
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
    const work = handle(req, res).catch(() => {
      if (!res.headersSent)
        send(res, 500, { __type: 'InternalFailure', message: 'internal error' });
    });
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
      faults = normalise(next);
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
      await server.flush();
      listener.closeAllConnections();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
    async flush() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
  return server;
}
