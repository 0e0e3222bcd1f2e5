import * as fs from 'node:fs/promises';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createFirehoseServer,
  FirehoseWriteError,
  listDeliveredObjects,
  readDeliveredRecords,
} from '../../src/firehose/index.js';
import { firehoseClient, STREAM, startFake } from './helpers.js';

// writeFile stays the real one unless a test holds one write back (see its test).
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, writeFile: vi.fn(actual.writeFile) };
});

const OTHER = 'authwatch-other';
/** Long enough that no timer writes during a test that does not advance them. */
const NEVER = 3_600_000;

type Fake = Awaited<ReturnType<typeof startFake>>;
let running: Fake | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await running?.close();
  running = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A fake with only the timers the test names (the rest never fire). */
async function fakeWith(options: Parameters<typeof startFake>[0] = {}) {
  running = await startFake({
    streams: [STREAM, OTHER],
    bufferIntervalMs: NEVER,
    bufferIdleMs: 0,
    ...options,
  });
  const client = firehoseClient(running.url);
  cleanups.push(async () => client.destroy());
  const put = (n: number, stream = STREAM) =>
    client.send(new PutRecordCommand({ DeliveryStreamName: stream, Record: { Data: line(n) } }));
  const putBatch = (ns: number[], stream = STREAM) =>
    client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: stream,
        Records: ns.map((n) => ({ Data: line(n) })),
      }),
    );
  return { ...running, put, putBatch };
}

/** An Authentication record (the class and time the stream partitions on) numbered `n`. */
const DAY = Date.UTC(2026, 11, 6, 12);
const line = (n: number) => Buffer.from(`${JSON.stringify({ class_uid: 3002, time: DAY, n })}\n`);

/** The `n` of every record in one object file. */
async function numbersIn(path: string): Promise<number[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((text) => text !== '')
    .map((text) => (JSON.parse(text) as { n: number }).n);
}

/** The records of each object, in the order the objects were written. */
async function objectsOf(fake: Fake): Promise<number[][]> {
  return Promise.all(fake.fake.stats.objects.map(numbersIn));
}

const numbers = (records: unknown[]) => records.map((record) => (record as { n: number }).n);

describe('local Firehose buffer', () => {
  it('acknowledges a PutRecord while the record is still only in its buffer', async () => {
    // Prepare
    const { fake, dir, put } = await fakeWith();

    // Act
    const answer = await put(1);

    // Assess: acknowledged, counted as stored, nothing on disk until a write
    expect(answer.RecordId).toEqual(expect.any(String));
    expect(fake.stats).toMatchObject({ recordsStored: 1, recordsBuffered: 1, recordsWritten: 0 });
    expect(await listDeliveredObjects(dir)).toEqual([]);

    await fake.flush();

    expect(fake.stats).toMatchObject({ recordsBuffered: 0, recordsWritten: 1 });
    expect(numbers(await readDeliveredRecords(dir))).toEqual([1]);
  });

  it('writes one object per stream holding every buffered record in arrival order', async () => {
    // Prepare
    const { fake, dir, put, putBatch } = await fakeWith();
    await put(1);
    await putBatch([2, 3, 4]);
    await put(100, OTHER);
    await put(5);
    await putBatch([101, 102], OTHER);
    await putBatch([6, 7]);

    // Act
    await fake.flush();

    // Assess
    const objects = await listDeliveredObjects(dir);
    expect(objects).toHaveLength(2);
    const mine = objects.find((path) => path.includes(`/${STREAM}-1-`));
    const other = objects.find((path) => path.includes(`/${OTHER}-1-`));
    expect(await numbersIn(mine as string)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await numbersIn(other as string)).toEqual([100, 101, 102]);
    expect(mine).toMatch(
      /ext\/authwatch-authentication\/region=us-east-1\/accountId=000000000000\/eventDay=20261206\/authwatch-audit-1-\d{4}(-\d\d){5}-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('writes once the oldest record has waited bufferIntervalMs, even while records keep coming', async () => {
    // Prepare: the idle write would need 300 ms without a record, which never happens
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fake = await fakeWith({ bufferIntervalMs: 1_000, bufferIdleMs: 300 });

    // Act
    await fake.put(1);
    for (const n of [2, 3, 4]) {
      await vi.advanceTimersByTimeAsync(250);
      await fake.put(n);
    }
    await vi.advanceTimersByTimeAsync(249); // 999 ms after the first record
    await fake.put(5);
    await vi.advanceTimersByTimeAsync(1); // 1,000 ms: the write takes 1-5
    await fake.put(6);
    await fake.fake.flush();

    // Assess
    expect(await objectsOf(fake)).toEqual([[1, 2, 3, 4, 5], [6]]);
    expect(numbers(await readDeliveredRecords(fake.dir))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('writes once no record has come for bufferIdleMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const fake = await fakeWith({ bufferIntervalMs: NEVER, bufferIdleMs: 100 });

    await fake.put(1);
    await vi.advanceTimersByTimeAsync(99);
    await fake.put(2);
    await vi.advanceTimersByTimeAsync(99);
    await fake.put(3);
    await vi.advanceTimersByTimeAsync(100); // quiet for 100 ms: the write takes 1-3
    await fake.put(4);
    await fake.fake.flush();

    expect(await objectsOf(fake)).toEqual([[1, 2, 3], [4]]);
  });

  it('writes as soon as a stream holds bufferSizeBytes, without waiting for a timer', async () => {
    // Prepare: two records fill the buffer
    const fake = await fakeWith({ bufferSizeBytes: 2 * line(1).byteLength });

    // Act
    await fake.put(1);
    await fake.put(2); // full: written in the background
    await fake.put(3);
    await fake.fake.flush();

    // Assess
    expect(await objectsOf(fake)).toEqual([[1, 2], [3]]);
  });

  it('names objects so that sorting them by path gives the order they were written', async () => {
    // Prepare: a write after each record, so each one is its own object (mostly within one second, where only the id orders them)
    const fake = await fakeWith();

    for (let n = 1; n <= 12; n += 1) {
      await fake.put(n);
      await fake.fake.flush();
    }

    expect(fake.fake.stats.objects).toHaveLength(12);
    expect(await listDeliveredObjects(fake.dir)).toEqual(fake.fake.stats.objects);
    expect(numbers(await readDeliveredRecords(fake.dir))).toEqual(
      Array.from({ length: 12 }, (_unused, index) => index + 1),
    );
  });

  it('writes every buffered record when it stops', async () => {
    // Prepare
    const { fake, dir, put, putBatch } = await fakeWith();
    await put(1);
    await putBatch([2, 3]);
    running = undefined;
    cleanups.push(() => rm(dir, { recursive: true, force: true }));

    // Act
    await fake.stop();

    // Assess
    expect(numbers(await readDeliveredRecords(dir))).toEqual([1, 2, 3]);
    expect(fake.stats).toMatchObject({ recordsBuffered: 0, recordsWritten: 3 });
  });

  it('writes the buffer on POST /_authwatch/flush, for a reader in another process', async () => {
    const { dir, url, putBatch } = await fakeWith();
    await putBatch([1, 2]);

    const response = await fetch(`${url}/_authwatch/flush`, { method: 'POST' });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ recordsWritten: 2, recordsBuffered: 0, objects: 1 });
    expect(numbers(await readDeliveredRecords(dir))).toEqual([1, 2]);
  });

  it('reports a refused write, keeps its records and delivers them in order on the next write', async () => {
    // Prepare: the bucket folder is a plain file, so the partition folders cannot be made
    const root = await mkdtemp(join(tmpdir(), 'authwatch-firehose-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const bucket = join(root, 'bucket');
    await writeFile(bucket, 'not a folder');
    const logged: string[] = [];
    const fake = await fakeWith({ dir: bucket, log: (text) => logged.push(text) });
    await fake.putBatch([1, 2]);

    // Act
    const refused = fake.fake.flush();

    // Assess: the caller, stderr and the stats all know; the records wait in the buffer
    await expect(refused).rejects.toThrow(FirehoseWriteError);
    await expect(refused).rejects.toThrow(/could not write 2 records of authwatch-audit to /);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^local firehose: could not write 2 records .*stay buffered/);
    expect(fake.fake.stats).toMatchObject({ writeErrors: 1, recordsBuffered: 2, objects: [] });
    const stats = (await (await fetch(`${fake.url}/_authwatch/stats`)).json()) as {
      lastWriteError?: string;
    };
    expect(stats.lastWriteError).toContain('could not write 2 records');
    const control = await fetch(`${fake.url}/_authwatch/flush`, { method: 'POST' });
    expect(control.status).toBe(500);
    expect(await control.json()).toMatchObject({ __type: 'WriteError', recordsBuffered: 2 });

    // Act: the disk is fixed, more records come, the next write takes them all
    await rm(bucket);
    await mkdir(bucket);
    await fake.put(3);
    await fake.fake.flush();

    // Assess
    expect(await objectsOf(fake)).toEqual([[1, 2, 3]]);
    expect(fake.fake.stats).toMatchObject({
      writeErrors: 2,
      recordsBuffered: 0,
      recordsWritten: 3,
    });
  });

  it('keeps arrival order when records come while a write is being refused', async () => {
    // Prepare: the fake's next write hangs until the test refuses it
    const logged: string[] = [];
    const fake = await fakeWith({ log: (text) => logged.push(text) });
    let refuse: (error: Error) => void = () => undefined;
    const writeFileMock = vi.mocked(fs.writeFile);
    const callsBefore = writeFileMock.mock.calls.length;
    writeFileMock.mockImplementationOnce(
      () =>
        new Promise<void>((_resolve, reject) => {
          refuse = reject;
        }),
    );
    await fake.putBatch([1, 2]);
    const refused = fake.fake.flush();
    await vi.waitUntil(() => writeFileMock.mock.calls.length > callsBefore);

    // Act: record 3 comes during the write, then the disk refuses 1-2
    await fake.put(3);
    refuse(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
    await expect(refused).rejects.toThrow(/could not write 2 records .*EIO/);
    await fake.fake.flush();

    // Assess
    expect(await objectsOf(fake)).toEqual([[1, 2, 3]]);
    expect(logged).toHaveLength(1);
  });

  it('retries a refused background write a second later', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const root = await mkdtemp(join(tmpdir(), 'authwatch-firehose-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const bucket = join(root, 'bucket');
    await writeFile(bucket, 'not a folder');
    let refusedOnce: () => void = () => undefined;
    const refused = new Promise<void>((resolve) => {
      refusedOnce = resolve;
    });
    const fake = await fakeWith({
      dir: bucket,
      bufferIntervalMs: 100,
      log: () => refusedOnce(),
    });
    await fake.put(1);

    // Act: the interval write fails; the disk is fixed; the retry comes 1 s later
    await vi.advanceTimersByTimeAsync(100);
    await refused;
    await rm(bucket);
    await mkdir(bucket);
    await vi.advanceTimersByTimeAsync(1_000); // the retry takes record 1
    await fake.put(2);
    await fake.fake.flush();

    // Assess
    expect(fake.fake.stats.writeErrors).toBe(1);
    expect(await objectsOf(fake)).toEqual([[1], [2]]);
  });

  it('refuses buffering options that are not numbers >= their minimum, naming them', () => {
    expect(() => createFirehoseServer({ dir: tmpdir(), bufferIntervalMs: -1 })).toThrow(
      /bufferIntervalMs must be a number >= 0/,
    );
    expect(() => createFirehoseServer({ dir: tmpdir(), bufferSizeBytes: 0 })).toThrow(
      /bufferSizeBytes must be a number >= 1/,
    );
    expect(() => createFirehoseServer({ dir: tmpdir(), bufferIdleMs: Number.NaN })).toThrow(
      /bufferIdleMs must be a number >= 0/,
    );
  });
});
