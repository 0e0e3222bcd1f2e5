import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createLiveFeedSink } from '@authwatch/audit';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Delivery,
  type DeliveryPlacement,
  type StartDeliveryOptions,
  startDelivery,
  threadModule,
} from '../../src/delivery/index.js';
import { readDeliveredRecords } from '../../src/firehose/index.js';
import { firehoseClient, STREAM, someEvents } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'authwatch-delivery-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Options for both emulators on free ports and a fresh folder, with `extra` on top. */
async function optionsWith(extra: Partial<StartDeliveryOptions> = {}) {
  return {
    dir: await tempDir(),
    streams: [STREAM],
    region: 'eu-west-1',
    firehosePort: 0,
    liveFeedPort: 0,
    beforeFlush: async () => undefined,
    ...extra,
  };
}

/** Starts both emulators; `beforeFlush` records each call. */
async function start(placement: DeliveryPlacement, beforeFlush = async () => undefined) {
  const options = await optionsWith({ placement, beforeFlush });
  const delivery = await startDelivery(options);
  cleanups.push(() => delivery.stop());
  return { delivery, dir: options.dir };
}

/** Authentication records (class and time, what the stream partitions on) numbered `n`. */
const numbered = (...ns: number[]) =>
  ns.map((n) => JSON.stringify({ class_uid: 3002, time: Date.UTC(2026, 11, 6), n }));
const numbersOf = (records: unknown[]) => records.map((r) => (r as { n: number }).n);

async function putRecords(delivery: Delivery, lines: string[]): Promise<void> {
  const client = firehoseClient(delivery.firehose.url);
  try {
    const result = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: STREAM,
        Records: lines.map((line) => ({ Data: Buffer.from(`${line}\n`) })),
      }),
    );
    expect(result.FailedPutCount).toBe(0);
  } finally {
    client.destroy();
  }
}

describe.each(['thread', 'in-process'] as const)('delivery emulators (%s)', (placement) => {
  it('runs where asked', async () => {
    const { delivery } = await start(placement);

    expect(delivery.threaded).toBe(placement === 'thread');
    expect(delivery.firehose.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(delivery.liveFeed.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('writes what the real Firehose client sent once flushed, after the before-flush step', async () => {
    const steps: string[] = [];
    const { delivery, dir } = await start(placement, async () => {
      steps.push('before-flush');
    });
    await putRecords(delivery, numbered(1, 2));

    await delivery.firehose.flush();
    steps.push('flushed');

    expect(numbersOf(await readDeliveredRecords(dir))).toEqual([1, 2]);
    expect(steps).toEqual(['before-flush', 'flushed']);
    const stats = await delivery.firehose.stats();
    expect(stats.putRecordBatch).toBe(1);
    expect(stats.recordsWritten).toBe(2);
    expect(stats.objects).toHaveLength(1);
  });

  it('waits for the before-flush step on a flush asked over HTTP too', async () => {
    let released: (() => void) | undefined;
    const { delivery, dir } = await start(
      placement,
      () =>
        new Promise<undefined>((resolve) => {
          released = () => resolve(undefined);
        }),
    );
    await putRecords(delivery, numbered(1));

    let releasedYet = false;
    let answeredEarly = false;
    const answered = fetch(`${delivery.firehose.url}/_authwatch/flush`, { method: 'POST' });
    void answered.then(() => {
      answeredEarly = !releasedYet;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(released).toBeTypeOf('function');
    releasedYet = true;
    released?.();
    const response = await answered;

    expect(answeredEarly).toBe(false);
    expect(response.status).toBe(200);
    expect(numbersOf(await readDeliveredRecords(dir))).toEqual([1]);
  });

  it('counts what the SigV4 live-feed sink published', async () => {
    const { delivery } = await start(placement);
    const sink = createLiveFeedSink({
      url: `${delivery.liveFeed.url}/event`,
      channel: '/auth/sign-in',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    });

    const result = await sink.send(someEvents(7), { deadline: Date.now() + 5_000 });

    expect(result.failed).toEqual([]);
    expect((await delivery.liveFeed.stats()).published).toBe(7);
  });

  it('writes what it still holds when stopped, then stops listening', async () => {
    const { delivery, dir } = await start(placement);
    await putRecords(delivery, numbered(1));

    await delivery.stop();

    expect(numbersOf(await readDeliveredRecords(dir))).toEqual([1]);
    await expect(fetch(`${delivery.firehose.url}/_authwatch/stats`)).rejects.toThrow();
    await expect(fetch(`${delivery.liveFeed.url}/event`)).rejects.toThrow();
  });

  it('fails to start on a port in use, naming it', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as { port: number }).port;

    const starting = startDelivery(await optionsWith({ liveFeedPort: port, placement }));

    await expect(starting).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: expect.stringContaining(String(port)),
    });
  });
});

describe('delivery thread', () => {
  it('starts a thread of its own when the preloaded one cannot load its bundle', async () => {
    // Prepare: a preloaded thread whose module fails as it loads
    const broken = new Worker('throw new Error("a broken bundle")', { eval: true });

    // Act
    const delivery = await startDelivery(await optionsWith({ preloaded: broken }));
    cleanups.push(() => delivery.stop());

    // Assess
    expect(delivery.threaded).toBe(true);
    expect((await delivery.liveFeed.stats()).published).toBe(0);
  });

  it('says when the thread dies after it started, and refuses calls from then on', async () => {
    // Prepare: a thread of our own on the cached bundle, as the launcher preloads one
    const module = await threadModule();
    if (!module) throw new Error('the delivery bundle could not be built');
    const worker = new Worker(module);
    const failures: Error[] = [];
    const delivery = await startDelivery(
      await optionsWith({ preloaded: worker, onFailure: (error) => failures.push(error) }),
    );

    // Act: the thread goes away without stop()
    await worker.terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess
    expect(delivery.threaded).toBe(true);
    expect(failures.map((error) => error.message)).toEqual(['delivery thread exited with code 1']);
    await expect(delivery.firehose.stats()).rejects.toThrow(/exited/);
    await delivery.stop();
    expect(failures).toHaveLength(1);
  });

  it('answers calls after stop with an error instead of hanging', async () => {
    const { delivery } = await start('thread');
    await delivery.stop();

    await expect(delivery.firehose.stats()).rejects.toThrow(/delivery thread/);
  });
});
