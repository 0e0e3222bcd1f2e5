/**
 * Moves the objects of the layout before one source per class (`ext/authwatch/region=…/
 * accountId=…/eventDay=<arrival day>/`, every class mixed) into the current one
 * (`ext/<source>/region=…/accountId=…/eventDay=<the record's own day>/`): each object is
 * split by source and day, written under the new prefixes with its old name, and
 * removed once every part is written. NDJSON objects (the local Firehose's) are split
 * here; Parquet objects (a copy of the bucket) are split with DuckDB, loaded only then.
 * A record that cannot be placed (not JSON, a class without a source, no time) is kept
 * in an error document under `errors/authwatch/migration-failed/`, never dropped.
 */
import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import {
  AUDIT_S3_ERROR_ROOT,
  auditObjectPrefix,
  LEGACY_AUDIT_S3_ROOT,
  lineRecordPartition,
  RecordPartitionError,
} from './layout.js';
import { OCSF_SOURCE_LIST } from './sources.js';

export interface MigrationSummary {
  /** Old objects read (and removed, unless a dry run). */
  objects: number;
  /** Records placed, by source name. */
  records: Record<string, number>;
  /** New objects written. */
  written: number;
  /** Records that could not be placed (kept in error documents). */
  failed: number;
  /** Paths of the error documents. */
  errorDocuments: string[];
}

export interface MigrationOptions {
  /** Count and plan only: nothing is written or removed. */
  dryRun?: boolean;
  /** Progress lines (one per old object). */
  log?: (line: string) => void;
}

/** An old object's folder does not name its region and account. */
export class LegacyLayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyLayoutError';
  }
}

async function walk(folder: string, found: string[]): Promise<void> {
  let list: Dirent[];
  try {
    list = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of list) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await walk(path, found);
    else if (entry.isFile()) found.push(path);
  }
}

/** Region and account from `…/region=<r>/accountId=<a>/eventDay=<d>/<name>`. */
function partitionOfPath(legacyRoot: string, path: string) {
  const parts = relative(legacyRoot, path).split(sep);
  const value = (key: string) => parts.find((p) => p.startsWith(`${key}=`))?.slice(key.length + 1);
  const region = value('region');
  const accountId = value('accountId');
  if (!region || !accountId) {
    throw new LegacyLayoutError(
      `${path} is not under ${LEGACY_AUDIT_S3_ROOT}region=<region>/accountId=<account>/`,
    );
  }
  return { region, accountId, name: parts[parts.length - 1] as string };
}

/** Writes `data` to `path` through a temporary name, so a crash leaves no half object. */
async function writeAtomically(path: string, data: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomUUID()}.partial`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

async function isParquet(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString('latin1') === 'PAR1';
  } finally {
    await handle.close();
  }
}

/** Removes the now empty folders between `path` and `stop`. */
async function pruneEmpty(path: string, stop: string): Promise<void> {
  let folder = dirname(path);
  while (folder.startsWith(stop) && folder !== stop) {
    try {
      await rmdir(folder);
    } catch {
      return; // not empty
    }
    folder = dirname(folder);
  }
  await rmdir(stop).catch(() => undefined);
}

/**
 * Moves every object under `<auditDir>/ext/authwatch/` into the per-source layout.
 *
 * @example
 * ```ts
 * const summary = await migrateLegacyObjects('.local/audit');
 * // { objects: 84, records: { 'authwatch-authentication': 301, ... }, written: 91, failed: 0 }
 * ```
 */
export async function migrateLegacyObjects(
  auditDir: string,
  options: MigrationOptions = {},
): Promise<MigrationSummary> {
  const legacyRoot = join(auditDir, LEGACY_AUDIT_S3_ROOT);
  const files: string[] = [];
  await walk(legacyRoot, files);
  const summary: MigrationSummary = {
    objects: 0,
    records: Object.fromEntries(OCSF_SOURCE_LIST.map((s) => [s.name, 0])),
    written: 0,
    failed: 0,
    errorDocuments: [],
  };
  for (const path of files.sort()) {
    if (path.endsWith('.partial')) continue;
    const { region, accountId, name } = partitionOfPath(legacyRoot, path);
    const parts = (await isParquet(path))
      ? await splitParquet(path)
      : splitNdjson(await readFile(path, 'utf8'));
    const targets: [string, string | Buffer][] = [];
    for (const part of parts.placed) {
      const prefix = auditObjectPrefix({
        source: part.source,
        region,
        accountId,
        eventDay: part.eventDay,
      });
      targets.push([join(auditDir, prefix, name), part.data]);
      summary.records[part.source] = (summary.records[part.source] ?? 0) + part.count;
    }
    if (parts.failed.length > 0) {
      const errorPath = join(auditDir, AUDIT_S3_ERROR_ROOT, 'migration-failed', name);
      const documents = parts.failed.map((failure) =>
        JSON.stringify({
          errorCode: 'Migration.RecordNotPlaced',
          errorMessage: failure.reason,
          rawData: Buffer.from(failure.line, 'utf8').toString('base64'),
          sourceObject: relative(auditDir, path).split(sep).join('/'),
        }),
      );
      targets.push([errorPath, `${documents.join('\n')}\n`]);
      summary.failed += parts.failed.length;
      summary.errorDocuments.push(errorPath);
    }
    summary.objects += 1;
    summary.written += parts.placed.length;
    options.log?.(
      `${relative(auditDir, path)}: ${parts.placed.map((p) => `${p.count} → ${p.source}/${p.eventDay}`).join(', ') || 'no records'}${parts.failed.length ? `, ${parts.failed.length} not placed` : ''}`,
    );
    if (options.dryRun) continue;
    for (const [target, data] of targets) await writeAtomically(target, data);
    await rm(path);
    await pruneEmpty(path, legacyRoot.replace(/[\\/]$/, ''));
  }
  return summary;
}

interface SplitResult {
  placed: { source: string; eventDay: string; count: number; data: string | Buffer }[];
  failed: { line: string; reason: string }[];
}

/** Groups NDJSON lines by source and day, in their order. */
export function splitNdjson(text: string): SplitResult {
  const groups = new Map<string, { source: string; eventDay: string; lines: string[] }>();
  const failed: SplitResult['failed'] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const { source, eventDay } = lineRecordPartition(line);
      const key = `${source.name}/${eventDay}`;
      let group = groups.get(key);
      if (!group) {
        group = { source: source.name, eventDay, lines: [] };
        groups.set(key, group);
      }
      group.lines.push(line);
    } catch (error) {
      if (!(error instanceof RecordPartitionError)) throw error;
      failed.push({ line, reason: error.message });
    }
  }
  return {
    placed: [...groups.values()].map((g) => ({
      source: g.source,
      eventDay: g.eventDay,
      count: g.lines.length,
      data: `${g.lines.join('\n')}\n`,
    })),
    failed,
  };
}

/** Splits a Parquet object with DuckDB (the same columns, Snappy, one object per part). */
async function splitParquet(path: string): Promise<SplitResult> {
  let duckdb: typeof import('@duckdb/node-api');
  try {
    duckdb = await import('@duckdb/node-api');
  } catch (cause) {
    throw new Error(
      `${path} is a Parquet object: splitting it needs @duckdb/node-api (npm install @duckdb/node-api)`,
      { cause },
    );
  }
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const file = `'${path.replaceAll("'", "''")}'`;
  const placed: SplitResult['placed'] = [];
  const failed: SplitResult['failed'] = [];
  try {
    const day = `strftime(to_timestamp(floor(time / 1000)), '%Y%m%d')`;
    const groups = await connection.runAndReadAll(
      `SELECT class_uid, ${day} AS day, count(*) AS n FROM read_parquet(${file}) GROUP BY ALL ORDER BY ALL`,
    );
    for (const row of groups.getRowObjectsJS()) {
      const classUid = Number(row.class_uid);
      const source = OCSF_SOURCE_LIST.find((s) => s.classUid === classUid);
      const count = Number(row.n);
      const dayOk = typeof row.day === 'string' && /^\d{8}$/.test(row.day);
      if (!source || !dayOk) {
        const rows = await connection.runAndReadAll(
          `SELECT to_json(t)::VARCHAR AS line FROM read_parquet(${file}) t WHERE class_uid IS NOT DISTINCT FROM ${Number.isFinite(classUid) ? classUid : 'NULL'} AND ${day} IS NOT DISTINCT FROM ${dayOk ? `'${row.day}'` : 'NULL'}`,
        );
        for (const { line } of rows.getRowObjectsJS()) {
          failed.push({
            line: String(line),
            reason: source ? 'the record has no time' : `class_uid ${classUid} has no source`,
          });
        }
        continue;
      }
      const target = join(dirname(path), `.${randomUUID()}.parquet.partial`);
      await connection.run(
        `COPY (SELECT * FROM read_parquet(${file}) WHERE class_uid = ${classUid} AND ${day} = '${row.day}') TO '${target.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`,
      );
      const data = await readFile(target);
      await rm(target);
      placed.push({ source: source.name, eventDay: row.day as string, count, data });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { placed, failed };
}
