/**
 * Reading a local audit directory (the local Firehose's `.local/audit`, or a copy of
 * the bucket): which sources hold objects, and the DuckDB view over exactly those.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckdbEventsViewOptions, duckdbEventsViewSql } from './events-view.js';
import { sourcePrefix } from './layout.js';
import { OCSF_SOURCE_LIST, type OcsfSource } from './sources.js';

async function entries(folder: string): Promise<Dirent[]> {
  try {
    return await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Whether `folder` holds a file at `depth` levels of sub-folders (region, account, day). */
async function holdsObject(folder: string, depth: number): Promise<boolean> {
  for (const entry of await entries(folder)) {
    if (depth === 0 ? entry.isFile() : entry.isDirectory()) {
      if (depth === 0) return true;
      if (await holdsObject(join(folder, entry.name), depth - 1)) return true;
    }
  }
  return false;
}

/** The sources that have at least one object under `auditDir` (in class_uid order). */
export async function presentSources(auditDir: string): Promise<OcsfSource[]> {
  const present: OcsfSource[] = [];
  for (const source of OCSF_SOURCE_LIST) {
    if (await holdsObject(join(auditDir, sourcePrefix(source)), 3)) present.push(source);
  }
  return present;
}

/**
 * {@link duckdbEventsViewSql} over the sources that have objects in `auditDir` now (the
 * view does not see a source's first object until it is made again).
 */
export async function localEventsViewSql(
  auditDir: string,
  options: Omit<DuckdbEventsViewOptions, 'sources'> = {},
): Promise<string> {
  return duckdbEventsViewSql(auditDir, { ...options, sources: await presentSources(auditDir) });
}
