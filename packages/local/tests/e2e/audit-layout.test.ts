/**
 * The audit bucket's layout as a new user finds it under `.local/audit` after the demo:
 * one Security Lake source per OCSF class, each record in the day of its own time, and
 * the `authwatch_events` view (DuckDB) reading them all under one name.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import {
  createFirehoseSink,
  eventDay,
  localEventsViewSql,
  OCSF_SOURCES,
  sourceNamed,
} from '@authwatch/audit';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo.js';
import { listDeliveredObjects, listErrorObjects } from '../../src/firehose/index.js';
import { LOCAL_AUDIT_STREAM } from '../../src/triggers/environment.js';
import { firehoseClient } from '../audit/helpers.js';
import { auditRecords, startTestStack } from './helpers.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
const DAY_MS = 86_400_000;
/** A sign-in recorded yesterday and delivered today (a fallback replay does this). */
let late: Record<string, unknown>;
/** A Detection Finding, the third class. */
let finding: Record<string, unknown>;

beforeAll(async () => {
  stack = await startTestStack();
  await runDemo({ outputs: stack.outputs, print: () => undefined, settle: () => stack.settle() });
  const [signIn] = (await auditRecords(stack)).filter((r) => r.class_uid === 3002);
  const now = Date.now();
  late = {
    ...signIn,
    time: now - DAY_MS,
    metadata: { ...(signIn?.metadata as object), uid: crypto.randomUUID() },
  };
  finding = {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    activity_id: 1,
    type_uid: 200401,
    severity_id: 4,
    time: now,
    message: 'Password spraying from 203.0.113.10',
    finding_info: { uid: crypto.randomUUID(), title: 'Password spraying' },
    metadata: { version: '1.3.0', uid: crypto.randomUUID(), log_name: 'detection-finding' },
  };
  const sink = createFirehoseSink({
    streamName: LOCAL_AUDIT_STREAM,
    client: firehoseClient(stack.firehose.url),
  });
  // The sink sends AuditEvents; these two are records of the shapes it carries.
  const sent = await sink.send([late, finding] as never, { deadline: Date.now() + 10_000 });
  expect(sent.reason).toBeUndefined();
  expect(sent.failed).toEqual([]);
  await stack.firehose.flush();
}, 60_000);

afterAll(async () => {
  await stack?.cleanup();
});

async function recordsOf(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the local audit bucket after the demo', () => {
  it('holds one class per object and one class per source, under ext/<source>/', async () => {
    const classesBySource = new Map<string, Set<unknown>>();
    const objects = await listDeliveredObjects(stack.outputs.auditDir);
    for (const path of objects) {
      const [root, sourceName] = relative(stack.outputs.auditDir, path).split('/');
      expect(root).toBe('ext');
      const classes = new Set((await recordsOf(path)).map((r) => r.class_uid));
      expect(classes.size).toBe(1);
      const seen = classesBySource.get(sourceName as string) ?? new Set();
      for (const c of classes) seen.add(c);
      classesBySource.set(sourceName as string, seen);
    }

    expect(objects.length).toBeGreaterThan(3);
    // The demo's sign-in calls are API Activity too (the CloudTrail side of each attempt).
    // The demo writes at least these classes; every source is one of OCSF_SOURCES.
    const names = [...classesBySource.keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        'authwatch-account-change',
        'authwatch-authentication',
        'authwatch-detection-finding',
      ]),
    );
    for (const name of names) expect(sourceNamed(name)).toBeDefined();
    for (const [name, classes] of classesBySource) {
      expect([...classes]).toEqual([sourceNamed(name)?.classUid]);
    }
    expect(await listErrorObjects(stack.outputs.auditDir)).toEqual([]);
  });

  it('puts a record with yesterday’s time in yesterday’s eventDay', async () => {
    const yesterday = eventDay(late.time as number);
    const objects = await listDeliveredObjects(stack.outputs.auditDir);
    const holding = [];
    for (const path of objects) {
      const uids = (await recordsOf(path)).map((r) => (r.metadata as { uid: string }).uid);
      if (uids.includes((late.metadata as { uid: string }).uid)) holding.push(path);
    }

    expect(holding).toHaveLength(1);
    expect(relative(stack.outputs.auditDir, holding[0] as string)).toMatch(
      new RegExp(
        `^ext/${OCSF_SOURCES[3002].name}/region=[a-z0-9-]+/accountId=\\d{12}/eventDay=${yesterday}/`,
      ),
    );
    expect(yesterday).not.toBe(eventDay(Date.now()));
  });

  it('reads every record through the authwatch_events view, by class and day', async () => {
    const records = await auditRecords(stack);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(await localEventsViewSql(stack.outputs.auditDir));
      const rows = (
        await connection.runAndReadAll(
          'SELECT class_uid, count(*) AS n, min(eventday) AS first_day FROM authwatch_events GROUP BY class_uid ORDER BY class_uid',
        )
      ).getRowObjectsJS();

      const count = (c: number) => records.filter((r) => r.class_uid === c).length;
      const classes = [...new Set(records.map((r) => r.class_uid as number))].sort((a, b) => a - b);
      expect(classes).toEqual(expect.arrayContaining([2004, 3001, 3002]));
      expect(rows).toEqual(
        classes.map((c) => ({
          class_uid: c,
          n: BigInt(count(c)),
          first_day: c === 3002 ? eventDay(late.time as number) : expect.any(String),
        })),
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
