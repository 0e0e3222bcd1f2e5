import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  type AuditEvent,
  createFirehoseSink,
  deliveredIdsFromDir,
  eventDay,
  formatFallbackLine,
  readFallbackEvents,
  replayEvents,
} from '@authwatch/audit';
import { replayMain as main } from '@authwatch/audit/cli';
import { afterEach, describe, expect, it } from 'vitest';
import { firehoseClient, idsOf, STREAM, someEvents, startFake } from './helpers.js';

type Fake = Awaited<ReturnType<typeof startFake>>;
let running: Fake | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('replay of fallback lines into the local Firehose endpoint', () => {
  it('re-sends every event of a CloudWatch Logs export, skipping those already delivered', async () => {
    // Prepare: 1,200 events fell back; the first 200 had reached the stream anyway
    running = await startFake();
    const events = someEvents(1_200);
    const sink = createFirehoseSink({ streamName: STREAM, client: firehoseClient(running.url) });
    await sink.send(events.slice(0, 200), { deadline: Date.now() + 5_000 });
    const exported = events
      .map((event) => `2026-11-23T21:00:00.000Z ${formatFallbackLine(event, 'x').trimEnd()}`)
      .join('\n');

    await running.fake.flush();

    // Act
    const read = await readFallbackEvents(Readable.from([exported]));
    const result = await replayEvents({
      sink,
      events: read.events,
      delivered: await deliveredIdsFromDir(running.dir),
    });

    // Assess
    expect(result).toMatchObject({ sent: 1_000, skipped: 200, failed: [] });
    const delivered = idsOf(await running.records());
    expect([...delivered].sort()).toEqual(events.map((e) => e.metadata.uid).sort());
    expect(running.fake.stats.putRecordBatch).toBe(1 + 2);
  });

  it('lands a late event in its own day and keeps back an event of a class without a source', async () => {
    // Prepare: a fallback from yesterday, and an event whose class has no source
    running = await startFake();
    const [late, stray] = someEvents(2) as [AuditEvent, AuditEvent];
    late.time = Date.now() - 86_400_000;
    const unmapped = { ...stray, class_uid: 4001 } as unknown as AuditEvent;
    const sink = createFirehoseSink({ streamName: STREAM, client: firehoseClient(running.url) });
    const read = await readFallbackEvents(
      Readable.from([[late, unmapped].map((e) => formatFallbackLine(e, 'x')).join('')]),
    );

    // Act
    const result = await replayEvents({ sink, events: read.events });
    await running.fake.flush();

    // Assess
    expect(result).toMatchObject({ sent: 1, failed: [] });
    expect(result.unstorable.map((u) => [u.event.metadata.uid, u.reason])).toEqual([
      [unmapped.metadata.uid, expect.stringMatching(/^unstorable: OCSF class_uid 4001 has no/)],
    ]);
    expect(running.fake.stats.objects).toEqual([
      expect.stringContaining(
        `/ext/authwatch-authentication/region=us-east-1/accountId=000000000000/eventDay=${eventDay(late.time)}/`,
      ),
    ]);
  });

  it('runs as a command reading a file, printing still-failing events as fallback lines', async () => {
    // Prepare
    running = await startFake({ faults: { unavailableRate: 1 } });
    const dir = await mkdtemp(join(tmpdir(), 'authwatch-replay-'));
    const file = join(dir, 'fallback.log');
    const events = someEvents(3);
    await writeFile(file, events.map((event) => formatFallbackLine(event, 'x')).join(''));
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (text: string) => out.push(text),
      stderr: (text: string) => err.push(text),
      env: { AUDIT_STREAM_NAME: STREAM },
    };
    process.env.AWS_ENDPOINT_URL_FIREHOSE = running.url;
    process.env.AWS_ACCESS_KEY_ID ??= 'AKIDLOCAL';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local-secret';
    process.env.AWS_REGION ??= 'us-east-1';

    try {
      // Act
      const code = await main([file, '--timeout', '1'], io);

      // Assess
      expect(code).toBe(1);
      expect(err.join('')).toContain('events 3');
      expect(err.join('')).toContain('failed 3');
      const again = await readFallbackEvents(Readable.from([out.join('')]));
      expect(again.events.map((e) => e.metadata.uid)).toEqual(events.map((e) => e.metadata.uid));

      running.fake.setFaults({});
      const second = await main([file], { ...io, stdout: () => undefined });
      expect(second).toBe(0);
      expect(idsOf(await running.records())).toHaveLength(3);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_FIREHOSE;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
