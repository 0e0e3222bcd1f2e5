/**
 * The Firehose sink. One request per call of `send` in the common case (PutRecord for
 * one event, PutRecordBatch for several), and Firehose's real failure semantics:
 *
 * - a partial failure (`FailedPutCount` > 0 with HTTP 200; the SDK does not throw)
 *   re-sends only the records whose `RequestResponses` entry has an `ErrorCode`;
 * - throttling, 5xx and network errors back off (full jitter, exponential) and retry;
 * - a request error that retrying cannot fix (missing stream, access denied, bad
 *   argument) stops at once;
 * - every request carries an abort signal for the time left before the deadline and
 *   the SDK's own retries are off (`maxAttempts: 1`), so this loop alone decides.
 *
 * What is still undelivered at the deadline is returned as `failed`; the auditor
 * writes it to the fallback log.
 */
import { captureClient, sdkClientConfig, sendWithSignal, withCallSignals } from '@authwatch/kit';
import type {
  FirehoseClient,
  FirehoseClientConfig,
  PutRecordBatchCommandOutput,
} from '@aws-sdk/client-firehose';
import { nativeRecordBodies } from './firehose-body.js';
import type { AuditEvent } from './ocsf.js';
import { chunkRecords, type EncodedRecord, encodeRecords, FIREHOSE_LIMITS } from './records.js';
import type { AuditSink, SendOptions, SendResult } from './sink.js';

export interface FirehoseSinkOptions {
  streamName: string;
  /**
   * A client to use; one with timeouts and `maxAttempts: 1` (`createFirehoseClient`) is
   * built on the first send unless given, so that loading the SDK's Firehose package
   * happens after a trigger's answer, not in its cold start. A given SDK client gets the `nativeRecordBodies` plugin (no effect on one that has
   * already sent with `cacheMiddleware`: it sends the same bytes, only slower).
   */
  client?: FirehoseClient;
  /** Longest one request may take (default 1,000 ms). */
  requestTimeoutMs?: number;
  /** Attempts per record, including the first (default 5). */
  maxAttempts?: number;
  /** First back-off ceiling (default 20 ms); doubles per round up to `maxBackoffMs`. */
  baseBackoffMs?: number;
  /** Largest back-off (default 500 ms). */
  maxBackoffMs?: number;
  /** Requests in flight at once when there are more than 500 records (default 4). */
  concurrency?: number;
  /** Random source in [0, 1) for jitter (Math.random unless given). */
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Counters, for the benchmark and tests. */
export interface FirehoseSinkStats {
  requests: number;
  recordsSent: number;
  recordsDelivered: number;
  /** Records re-sent after a partial failure or a retryable error. */
  retries: number;
  partialFailures: number;
  retryableErrors: number;
}

export interface FirehoseSink extends AuditSink {
  readonly stats: FirehoseSinkStats;
  /** The SDK client: the given one, or the one built on the first send (until then undefined). */
  readonly client: FirehoseClient | undefined;
  /** Sends already-encoded records (the replay command uses it). */
  sendRecords(records: readonly EncodedRecord[], options: SendOptions): Promise<SendResult>;
}

const RETRYABLE_NAMES = new Set([
  'ServiceUnavailableException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
  'InternalFailure',
  'InternalServerError',
  'InternalFailureException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
]);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/** Whether retrying a failed request could help (throttling, 5xx, network). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = error as Error & {
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  if (RETRYABLE_NAMES.has(error.name)) return true;
  if (details.code && RETRYABLE_CODES.has(details.code)) return true;
  if (details.$retryable) return true;
  const status = details.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No HTTP status at all: the request never got an answer (socket error).
  return !details.$metadata && error.name !== 'AbortError';
}

/**
 * A record's line as the command's `Data`. The SDK sends a string blob as its UTF-8
 * bytes (base64 in the JSON body), exactly what a Buffer of the line would give, but its
 * types name only Uint8Array; the line is not copied into a Buffer of its own.
 */
function recordData(record: EncodedRecord): Uint8Array {
  return record.line as unknown as Uint8Array;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}

export interface FirehoseClientOptions {
  /** Longest one request may take (default 1,000 ms). */
  requestTimeoutMs?: number;
  /**
   * More client settings (endpoint, region, credentials), for the local stack, tests
   * and the benchmark; the default chain and `AWS_ENDPOINT_URL_FIREHOSE` otherwise.
   */
  config?: Omit<FirehoseClientConfig, 'requestHandler' | 'maxAttempts' | 'logger'>;
}

/**
 * A Firehose client for the audit path, from the SDK's `FirehoseClient` class (given, so
 * that this module does not import the SDK: see `createFirehoseClient`): tight timeouts, no SDK retries, request bodies
 * built with native base64 (`nativeRecordBodies`), and without the SDK's logger
 * middleware: the client has no logger, yet that middleware would copy every input and
 * output through the sensitive-data filter on each call (0.5 ms for a full batch).
 *
 * @example
 * ```ts
 * const { FirehoseClient } = await import('@aws-sdk/client-firehose');
 * const client = buildFirehoseClient(FirehoseClient, { requestTimeoutMs: 1_000 });
 * ```
 */
export function buildFirehoseClient(
  Client: typeof FirehoseClient,
  options: FirehoseClientOptions = {},
): FirehoseClient {
  const client = new Client({
    ...options.config,
    ...sdkClientConfig({
      requestTimeoutMs: options.requestTimeoutMs ?? 1_000,
      connectionTimeoutMs: 300,
      maxAttempts: 1,
    }),
  });
  client.middlewareStack.remove('loggerMiddleware');
  client.middlewareStack.use(nativeRecordBodies);
  return withCallSignals(captureClient(client));
}

type FirehoseSdk = typeof import('@aws-sdk/client-firehose');

/** What a send needs: the SDK's command classes and a client. */
interface FirehoseParts {
  sdk: Pick<FirehoseSdk, 'PutRecordCommand' | 'PutRecordBatchCommand'>;
  client: FirehoseClient;
}

async function loadFirehoseParts(
  given: FirehoseClient | undefined,
  requestTimeoutMs: number,
): Promise<FirehoseParts> {
  const sdk = await import('@aws-sdk/client-firehose');
  return { sdk, client: given ?? buildFirehoseClient(sdk.FirehoseClient, { requestTimeoutMs }) };
}

/**
 * Creates the Firehose sink.
 *
 * @example
 * ```ts
 * const sink = createFirehoseSink({ streamName: 'authwatch-audit' });
 * const { failed } = await sink.send(events, { deadline: Date.now() + 1000 });
 * ```
 */
export function createFirehoseSink(options: FirehoseSinkOptions): FirehoseSink {
  let client = options.client;
  // Test doubles often have no middleware stack; they see the same commands either way.
  if (client && typeof client.middlewareStack?.use === 'function') {
    client.middlewareStack.use(nativeRecordBodies);
  }
  let ready: Promise<FirehoseParts> | undefined;
  /** The SDK's commands and the client, loaded once; a failed load is tried again next time. */
  const parts = (): Promise<FirehoseParts> => {
    ready ??= loadFirehoseParts(client, options.requestTimeoutMs ?? 1_000).then(
      (loaded) => {
        client = loaded.client;
        return loaded;
      },
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
  };
  const maxAttempts = options.maxAttempts ?? 5;
  const baseBackoffMs = options.baseBackoffMs ?? 20;
  const maxBackoffMs = options.maxBackoffMs ?? 500;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const stats: FirehoseSinkStats = {
    requests: 0,
    recordsSent: 0,
    recordsDelivered: 0,
    retries: 0,
    partialFailures: 0,
    retryableErrors: 0,
  };

  interface ChunkOutcome {
    retry: EncodedRecord[];
    fatal: EncodedRecord[];
    reason?: string;
  }

  const putChunk = async (
    { sdk, client }: FirehoseParts,
    chunk: EncodedRecord[],
    deadline: number,
  ): Promise<ChunkOutcome> => {
    const remaining = deadline - now();
    if (remaining <= 0) return { retry: chunk, fatal: [], reason: 'deadline reached' };
    // One timer per request, cleared as soon as the request settles: an
    // `AbortSignal.timeout` would keep its timer (and the request it points to) alive
    // until the deadline, seconds after the answer, piling up per invocation.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), remaining);
    const abortSignal = controller.signal;
    stats.requests += 1;
    stats.recordsSent += chunk.length;
    try {
      if (chunk.length === 1) {
        const [record] = chunk as [EncodedRecord];
        await sendWithSignal(
          client,
          new sdk.PutRecordCommand({
            DeliveryStreamName: options.streamName,
            Record: { Data: recordData(record) },
          }),
          abortSignal,
        );
        stats.recordsDelivered += 1;
        return { retry: [], fatal: [] };
      }
      const output = await sendWithSignal<PutRecordBatchCommandOutput>(
        client,
        new sdk.PutRecordBatchCommand({
          DeliveryStreamName: options.streamName,
          Records: chunk.map((record) => ({ Data: recordData(record) })),
        }),
        abortSignal,
      );
      if (!output.FailedPutCount) {
        stats.recordsDelivered += chunk.length;
        return { retry: [], fatal: [] };
      }
      stats.partialFailures += 1;
      const responses = output.RequestResponses ?? [];
      const retry: EncodedRecord[] = [];
      let reason: string | undefined;
      chunk.forEach((record, index) => {
        const response = responses[index];
        // A missing entry cannot be proven delivered: send it again.
        if (!response || response.ErrorCode || !response.RecordId) {
          retry.push(record);
          reason ??= `${response?.ErrorCode ?? 'NoResponse'}: ${response?.ErrorMessage ?? ''}`;
        }
      });
      stats.recordsDelivered += chunk.length - retry.length;
      return { retry, fatal: [], reason: reason?.slice(0, 300) };
    } catch (error) {
      if (isRetryable(error)) {
        stats.retryableErrors += 1;
        return { retry: chunk, fatal: [], reason: describe(error) };
      }
      if (abortSignal.aborted) return { retry: chunk, fatal: [], reason: 'deadline reached' };
      return { retry: [], fatal: chunk, reason: describe(error) };
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * One unit of work for a sender: records already encoded (a retry, `sendRecords`), or
   * events encoded only when a sender takes them, so that encoding the next batch
   * overlaps with the batches in flight instead of holding up the first request.
   */
  type Work = { records: EncodedRecord[] } | { events: readonly AuditEvent[] };

  interface RoundResult {
    outcomes: ChunkOutcome[];
    /** Events never encoded because the deadline came first. */
    unsent: AuditEvent[];
  }

  const runRound = async (
    loaded: FirehoseParts,
    work: Work[],
    deadline: number,
  ): Promise<RoundResult> => {
    const result: RoundResult = { outcomes: [], unsent: [] };
    let next = 0;
    const sender = async () => {
      while (next < work.length) {
        const item = work[next++] as Work;
        if ('records' in item) {
          result.outcomes.push(await putChunk(loaded, item.records, deadline));
          continue;
        }
        if (deadline - now() <= 0) {
          result.unsent.push(...item.events);
          continue;
        }
        // Usually one call; a group whose records exceed 4 MiB is split.
        for (const chunk of chunkRecords(encodeRecords(item.events))) {
          result.outcomes.push(await putChunk(loaded, chunk, deadline));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, sender));
    return result;
  };

  const deliver = async (first: Work[], deadline: number): Promise<SendResult> => {
    let loaded: FirehoseParts;
    try {
      loaded = await parts();
    } catch (error) {
      const failed = first.flatMap((item) =>
        'records' in item ? item.records.map((record) => record.event) : [...item.events],
      );
      return { failed, reason: `firehose: client not loaded: ${describe(error)}` };
    }
    let work = first;
    let pending: EncodedRecord[] = [];
    const fatal: EncodedRecord[] = [];
    const unsent: AuditEvent[] = [];
    let reason: string | undefined;
    for (let attempt = 1; work.length > 0; attempt += 1) {
      const round = await runRound(loaded, work, deadline);
      unsent.push(...round.unsent);
      if (round.unsent.length > 0) reason = 'deadline reached';
      pending = [];
      for (const outcome of round.outcomes) {
        pending.push(...outcome.retry);
        fatal.push(...outcome.fatal);
        if (outcome.reason) reason = outcome.reason;
      }
      work = [];
      if (pending.length === 0 || attempt >= maxAttempts) break;
      const ceiling = Math.min(maxBackoffMs, baseBackoffMs * 2 ** (attempt - 1));
      const delay = Math.floor(random() * ceiling);
      if (now() + delay >= deadline) {
        reason = `${reason ?? 'retry'} (deadline reached)`;
        break;
      }
      stats.retries += pending.length;
      await sleep(delay);
      work = chunkRecords(pending).map((records) => ({ records }));
      pending = [];
    }
    const failed = [...fatal, ...pending].map((record) => record.event).concat(unsent);
    return failed.length === 0 ? { failed } : { failed, reason: `firehose: ${reason}` };
  };

  const sendRecords = (records: readonly EncodedRecord[], { deadline }: SendOptions) =>
    deliver(
      chunkRecords(records).map((chunk) => ({ records: chunk })),
      deadline,
    );

  const send = (events: readonly AuditEvent[], { deadline }: SendOptions) => {
    const work: Work[] = [];
    for (let i = 0; i < events.length; i += FIREHOSE_LIMITS.maxRecordsPerCall) {
      work.push({ events: events.slice(i, i + FIREHOSE_LIMITS.maxRecordsPerCall) });
    }
    return deliver(work, deadline);
  };

  return {
    name: 'firehose',
    durable: true,
    stats,
    get client() {
      return client;
    },
    sendRecords,
    send,
  };
}
