import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestEvent } from '@authwatch/testing';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUDIT_COLUMNS,
  type AuditSourceEvent,
  athenaEventsViewQuery,
  athenaViewOriginalText,
  auditContextFromEvent,
  auditObjectPrefix,
  challengeFailed,
  duckdbEventsViewSql,
  eventDay,
  localEventsViewSql,
  logonSucceeded,
  OCSF_SOURCES,
  presentSources,
  signUpDenied,
} from '../../src/index.js';
import { migrateLegacyObjects } from '../../src/migrate.js';

const NOW = Date.UTC(2026, 11, 6, 10, 0, 0);
const YESTERDAY = NOW - 86_400_000;
const ctx = auditContextFromEvent(getTestEvent<AuditSourceEvent>('post-auth/new-device'), NOW);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authwatch-view-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeObject(prefix: string, name: string, records: unknown[]) {
  await mkdir(join(dir, prefix), { recursive: true });
  await writeFile(join(dir, prefix, name), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

async function query(viewSql: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(viewSql);
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const at = (source: keyof typeof OCSF_SOURCES, time: number) =>
  auditObjectPrefix({
    source: OCSF_SOURCES[source],
    region: 'us-east-1',
    accountId: '000000000000',
    eventDay: eventDay(time),
  });

describe('duckdbEventsViewSql', () => {
  it('unions the sources under one name with Athena’s column names', async () => {
    const failed = challengeFailed(ctx, { mode: 'email', attempt: 2, maxAttempts: 3 });
    await writeObject(at(3002, NOW), 'a-1', [logonSucceeded(ctx, { newDevice: true }), failed]);
    await writeObject(at(3001, YESTERDAY), 'b-1', [
      { ...signUpDenied(ctx, { reason: 'blocked domain' }), time: YESTERDAY },
    ]);

    const sources = await presentSources(dir);
    const rows = await query(
      await localEventsViewSql(dir),
      `SELECT class_uid, unmapped.clientid AS client, unmapped.attempt AS attempt, "user".name AS name,
         src_endpoint.ip AS ip, is_mfa, eventday, accountid, region
       FROM authwatch_events ORDER BY class_uid, time, attempt NULLS FIRST`,
    );

    expect(sources.map((s) => s.classUid)).toEqual([3001, 3002]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ class_uid: 3001, eventday: '20261205', region: 'us-east-1' });
    expect(rows[2]).toMatchObject({ class_uid: 3002, attempt: '2', eventday: '20261206' });
    expect(rows[2]?.client).toBe(ctx.clientId);
    expect(rows.every((row) => row.accountid === '000000000000')).toBe(true);
  });

  it('reads Parquet objects of a copy of the bucket with the same columns', async () => {
    const folder = join(dir, at(3002, YESTERDAY));
    await mkdir(folder, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT 3002 AS class_uid, ${YESTERDAY}::BIGINT AS time, {'clientid': 'abc'} AS unmapped)
       TO '${join(folder, 'authwatch-audit-1-x')}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();

    const rows = await query(
      await localEventsViewSql(dir, { format: 'parquet' }),
      'SELECT class_uid, unmapped.clientid AS client, eventday, status_id FROM authwatch_events',
    );

    expect(rows).toEqual([
      { class_uid: 3002, client: 'abc', eventday: '20261205', status_id: null },
    ]);
  });

  it('has every column and no row when no source has objects yet', async () => {
    const viewSql = duckdbEventsViewSql(dir, { sources: [] });

    const columns = await query(viewSql, 'DESCRIBE authwatch_events');
    const rows = await query(viewSql, 'SELECT count(*) AS n FROM authwatch_events');

    expect(columns.map((c) => c.column_name)).toEqual([
      ...AUDIT_COLUMNS.map((c) => c.name),
      'region',
      'accountid',
      'eventday',
    ]);
    expect(rows).toEqual([{ n: '0' }]);
  });

  it('quotes a directory with a quote in its name instead of breaking the SQL', async () => {
    const odd = join(dir, "o'brien");
    await mkdir(odd);
    const sql = duckdbEventsViewSql(odd, { sources: ['authwatch-authentication'] });
    expect(sql).toContain("o''brien/ext/authwatch-authentication/region=*/");
    expect(() => duckdbEventsViewSql(dir, { sources: ['authwatch'] })).toThrow(
      '"authwatch" is not a source of OCSF_SOURCES',
    );
  });
});

describe('athena view text', () => {
  it('selects the same columns from every source table, as a Presto view Athena can read', () => {
    const query = athenaEventsViewQuery('authwatch_audit_dev');
    const text = athenaViewOriginalText('authwatch_audit_dev', query);
    const json = JSON.parse(
      Buffer.from(/^\/\* Presto View: (.*) \*\/$/.exec(text)?.[1] ?? '', 'base64').toString(),
    ) as { originalSql: string; schema: string; columns: { name: string; type: string }[] };

    expect(query.split('UNION ALL')).toHaveLength(5);
    expect(query).toContain('FROM "authwatch_audit_dev"."authwatch_detection_finding"');
    // Each branch states its source's class, so a filter on the class prunes the others.
    expect(query).toContain('"category_name", CAST(3002 AS integer) AS "class_uid", "class_name"');
    expect(query.match(/CAST\(\d+ AS integer\) AS "class_uid"/g)).toHaveLength(5);
    expect(query).not.toMatch(/, "class_uid",/);
    expect(json.originalSql).toBe(query);
    expect(json.schema).toBe('authwatch_audit_dev');
    expect(json.columns.find((c) => c.name === 'src_endpoint')?.type).toBe(
      'row(ip varchar, location row(country varchar, city varchar, lat double, long double), autonomous_system row(number bigint, name varchar))',
    );
    expect(json.columns.find((c) => c.name === 'type_uid')?.type).toBe('bigint');
    expect(json.columns.at(-1)).toEqual({ name: 'eventday', type: 'varchar' });
  });
});

describe('migrateLegacyObjects', () => {
  it('splits old mixed objects by class and by each record’s own day, then removes them', async () => {
    const legacy = 'ext/authwatch/region=us-east-1/accountId=000000000000/eventDay=20261206/';
    const late = { ...logonSucceeded(ctx, { newDevice: false }), time: YESTERDAY };
    await writeObject(legacy, 'authwatch-audit-1-2026-12-06-10-00-00-x', [
      logonSucceeded(ctx, { newDevice: false }),
      signUpDenied(ctx, { reason: 'blocked domain' }),
      late,
    ]);
    await mkdir(join(dir, legacy), { recursive: true });
    await writeFile(join(dir, legacy, 'authwatch-audit-1-2026-12-06-10-00-01-y'), 'not json\n');

    const summary = await migrateLegacyObjects(dir);

    expect(summary).toMatchObject({ objects: 2, written: 3, failed: 1 });
    expect(summary.records['authwatch-authentication']).toBe(2);
    expect(summary.records['authwatch-account-change']).toBe(1);
    const yesterday = await readFile(
      join(dir, at(3002, YESTERDAY), 'authwatch-audit-1-2026-12-06-10-00-00-x'),
      'utf8',
    );
    expect(JSON.parse(yesterday).metadata.uid).toBe(late.metadata.uid);
    expect(await readdir(join(dir, 'ext'))).toEqual([
      'authwatch-account-change',
      'authwatch-authentication',
    ]);
    const kept = JSON.parse(await readFile(summary.errorDocuments[0] as string, 'utf8'));
    expect(kept.errorMessage).toBe('the record is not JSON');
    expect(Buffer.from(kept.rawData, 'base64').toString()).toBe('not json');
  });

  it('changes nothing on a dry run', async () => {
    const legacy = 'ext/authwatch/region=us-east-1/accountId=000000000000/eventDay=20261206/';
    await writeObject(legacy, 'o', [logonSucceeded(ctx, { newDevice: false })]);

    const summary = await migrateLegacyObjects(dir, { dryRun: true });

    expect(summary).toMatchObject({ objects: 1, written: 1, failed: 0 });
    expect(await readdir(join(dir, 'ext'))).toEqual(['authwatch']);
  });

  it('splits a Parquet object of the old bucket with DuckDB', async () => {
    const legacy = join(
      dir,
      'ext/authwatch/region=eu-west-1/accountId=123456789012/eventDay=20261206',
    );
    await mkdir(legacy, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT * FROM (VALUES (3002, ${NOW}::BIGINT, 'a'), (3001, ${YESTERDAY}::BIGINT, 'b'), (3002, ${YESTERDAY}::BIGINT, 'c')) t(class_uid, time, message))
       TO '${join(legacy, 'old.parquet')}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();

    const summary = await migrateLegacyObjects(dir);
    const rows = await query(
      'SELECT 1',
      `SELECT class_uid, message, filename FROM read_parquet('${dir}/ext/authwatch-*/*/*/*/*', filename = true) ORDER BY message`,
    );

    expect(summary).toMatchObject({ objects: 1, written: 3, failed: 0 });
    expect(rows.map((r) => [r.class_uid, r.message])).toEqual([
      [3002, 'a'],
      [3001, 'b'],
      [3002, 'c'],
    ]);
    expect(String(rows[1]?.filename)).toContain(
      '/ext/authwatch-account-change/region=eu-west-1/accountId=123456789012/eventDay=20261205/old.parquet',
    );
  });
});
