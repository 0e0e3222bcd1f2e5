import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import {
  type AuditSourceEvent,
  auditContextFromEvent,
  createFirehoseSink,
  eventDay,
  logonSucceeded,
  signUpAllowed,
} from '@authwatch/audit';
import { getTestEvent } from '@authwatch/testing';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import { listDeliveredObjects, listErrorObjects } from '../../src/firehose/index.js';
import { firehoseClient, STREAM, startFake } from './helpers.js';

type Fake = Awaited<ReturnType<typeof startFake>>;
let running: Fake | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const TODAY = Date.UTC(2026, 11, 6, 0, 0, 5);
const YESTERDAY = Date.UTC(2026, 11, 5, 23, 59, 58);
const ctx = auditContextFromEvent(getTestEvent<AuditSourceEvent>('post-auth/new-device'), TODAY);

async function linesOf(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('local Firehose layout (dynamic partitioning)', () => {
  it('writes each class under its own source and each record under its own day', async () => {
    // Prepare: one write mixes two classes and a record buffered across midnight
    const logs: string[] = [];
    running = await startFake({ now: () => TODAY + 60_000, log: (line) => logs.push(line) });
    const sink = createFirehoseSink({ streamName: STREAM, client: firehoseClient(running.url) });
    const late = { ...logonSucceeded(ctx, { newDevice: false }), time: YESTERDAY };
    const events = [
      logonSucceeded(ctx, { newDevice: true }),
      signUpAllowed(ctx, { autoConfirmed: false }),
      late,
      signUpAllowed(ctx, { autoConfirmed: true }),
    ];

    // Act
    await sink.send(events, { deadline: Date.now() + 10_000 });
    await running.fake.flush();

    // Assess
    const objects = await listDeliveredObjects(running.dir);
    const where = (path: string) => relative(running!.dir, path).split('/').slice(0, 5).join('/');
    expect(objects.map(where)).toEqual([
      'ext/authwatch-account-change/region=us-east-1/accountId=000000000000/eventDay=20261206',
      'ext/authwatch-authentication/region=us-east-1/accountId=000000000000/eventDay=20261205',
      'ext/authwatch-authentication/region=us-east-1/accountId=000000000000/eventDay=20261206',
    ]);
    for (const path of objects) {
      const records = await linesOf(path);
      const classes = new Set(records.map((r) => r.class_uid));
      expect(classes.size).toBe(1);
      const day = /eventDay=(\d{8})/.exec(path)?.[1];
      expect(records.every((r) => eventDay(r.time as number) === day)).toBe(true);
    }
    expect((await linesOf(objects[0] as string)).map((r) => r.class_uid)).toEqual([3001, 3001]);
    expect((await linesOf(objects[1] as string))[0]?.metadata).toMatchObject({
      uid: late.metadata.uid,
    });
    expect(logs).toEqual([]);
  });

  it('sends a record it cannot partition to the error prefix with the reason, never to a source', async () => {
    // Prepare
    const logs: string[] = [];
    running = await startFake({ now: () => TODAY, log: (line) => logs.push(line) });
    const client = firehoseClient(running.url);
    const records = [
      { class_uid: 3002, time: TODAY, n: 1 },
      { class_uid: 4001, time: TODAY, n: 2 },
      { class_uid: 3002, n: 3 },
    ].map((r) => ({ Data: Buffer.from(`${JSON.stringify(r)}\n`) }));
    records.push({ Data: Buffer.from('not json\n') });

    // Act
    const answer = await client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: records }),
    );
    await running.fake.flush();
    client.destroy();

    // Assess: accepted (Firehose answers before it partitions), then placed or refused
    expect(answer.FailedPutCount).toBe(0);
    const delivered = await listDeliveredObjects(running.dir);
    expect(delivered).toHaveLength(1);
    expect((await linesOf(delivered[0] as string)).map((r) => r.n)).toEqual([1]);
    const errors = await listErrorObjects(running.dir);
    expect(errors).toHaveLength(1);
    expect(relative(running.dir, errors[0] as string)).toMatch(
      /^errors\/authwatch\/processing-failed\/eventDay=20261206\/authwatch-audit-1-/,
    );
    const documents = await linesOf(errors[0] as string);
    expect(documents.map((d) => d.errorMessage)).toEqual([
      expect.stringMatching(/^OCSF class_uid 4001 has no Security Lake source/),
      "the record's time must be epoch milliseconds from 1970 to 9999, got nothing",
      'the record is not JSON',
    ]);
    expect(documents.map((d) => d.errorCode)).toEqual(
      Array(3).fill('DynamicPartitioning.MetadataExtractionFailed'),
    );
    expect(Buffer.from(documents[2]?.rawData as string, 'base64').toString()).toBe('not json\n');
    expect(running.fake.stats).toMatchObject({ recordsWritten: 4, recordsPartitionFailed: 3 });
    expect(logs).toEqual([
      expect.stringMatching(
        /^local firehose: 3 record\(s\) of authwatch-audit could not be partitioned: /,
      ),
    ]);
  });
});
