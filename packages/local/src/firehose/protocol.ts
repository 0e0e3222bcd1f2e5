/** The Firehose fake's wire protocol: limits, request bodies, answers and API errors. */
import { isAscii } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Firehose's limits, enforced like the service does. */
export const MAX_RECORDS = 500;
export const MAX_RECORD_BYTES = 1_000 * 1024;
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
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
export function bodyText(raw: Buffer): string {
  return isAscii(raw) ? raw.toString('latin1') : raw.toString('utf8');
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  onDone?: () => void,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text, onDone);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  send(res, error.status, { __type: error.type, message: error.message });
}

/** Parses one base64 `Data` blob, enforcing the record limit. */
export function decodeData(value: unknown): Buffer {
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
