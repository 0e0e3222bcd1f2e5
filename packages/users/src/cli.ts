/**
 * `authwatch-users` (`pnpm users`): export, bulk import, backup and restore of a Cognito
 * user pool. With no pool flag it works on the local stack; with `--user-pool-id` on a
 * real pool. Exit codes: 0 done, 1 the work failed, 2 bad usage or input; every failure
 * is one line on standard error naming the problem.
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { backupPool } from './backup.js';
import { parseBackup } from './backup-file.js';
import { CliError, EXIT, InputError, oneLine } from './errors.js';
import { type ExportFormat, exportUsers } from './export.js';
import { formatProblem, importUsers } from './import-job.js';
import { progressBar, silentProgress } from './progress.js';
import { restorePool, type UserState } from './restore.js';
import { resolveTarget, type TargetOptions } from './target.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether a progress bar may be drawn (standard error is a terminal). */
  tty?: boolean;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  tty: process.stderr.isTTY === true,
};

/** The role an import job uses locally (the local stack accepts any role). */
export const LOCAL_IMPORT_ROLE = 'arn:aws:iam::000000000000:role/authwatch-local-user-import';

const DESCRIPTION = [
  'Export, bulk-import, back up and restore the users of an Amazon Cognito user pool.',
  'Without --user-pool-id every command works on the local stack (endpoint and pool from .local/outputs.json, written by `pnpm start`). With --user-pool-id it works on that pool, with the Region from --region, AWS_REGION or the pool id, and the usual AWS credentials.',
  'Passwords are never exported or backed up: Cognito cannot give one back. A restored user gets a temporary password by mail or a required reset; to keep passwords when moving users, use a user migration trigger (see the package README).',
].join('\n\n');

function share(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('must be a number above 0 and at most 1');
  return n;
}

interface GlobalOptions extends TargetOptions {
  quiet?: boolean;
}

const countList = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([what, n]) => `${n} ${what}`)
    .join(', ') || 'nothing';

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('authwatch-users')
    .description(DESCRIPTION)
    .option('--user-pool-id <id>', 'a real user pool (without it: the local stack)')
    .option(
      '--region <region>',
      'AWS Region of the pool (default: AWS_REGION, else the pool id prefix)',
    )
    .option('--profile <name>', 'AWS shared-config profile for the credentials')
    .option('--endpoint <url>', 'Cognito endpoint other than the Region default')
    .option('--outputs <file>', 'outputs.json of the local stack (default: .local/outputs.json)')
    .option(
      '--quota-share <fraction>',
      "share of Cognito's request-rate quotas to use on a real pool",
      share,
      0.5,
    )
    .option('-q, --quiet', 'no progress bar')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) => io.err(text),
      outputError: (text) => io.err(`authwatch-users: ${oneLine(text.replace(/^error: /, ''))}`),
    });

  const progress = (options: GlobalOptions, label: string) =>
    options.quiet || !io.tty ? silentProgress : progressBar(label);

  program
    .command('export')
    .description(
      'every user (attributes, status, enabled, dates, MFA settings, groups) to CSV or JSON; never a password (Cognito cannot export one)',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'),
    )
    .option('--out <file>', 'write to this file (default: standard output)')
    .action(async (options: { format: ExportFormat; out?: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const target = await resolveTarget(global);
      const { count } = await exportUsers(target.api, target.userPoolId, {
        format: options.format,
        file: options.out,
        write: (text) => io.out(text.replace(/\n$/, '')),
        progress: progress(global, 'export'),
      });
      io.err(
        `exported ${count} users from ${target.label}${options.out ? ` to ${options.out}` : ''}`,
      );
    });

  program
    .command('import')
    .description("bulk import through Cognito's user import job, after checking every row")
    .argument('<file.csv>', 'a user import file (its header from GetCSVHeader)')
    .option('--dry-run', 'validate the file against the pool and stop: nothing is uploaded')
    .option(
      '--role-arn <arn>',
      'CloudWatch Logs role of the import job (the UserImportRoleArn output of the stack)',
    )
    .option('--job-name <name>', 'name of the import job')
    .action(
      async (
        file: string,
        options: { dryRun?: boolean; roleArn?: string; jobName?: string },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const target = await resolveTarget(global);
        const roleArn =
          options.roleArn ?? (target.kind === 'local' ? LOCAL_IMPORT_ROLE : undefined);
        if (!roleArn && !options.dryRun) {
          throw new InputError(
            '--role-arn is required for a real pool (the UserImportRoleArn output of the stack)',
          );
        }
        const result = await importUsers(target.api, target.logs, target.userPoolId, {
          file,
          dryRun: options.dryRun === true,
          roleArn: roleArn ?? '',
          jobName: options.jobName,
          progress: progress(global, 'import'),
          out: (line) => io.err(line),
        });
        const { validation } = result;
        if (validation.problems.length > 0) {
          for (const problem of validation.problems) io.err(formatProblem(file, problem));
          const lines = new Set(validation.problems.map((problem) => problem.line)).size;
          throw new InputError(
            `${file}: ${validation.problems.length} problem(s) on ${lines} line(s); nothing was uploaded`,
          );
        }
        if (options.dryRun) {
          io.err(
            `${file}: ${validation.valid} users valid for ${target.label}; dry run, nothing uploaded`,
          );
          return;
        }
        const job = result.job;
        for (const row of result.failedRows) {
          io.err(
            `${file}:${row.line}: ${row.status}${row.username ? ` ${row.username}` : ''}: ${row.reason}`,
          );
        }
        io.err(
          `import job ${job?.JobId ?? '-'} ${job?.Status ?? 'not started (no rows)'}: ${job?.ImportedUsers ?? 0} imported, ${job?.SkippedUsers ?? 0} skipped, ${job?.FailedUsers ?? 0} failed${job?.CompletionMessage ? ` (${job.CompletionMessage})` : ''}`,
        );
        if (job && (job.Status !== 'Succeeded' || (job.FailedUsers ?? 0) > 0)) {
          setExit(EXIT.failed);
        }
      },
    );

  program
    .command('backup')
    .description(
      'pool configuration, app clients and IdPs (no secrets), groups, resource servers, users and memberships, in one versioned file',
    )
    .argument('<file.json>', 'file to write')
    .action(async (file: string, _options: unknown, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const target = await resolveTarget(global);
      const backup = await backupPool(target.api, target.userPoolId, {
        file,
        region: target.region,
        progress: progress(global, 'backup'),
      });
      io.err(
        `backed up ${target.label} to ${file}: ${backup.users.length} users, ${backup.groups.length} groups, ${backup.clients.length} app clients, ${backup.resourceServers.length} resource servers, ${backup.identityProviders.length} identity providers`,
      );
    });

  program
    .command('restore')
    .description('a backup into this pool or a new one; idempotent and resumable')
    .argument('<file.json>', 'a backup file')
    .option(
      '--new-pool <name>',
      'create a pool of this name (or use the one of that name) and restore into it',
    )
    .addOption(
      new Option(
        '--user-state <state>',
        'restored users have no password: a temporary one mailed by Cognito, or a required reset',
      )
        .choices(['temporary-password', 'reset-required'])
        .default('reset-required'),
    )
    .option(
      '--idp-secrets <file.json>',
      'secrets the backup left out: {"<provider>": {"client_secret": "..."}}',
    )
    .action(
      async (
        file: string,
        options: { newPool?: string; userState: UserState; idpSecrets?: string },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch {
          throw new InputError(`cannot read ${file}: no such file`);
        }
        const backup = parseBackup(text, file);
        const idpSecrets = options.idpSecrets ? await readSecrets(options.idpSecrets) : undefined;
        const target = await resolveTarget(global);
        const summary = await restorePool(target.api, {
          file,
          backup,
          userPoolId: target.userPoolId,
          newPool: options.newPool,
          userState: options.userState,
          idpSecrets,
          progress: progress(global, 'restore'),
          out: (line) => io.err(line),
        });
        for (const line of summary.skipped) io.err(`not restored: ${line}`);
        io.err(
          `restored ${file} into ${summary.userPoolId}: created ${countList(summary.created)}; already there ${countList(summary.existing)}`,
        );
      },
    );
  return program;
}

async function readSecrets(file: string): Promise<Record<string, Record<string, string>>> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new InputError(`--idp-secrets ${file} is not a readable JSON file`);
  }
  const ok =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (details) =>
        typeof details === 'object' &&
        details !== null &&
        !Array.isArray(details) &&
        Object.values(details).every((secret) => typeof secret === 'string'),
    );
  if (!ok) {
    throw new InputError(
      `--idp-secrets ${file}: expected {"<provider>": {"<detail>": "<secret>"}}`,
    );
  }
  return value as Record<string, Record<string, string>>;
}

/** Runs the CLI; resolves with the exit code. */
export async function main(
  argv: string[] = process.argv.slice(2),
  io: CliIo = processIo,
): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (exit) => {
    code = exit;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help exits 0; a usage error was printed by outputError.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      io.err(`authwatch-users: ${oneLine(error.message)}`);
      return error.exitCode;
    }
    io.err(`authwatch-users: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return EXIT.failed;
  }
}
