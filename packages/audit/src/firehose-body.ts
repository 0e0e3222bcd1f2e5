/**
 * PutRecord and PutRecordBatch request bodies built with Node's native base64, and the
 * SDK plugin that sends them.
 *
 * The SDK's JSON serializer base64-encodes every record in JavaScript, byte by byte,
 * into a buffer it grows by doubling: for a full batch (500 records, ~700 KB of JSON)
 * that is most of the client's CPU per call. The plugin leaves everything else to the
 * SDK (endpoint, headers, signing, sending, errors, parsing the answer): it only hands
 * the SDK's serializer an input without the records and puts the body built here in
 * the request it made. The body is byte for byte the one the SDK's serializer writes
 * (awsJson1_1: `{"DeliveryStreamName":..,"Records":[{"Data":"<base64>"},..]}`), so a
 * client without the plugin (a test double, a client already in use) sends the same.
 *
 * Bodies are written into buffers kept for the next call: a fresh buffer of several
 * hundred kilobytes per call costs far more in page faults (memory handed back to the
 * system and taken again) than writing it does. A buffer goes back to the pool only
 * after a call answered with success, when the service has read the whole body; after
 * an error or an abort the socket may still hold it, so it is left to the GC.
 */
import { attachCallSignal, callSignalOf } from '@authwatch/kit';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { HttpRequest } from '@smithy/protocol-http';
import type { SerializeMiddleware } from '@smithy/types';

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Where string records are turned into UTF-8 on their way to base64 (reused, grown). */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * A record's data as base64. A string is its UTF-8 bytes, as the SDK sends a string
 * blob; it goes through one reused buffer instead of a Buffer of its own.
 */
function base64Of(data: string | Uint8Array): string {
  if (typeof data !== 'string') return asBuffer(data).toString('base64');
  if (data.length * 3 > scratch.byteLength) {
    const needed = Buffer.byteLength(data);
    if (needed > scratch.byteLength)
      scratch = Buffer.allocUnsafe(Math.max(needed, scratch.byteLength * 2));
  }
  const length = scratch.write(data, 0, 'utf8');
  return scratch.toString('base64', 0, length);
}

const DATA_OPEN = '{"Data":"';
// `{"Data":"` + `"}`
const DATA_OVERHEAD = DATA_OPEN.length + 2;

/** Writes `{"Data":"<base64>"}` at `at`; returns the position after it. */
function writeRecord(body: Buffer, at: number, base64: string): number {
  let end = at + body.write(DATA_OPEN, at, 'latin1');
  end += body.write(base64, end, 'latin1');
  body[end++] = 0x22; // "
  body[end++] = 0x7d; // }
  return end;
}

/** Record data as the SDK takes it: bytes, or a string sent as its UTF-8 bytes. */
export type RecordData = Uint8Array | string;

/**
 * The awsJson1_1 body of a PutRecordBatch call, as the SDK's serializer writes it.
 *
 * @example
 * ```ts
 * const body = putRecordBatchBody('authwatch-audit', records.map((record) => record.data));
 * ```
 */
export function putRecordBatchBody(
  streamName: string,
  records: readonly RecordData[],
  alloc: (size: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  const head = `{"DeliveryStreamName":${JSON.stringify(streamName)},"Records":[`;
  const encoded = records.map(base64Of);
  let size = Buffer.byteLength(head) + 2 + Math.max(0, records.length - 1);
  for (const base64 of encoded) size += DATA_OVERHEAD + base64.length;
  // Every byte up to `size` is written below: nothing of the unset memory goes out.
  const body = alloc(size);
  let at = body.write(head, 0, 'utf8');
  for (let i = 0; i < encoded.length; i += 1) {
    if (i > 0) body[at++] = 0x2c; // ,
    at = writeRecord(body, at, encoded[i] as string);
  }
  body[at++] = 0x5d; // ]
  body[at++] = 0x7d; // }
  if (at !== size) throw new Error(`PutRecordBatch body is ${at} bytes, expected ${size}`);
  return body;
}

/** The awsJson1_1 body of a PutRecord call, as the SDK's serializer writes it. */
export function putRecordBody(streamName: string, data: RecordData): Buffer {
  const head = `{"DeliveryStreamName":${JSON.stringify(streamName)},"Record":`;
  const base64 = base64Of(data);
  const size = Buffer.byteLength(head) + DATA_OVERHEAD + base64.length + 1;
  const body = Buffer.allocUnsafe(size);
  let at = writeRecord(body, body.write(head, 0, 'utf8'), base64);
  body[at++] = 0x7d; // }
  if (at !== size) throw new Error(`PutRecord body is ${at} bytes, expected ${size}`);
  return body;
}

/**
 * Reusable body buffers. Small bodies (a trigger's 1-3 events) come from Node's shared
 * pool anyway; large ones (replay's full batches) are what is worth keeping.
 */
export class BodyPool {
  readonly #free: ArrayBuffer[] = [];
  /** Backing buffers this pool made: only those are ever handed out twice. */
  readonly #own = new WeakSet<ArrayBuffer>();

  /**
   * @param maxBuffers buffers kept at most (one per call in flight is enough)
   * @param minBytes smaller bodies are not pooled
   * @param maxBytes larger bodies are not kept (a rare batch of several MiB)
   */
  constructor(
    readonly maxBuffers = 8,
    readonly minBytes = 64 * 1024,
    readonly maxBytes = 2 * 1024 * 1024,
  ) {}

  /** Buffers waiting for reuse. */
  get size(): number {
    return this.#free.length;
  }

  /** A buffer of exactly `size` bytes, its content unset (the caller writes every byte). */
  take(size: number): Buffer {
    if (size < this.minBytes) return Buffer.allocUnsafe(size);
    const index = this.#free.findIndex((buffer) => buffer.byteLength >= size);
    if (index !== -1) {
      const [backing] = this.#free.splice(index, 1) as [ArrayBuffer];
      return Buffer.from(backing, 0, size);
    }
    // Room for the usual full batch, so one buffer serves calls of any size up to it.
    const backing = new ArrayBuffer(
      size > this.maxBytes ? size : Math.max(size, this.maxBytes / 2),
    );
    this.#own.add(backing);
    return Buffer.from(backing, 0, size);
  }

  /** Gives back a body from `take` once nothing reads it any more. */
  give(body: Buffer): void {
    const backing = body.buffer;
    if (
      !(backing instanceof ArrayBuffer) ||
      !this.#own.has(backing) ||
      backing.byteLength > this.maxBytes ||
      this.#free.length >= this.maxBuffers ||
      this.#free.includes(backing)
    ) {
      return;
    }
    this.#free.push(backing);
  }
}

interface RecordInput {
  Data?: unknown;
}

/** Only inputs whose every member the body holds; anything else is left to the SDK. */
function isPlainRecord(value: unknown): value is { Data: RecordData } {
  if (value === null || typeof value !== 'object') return false;
  const keys = Object.keys(value);
  const data = (value as RecordInput).Data;
  return (
    keys.length === 1 &&
    keys[0] === 'Data' &&
    (data instanceof Uint8Array || typeof data === 'string')
  );
}

function bodyFor(
  commandName: string | undefined,
  input: unknown,
  alloc: (size: number) => Buffer,
): Buffer | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  const { DeliveryStreamName: stream, ...rest } = input as Record<string, unknown>;
  if (typeof stream !== 'string') return undefined;
  const keys = Object.keys(rest);
  if (keys.length !== 1) return undefined;
  if (commandName === 'PutRecordBatchCommand' && keys[0] === 'Records') {
    const records = rest.Records;
    if (!Array.isArray(records) || !records.every(isPlainRecord)) return undefined;
    return putRecordBatchBody(
      stream,
      records.map((record) => record.Data),
      alloc,
    );
  }
  if (commandName === 'PutRecordCommand' && keys[0] === 'Record' && isPlainRecord(rest.Record)) {
    return putRecordBody(stream, rest.Record.Data);
  }
  return undefined;
}

type Plugin = Parameters<FirehoseClient['middlewareStack']['use']>[0];
// biome-ignore lint/suspicious/noExplicitAny: the plugin serves any Firehose command's input and output
type Middleware = SerializeMiddleware<any, any>;

/** Inputs handed to the SDK's serializer in place of the caller's, and their bodies. */
const prebuilt = new WeakMap<object, Buffer>();
const pool = new BodyPool();

const prepare: Middleware = (next, context) => async (args) => {
  const body = bodyFor(context.commandName, args.input, (size) => pool.take(size));
  if (body === undefined) return next(args);
  const input = args.input as { DeliveryStreamName: string };
  // The serializer writes only the stream name; `attach` puts the records in.
  const light = { DeliveryStreamName: input.DeliveryStreamName };
  // The call's abort signal (`sendWithSignal`) rides on the input: keep it.
  attachCallSignal(light, callSignalOf(input));
  prebuilt.set(light, body);
  const result = await next({ ...args, input: light } as typeof args);
  // Answered with success: the service has read the whole body (see the module comment).
  pool.give(body);
  return result;
};

const attach: Middleware = (next) => async (args) => {
  const body = prebuilt.get(args.input as object);
  if (body !== undefined && HttpRequest.isInstance(args.request)) {
    args.request.body = body;
    for (const name of Object.keys(args.request.headers)) {
      if (name.toLowerCase() === 'content-length') delete args.request.headers[name];
    }
    args.request.headers['content-length'] = String(body.byteLength);
  }
  return next(args);
};

/** Names of the plugin's two middleware (`client.middlewareStack.identify()` lists them). */
export const RECORD_BODY_MIDDLEWARE = {
  prepare: 'authwatchRecordBodyPrepare',
  attach: 'authwatchRecordBodyAttach',
} as const;

/**
 * An SDK plugin for a FirehoseClient: PutRecord and PutRecordBatch bodies built with
 * Node's native base64 (see the module comment). Apply it before the first call of a
 * client with `cacheMiddleware` (later changes to the stack are ignored then).
 *
 * @example
 * ```ts
 * const client = new FirehoseClient({});
 * client.middlewareStack.use(nativeRecordBodies);
 * ```
 */
export const nativeRecordBodies: Plugin = {
  applyToStack(stack) {
    stack.addRelativeTo(prepare, {
      name: RECORD_BODY_MIDDLEWARE.prepare,
      relation: 'before',
      toMiddleware: 'serializerMiddleware',
      override: true,
    });
    stack.addRelativeTo(attach, {
      name: RECORD_BODY_MIDDLEWARE.attach,
      relation: 'after',
      toMiddleware: 'serializerMiddleware',
      override: true,
    });
  },
};
