import { Readable } from 'node:stream';
import {
  FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchCommandInput,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { Hash } from '@smithy/hash-node';
import { type HttpRequest, HttpResponse } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BodyPool,
  createFirehoseClient,
  nativeRecordBodies,
  putRecordBatchBody,
  putRecordBody,
  RECORD_BODY_MIDDLEWARE,
} from '../../src/index.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

/** A real SDK client whose HTTP handler keeps each request and answers `answer`. */
function capturingClient(options: { plugin: boolean; answer?: unknown; status?: number }) {
  const requests: HttpRequest[] = [];
  const answer = Buffer.from(JSON.stringify(options.answer ?? { FailedPutCount: 0 }));
  const requestHandler = {
    handle: async (request: HttpRequest) => {
      requests.push(request);
      return {
        response: new HttpResponse({
          statusCode: options.status ?? 200,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: Readable.from([answer]),
        }),
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = new FirehoseClient({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:9',
    credentials,
    requestHandler,
    maxAttempts: 1,
  });
  if (options.plugin) client.middlewareStack.use(nativeRecordBodies);
  return { client, requests };
}

/** The bytes of a request body (the SDK's own is a Uint8Array that also acts as a string). */
function bodyBytes(request: HttpRequest | undefined): string {
  const body = request?.body as Uint8Array;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
}

const someRecords = fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), {
  minLength: 1,
  maxLength: 20,
});
const streamNames = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,64}$/);

/**
 * Each run of the properties below builds an SDK client and sends through it: 25 runs
 * take well under a second alone, several seconds on a 2-core machine running the other
 * packages' tests at the same time (turbo).
 */
const PROPERTY_TIMEOUT_MS = 30_000;

describe('putRecordBatchBody', () => {
  it('holds every record, base64-encoded, in order', () => {
    fc.assert(
      fc.property(streamNames, someRecords, (stream, records) => {
        const body = JSON.parse(putRecordBatchBody(stream, records).toString('utf8'));

        expect(body.DeliveryStreamName).toBe(stream);
        expect(body.Records.map((r: { Data: string }) => Buffer.from(r.Data, 'base64'))).toEqual(
          records.map((r) => Buffer.from(r)),
        );
      }),
    );
  });

  it(
    'is byte for byte what the SDK serializer sends',
    async () => {
      await fc.assert(
        fc.asyncProperty(streamNames, someRecords, async (stream, records) => {
          const sdk = capturingClient({ plugin: false });
          const input: PutRecordBatchCommandInput = {
            DeliveryStreamName: stream,
            Records: records.map((data) => ({ Data: data })),
          };

          await sdk.client.send(new PutRecordBatchCommand(input));

          expect(putRecordBatchBody(stream, records).toString('latin1')).toBe(
            bodyBytes(sdk.requests[0]),
          );
        }),
        { numRuns: 25 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('writes a record that is a view into a larger buffer, not the whole buffer', () => {
    const backing = Buffer.from('xxhello\nyy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 6);

    const body = JSON.parse(putRecordBatchBody('s', [view]).toString('utf8'));

    expect(Buffer.from(body.Records[0].Data, 'base64').toString()).toBe('hello\n');
  });
});

describe('putRecordBatchBody with string records', () => {
  it(
    'sends a string as its UTF-8 bytes, byte for byte as the SDK serializer does',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), {
            minLength: 1,
            maxLength: 10,
          }),
          async (lines) => {
            const sdk = capturingClient({ plugin: false });
            const input = {
              DeliveryStreamName: 's',
              Records: lines.map((line) => ({ Data: line })),
            } as unknown as PutRecordBatchCommandInput;

            await sdk.client.send(new PutRecordBatchCommand(input));

            expect(putRecordBatchBody('s', lines).toString('latin1')).toBe(
              bodyBytes(sdk.requests[0]),
            );
            expect(
              putRecordBatchBody('s', lines).equals(
                putRecordBatchBody(
                  's',
                  lines.map((l) => Buffer.from(l)),
                ),
              ),
            ).toBe(true);
          },
        ),
        { numRuns: 25 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it('handles a line larger than its working buffer', () => {
    const line = `${'ü'.repeat(100_000)}\n`;

    const body = JSON.parse(putRecordBatchBody('s', [line, 'x']).toString('utf8'));

    expect(Buffer.from(body.Records[0].Data, 'base64').toString('utf8')).toBe(line);
    expect(Buffer.from(body.Records[1].Data, 'base64').toString('utf8')).toBe('x');
  });
});

describe('putRecordBody', () => {
  it('is byte for byte what the SDK serializer sends', async () => {
    const sdk = capturingClient({ plugin: false, answer: { RecordId: 'r', Encrypted: false } });
    const data = Buffer.from('{"id":"é"}\n');

    await sdk.client.send(
      new PutRecordCommand({ DeliveryStreamName: 'a.b', Record: { Data: data } }),
    );

    expect(putRecordBody('a.b', data).toString('latin1')).toBe(bodyBytes(sdk.requests[0]));
  });
});

describe('createFirehoseClient', () => {
  it('builds bodies natively, has no SDK logger middleware, and takes the given endpoint', async () => {
    const client = createFirehoseClient({
      config: { endpoint: 'http://127.0.0.1:4573', region: 'eu-west-1', credentials },
    });

    const stack = client.middlewareStack.identify().join('\n');

    expect(stack).toContain(RECORD_BODY_MIDDLEWARE.prepare);
    expect(stack).not.toContain('loggerMiddleware');
    expect(await client.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4573 });
    expect(await client.config.maxAttempts()).toBe(1);
  });
});

describe('nativeRecordBodies', () => {
  const records = [Buffer.from('{"a":1}\n'), Buffer.from('{"b":"ü"}\n'), Buffer.from('{}\n')];
  const input = () => ({
    DeliveryStreamName: 'authwatch-audit',
    Records: records.map((data) => ({ Data: data })),
  });

  it('sends the same body and length as the SDK alone, and keeps the caller’s input', async () => {
    const plain = capturingClient({ plugin: false });
    const fast = capturingClient({ plugin: true });
    const given = input();

    await plain.client.send(new PutRecordBatchCommand(input()));
    const output = await fast.client.send(new PutRecordBatchCommand(given));

    // The plugin's body is a plain Buffer; the SDK's own serializer makes its own type.
    expect(fast.requests[0]?.body).toBeInstanceOf(Buffer);
    expect(plain.requests[0]?.body).not.toBeInstanceOf(Buffer);
    expect(bodyBytes(fast.requests[0])).toBe(bodyBytes(plain.requests[0]));
    expect(fast.requests[0]?.headers['content-length']).toBe(
      plain.requests[0]?.headers['content-length'],
    );
    expect(fast.requests[0]?.headers['x-amz-target']).toBe('Firehose_20150804.PutRecordBatch');
    expect(given).toEqual(input());
    expect(output.FailedPutCount).toBe(0);
    expect(fast.client.middlewareStack.identify().join('\n')).toContain(
      RECORD_BODY_MIDDLEWARE.attach,
    );
  });

  it('signs the body it sends', async () => {
    const fast = capturingClient({ plugin: true });
    await fast.client.send(new PutRecordBatchCommand(input()));
    const sent = fast.requests[0] as HttpRequest;
    const amzDate = sent.headers['x-amz-date'] as string;
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const { authorization, ...unsigned } = sent.headers;
    const signer = new SignatureV4({
      service: 'firehose',
      region: 'eu-west-1',
      credentials,
      sha256: Hash.bind(null, 'sha256'),
    });

    const again = await signer.sign({ ...sent, headers: unsigned }, { signingDate });

    expect(authorization).toBeDefined();
    expect(again.headers.authorization).toBe(authorization);
  });

  it('builds records given as strings (their UTF-8 bytes) and as bytes alike', async () => {
    const fast = capturingClient({ plugin: true });
    const mixed = {
      DeliveryStreamName: 's',
      Records: [{ Data: 'héllo\n' }, { Data: records[0] }],
    } as unknown as PutRecordBatchCommandInput;

    await fast.client.send(new PutRecordBatchCommand(mixed));

    expect(fast.requests[0]?.body).toBeInstanceOf(Buffer);
    const body = JSON.parse(bodyBytes(fast.requests[0]));
    expect(
      body.Records.map((r: { Data: string }) => Buffer.from(r.Data, 'base64').toString()),
    ).toEqual(['héllo\n', '{"a":1}\n']);
  });

  it('leaves an input with members it does not know to the SDK', async () => {
    const plain = capturingClient({ plugin: false });
    const fast = capturingClient({ plugin: true });
    const odd = {
      DeliveryStreamName: 's',
      Records: [{ Data: records[0], Extra: 'x' }],
    } as unknown as PutRecordBatchCommandInput;

    await plain.client.send(new PutRecordBatchCommand(odd));
    await fast.client.send(new PutRecordBatchCommand(odd));

    expect(fast.requests[0]?.body).not.toBeInstanceOf(Buffer);
    expect(bodyBytes(fast.requests[0])).toBe(bodyBytes(plain.requests[0]));
  });
});

describe('BodyPool', () => {
  it('hands a given-back buffer out again, never one that is still out', () => {
    const pool = new BodyPool(2, 1_000, 100_000);

    const first = pool.take(5_000);
    const second = pool.take(5_000);
    pool.give(first);
    const third = pool.take(4_000);

    expect(first).toHaveLength(5_000);
    expect(second.buffer).not.toBe(first.buffer);
    expect(third.buffer).toBe(first.buffer);
    expect(third).toHaveLength(4_000);
  });

  it('keeps neither small bodies, nor buffers it did not make, nor more than its limit', () => {
    const pool = new BodyPool(1, 1_000, 100_000);

    pool.give(pool.take(10));
    pool.give(Buffer.alloc(5_000));
    pool.give(pool.take(200_000));
    const [a, b] = [pool.take(5_000), pool.take(5_000)];
    pool.give(a);
    pool.give(b);

    expect(pool.size).toBe(1);
  });
});

describe('nativeRecordBodies and its buffers', () => {
  const big = () => ({
    DeliveryStreamName: 's',
    Records: Array.from({ length: 100 }, (_u, i) => ({ Data: Buffer.alloc(1_000, i) })),
  });

  it('does not reuse the body of a call that failed (the socket may still hold it)', async () => {
    const failing = capturingClient({
      plugin: true,
      status: 500,
      answer: { __type: 'InternalFailure', message: 'boom' },
    });
    await expect(failing.client.send(new PutRecordBatchCommand(big()))).rejects.toThrow();
    await expect(failing.client.send(new PutRecordBatchCommand(big()))).rejects.toThrow();

    const [first, second] = failing.requests.map((request) => (request.body as Buffer).buffer);
    expect(second).not.toBe(first);
  });

  it('reuses the body of a call that succeeded, with the next call’s bytes', async () => {
    const fast = capturingClient({ plugin: true });
    const plain = capturingClient({ plugin: false });
    const next = big();
    next.Records[0] = { Data: Buffer.from('changed') };

    await fast.client.send(new PutRecordBatchCommand(big()));
    await fast.client.send(new PutRecordBatchCommand(next));
    await plain.client.send(new PutRecordBatchCommand(next));

    const [first, second] = fast.requests.map((request) => (request.body as Buffer).buffer);
    expect(second).toBe(first);
    expect(bodyBytes(fast.requests[1])).toBe(bodyBytes(plain.requests[0]));
  });
});
