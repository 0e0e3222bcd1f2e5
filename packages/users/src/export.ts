/**
 * `export`: every user (attributes, status, enabled, dates, MFA settings) and their
 * groups, to CSV or JSON. Never a password: Cognito cannot export one.
 */
import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { stringify } from 'csv-stringify/sync';
import { atomicWriter } from './files.js';
import { readUsers } from './pool-reader.js';
import type { Progress } from './progress.js';
import type { PoolApi } from './throttle.js';
import type { UserRecord } from './user-record.js';

export type ExportFormat = 'csv' | 'json';

/** The fixed CSV columns; attribute columns follow, one per schema attribute. */
export const CSV_FIXED_COLUMNS = [
  'username',
  'status',
  'enabled',
  'created',
  'modified',
  'mfa_enabled',
  'mfa_preferred',
  'groups',
] as const;

export interface ExportOptions {
  format: ExportFormat;
  /** File to write; undefined writes to `write`. */
  file?: string;
  write?: (text: string) => void;
  progress: Progress;
  concurrency?: number;
  now?: () => Date;
}

export interface ExportResult {
  count: number;
}

/** One CSV row: groups and MFA lists as JSON arrays (a group name may hold any character). */
export function csvRow(user: UserRecord, attributeColumns: readonly string[]): string[] {
  return [
    user.username,
    user.status,
    String(user.enabled),
    user.created,
    user.modified,
    JSON.stringify(user.mfa.enabled),
    user.mfa.preferred ?? '',
    JSON.stringify(user.groups),
    ...attributeColumns.map((name) => user.attributes[name] ?? ''),
  ];
}

export async function exportUsers(
  api: PoolApi,
  userPoolId: string,
  options: ExportOptions,
): Promise<ExportResult> {
  const { UserPool: pool } = await api.send(
    new DescribeUserPoolCommand({ UserPoolId: userPoolId }),
  );
  const attributeColumns = (pool?.SchemaAttributes ?? [])
    .map((attribute) => attribute.Name ?? '')
    .filter((name) => name !== '');
  const writer = options.file ? atomicWriter(options.file) : undefined;
  const emit = async (text: string) => {
    if (writer) await writer.write(text);
    else options.write?.(text);
  };
  options.progress.start(pool?.EstimatedNumberOfUsers ?? 0);
  let count = 0;
  try {
    if (options.format === 'csv') {
      await emit(stringify([[...CSV_FIXED_COLUMNS, ...attributeColumns]]));
    } else {
      const head = {
        format: 'authwatch-users-export',
        version: 1,
        userPoolId,
        exportedAt: (options.now?.() ?? new Date()).toISOString(),
        note: 'Cognito never exports passwords; none is in this file.',
      };
      await emit(`${JSON.stringify(head).slice(0, -1)},"users":[`);
    }
    for await (const page of readUsers(api, userPoolId, {
      concurrency: options.concurrency,
      onProgress: (done) =>
        options.progress.update(done, Math.max(done, pool?.EstimatedNumberOfUsers ?? 0)),
    })) {
      if (page.length === 0) continue;
      if (options.format === 'csv') {
        await emit(stringify(page.map((user) => csvRow(user, attributeColumns))));
      } else {
        const text = page.map((user) => `\n${JSON.stringify(user)}`).join(',');
        await emit(count === 0 ? text : `,${text}`);
      }
      count += page.length;
    }
    if (options.format === 'json') await emit('\n]}\n');
    await writer?.commit();
  } catch (error) {
    await writer?.abort();
    throw error;
  } finally {
    options.progress.stop();
  }
  return { count };
}
