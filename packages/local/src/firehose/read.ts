/** Reading back what the Firehose fake delivered, for tests, the demo and `replay --delivered`. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIT_S3_ERROR_ROOT } from '@authwatch/audit/layout';

/**
 * Every object file under `dir` (recursively), sorted by path, except the error
 * documents under a top-level `errors/` folder (records Firehose could not partition:
 * `listErrorObjects`). At the bucket root that is every source's objects under `ext/`.
 */
export async function listDeliveredObjects(dir: string): Promise<string[]> {
  return listObjects(
    dir,
    (folder) => folder !== join(dir, AUDIT_S3_ERROR_ROOT.split('/')[0] as string),
  );
}

/** The error documents under `dir/errors/` (one JSON document per line), sorted by path. */
export async function listErrorObjects(dir: string): Promise<string[]> {
  return listObjects(join(dir, AUDIT_S3_ERROR_ROOT.split('/')[0] as string), () => true);
}

async function listObjects(dir: string, enter: (folder: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (enter(path)) await walk(path);
      } else found.push(path);
    }
  };
  await walk(dir);
  return found.sort();
}

/** Every NDJSON line delivered under `dir`, parsed; lines that are not JSON are skipped. */
export async function readDeliveredRecords(dir: string): Promise<unknown[]> {
  const records: unknown[] = [];
  for (const path of await listDeliveredObjects(dir)) {
    for (const line of (await readFile(path, 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        // not an event line
      }
    }
  }
  return records;
}
