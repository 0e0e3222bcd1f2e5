/**
 * `pnpm bench` for @authwatch/users: against a local stack started here with 10,000
 * users (imported through a user import job), users exported per second and restored per
 * second (into the reset stack, each user: AdminCreateUser with the pool's pre sign-up
 * trigger, AdminSetUserPassword, AdminResetUserPassword), and the time to validate a
 * 10,000-user import CSV (parse and every rule, no network).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type LocalStack, startLocalStack } from '@authwatch/local';
import {
  AdminAddUserToGroupCommand,
  DescribeUserPoolCommand,
  GetCSVHeaderCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backupPool } from '../src/backup.js';
import { parseBackup } from '../src/backup-file.js';
import { exportUsers } from '../src/export.js';
import { escapeValue, parseImportCsv } from '../src/import-csv.js';
import { importUsers } from '../src/import-job.js';
import { mapLimit } from '../src/pool-reader.js';
import { silentProgress } from '../src/progress.js';
import { restorePool } from '../src/restore.js';
import { resolveTarget } from '../src/target.js';
import { poolRules, validateImport } from '../src/validate.js';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'authwatch-users-bench-'));
const stateDir = join(dir, 'state');
const print = (line: string) => process.stdout.write(`${line}\n`);

function csvFor(header: string[], count: number): string {
  const rows = [header.join(',')];
  for (let n = 0; n < count; n += 1) {
    const email = `bench-${n}@example.com`;
    const values: Record<string, string> = {
      'cognito:username': email,
      email,
      email_verified: 'true',
      'cognito:mfa_enabled': 'false',
      name: `Bench User ${n}, Jr.`,
      'custom:tenant_id': `tenant-${n % 7}`,
    };
    rows.push(header.map((column) => escapeValue(values[column] ?? '')).join(','));
  }
  return `${rows.join('\n')}\n`;
}

async function main(): Promise<void> {
  print(
    `machine: ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at the start; Node ${process.version}`,
  );
  let stack: LocalStack = await startLocalStack({ port: 0, stateDir, quiet: true });
  try {
    let target = await resolveTarget({ outputs: stack.outputsFile });
    const { CSVHeader } = await target.api.send(
      new GetCSVHeaderCommand({ UserPoolId: target.userPoolId }),
    );
    const header = CSVHeader ?? [];
    const csv = csvFor(header, USERS);
    const csvFile = join(dir, 'users.csv');
    writeFileSync(csvFile, csv);

    // Validation of the file alone (pure: the pool's rules are read once).
    const { UserPool } = await target.api.send(
      new DescribeUserPoolCommand({ UserPoolId: target.userPoolId }),
    );
    const rules = poolRules(header, UserPool);
    const times: number[] = [];
    const cpu: number[] = [];
    for (let run = 0; run < 7; run += 1) {
      const started = performance.now();
      const cpuStart = process.cpuUsage();
      const result = validateImport(parseImportCsv(csv), rules);
      times.push(performance.now() - started);
      const used = process.cpuUsage(cpuStart);
      cpu.push((used.user + used.system) / 1000);
      if (result.problems.length > 0 || result.valid !== USERS)
        throw new Error('bench CSV is not valid');
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    // CPU time too: on a shared machine the wall time mostly measures the other processes.
    print(
      `validate a ${USERS}-user import CSV (${(csv.length / 1e6).toFixed(1)} MB): median ${times[3]?.toFixed(0)} ms wall, ${cpu[3]?.toFixed(0)} ms CPU; min ${times[0]?.toFixed(0)} ms wall (7 runs)`,
    );

    // Seed through the import job (also its figure), then some group memberships.
    let started = performance.now();
    const imported = await importUsers(target.api, target.logs, target.userPoolId, {
      file: csvFile,
      dryRun: false,
      roleArn: 'arn:aws:iam::000000000000:role/bench',
      progress: silentProgress,
      out: () => undefined,
      pollMs: 50,
    });
    let seconds = (performance.now() - started) / 1000;
    print(
      `import job of ${imported.job?.ImportedUsers} users (validate, upload, run, poll): ${seconds.toFixed(1)} s`,
    );
    const members = Array.from(
      { length: Math.floor(USERS / 10) },
      (_, n) => `bench-${n * 10}@example.com`,
    );
    await mapLimit(members, 8, (Username) =>
      target.api.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: target.userPoolId,
          Username,
          GroupName: 'users',
        }),
      ),
    );

    started = performance.now();
    const exportFile = join(dir, 'export.json');
    const { count } = await exportUsers(target.api, target.userPoolId, {
      format: 'json',
      file: exportFile,
      progress: silentProgress,
    });
    seconds = (performance.now() - started) / 1000;
    print(
      `export: ${count} users in ${seconds.toFixed(1)} s = ${Math.round(count / seconds)} users/s (ListUsers + AdminListGroupsForUser + AdminGetUser per user, ${(statSync(exportFile).size / 1e6).toFixed(1)} MB JSON)`,
    );

    const backupFile = join(dir, 'pool.json');
    started = performance.now();
    await backupPool(target.api, target.userPoolId, {
      file: backupFile,
      region: target.region,
      progress: silentProgress,
    });
    print(`backup: ${((performance.now() - started) / 1000).toFixed(1)} s`);

    await stack.stop();
    stack = await startLocalStack({ port: 0, stateDir, quiet: true, reset: true });
    target = await resolveTarget({ outputs: stack.outputsFile });
    const backup = parseBackup(readFileSync(backupFile, 'utf8'));
    started = performance.now();
    const summary = await restorePool(target.api, {
      file: backupFile,
      backup,
      userPoolId: target.userPoolId,
      userState: 'reset-required',
      progress: silentProgress,
      out: () => undefined,
    });
    seconds = (performance.now() - started) / 1000;
    const restored = summary.created.users ?? 0;
    print(
      `restore: ${restored} users created in ${seconds.toFixed(1)} s = ${Math.round(restored / seconds)} users/s (AdminCreateUser with the pre sign-up trigger, AdminSetUserPassword, AdminResetUserPassword; ${summary.created.memberships ?? 0} memberships)`,
    );

    started = performance.now();
    const again = await restorePool(target.api, {
      file: backupFile,
      backup,
      userPoolId: target.userPoolId,
      userState: 'reset-required',
      progress: silentProgress,
      out: () => undefined,
    });
    print(
      `restore again (nothing to do: ${Object.keys(again.created).length === 0}): ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
