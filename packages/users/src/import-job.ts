/**
 * `import <file.csv>`: bulk import through Cognito's own user import job. The file is
 * validated against the pool first (nothing is uploaded while a row is wrong); then
 * CreateUserImportJob, an upload to its pre-signed URL, StartUserImportJob, and
 * DescribeUserImportJob until the job ends. The job's failed and skipped rows come from
 * its CloudWatch Logs stream (`/aws/cognito/userpools/<pool id>/<pool name>`, stream
 * `<job id>/<job name>`), named by line and user.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { type CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateUserImportJobCommand,
  DescribeUserImportJobCommand,
  DescribeUserPoolCommand,
  GetCSVHeaderCommand,
  StartUserImportJobCommand,
  type UserImportJobType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CliError, EXIT, InputError } from './errors.js';
import { MAX_FILE_BYTES, parseImportCsv } from './import-csv.js';
import type { Progress } from './progress.js';
import type { PoolApi } from './throttle.js';
import { type Problem, poolRules, type Validation, validateImport } from './validate.js';

export interface ImportOptions {
  file: string;
  dryRun: boolean;
  /** The CloudWatch Logs role Cognito writes the job's log with. */
  roleArn: string;
  jobName?: string;
  progress: Progress;
  out: (line: string) => void;
  /** Between two DescribeUserImportJob calls (default 2 s; DescribeUserImportJob is 5 RPS per pool). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Upload (tests and the local stack use fetch, the default). */
  upload?: (url: string, body: Buffer) => Promise<void>;
}

export interface ImportResult {
  validation: Validation;
  job?: UserImportJobType;
  failedRows: { line: number; username?: string; status: string; reason: string }[];
}

const ENDED = new Set(['Succeeded', 'Failed', 'Stopped', 'Expired']);

export function formatProblem(file: string, problem: Problem): string {
  return `${file}:${problem.line}: ${problem.message}`;
}

/** Reads and validates the file; throws InputError for a file that cannot be read. */
export async function validateFile(
  api: PoolApi,
  userPoolId: string,
  file: string,
): Promise<{ validation: Validation; body: Buffer; rows: number; poolName: string }> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new InputError(`cannot read ${file}: no such file`);
  }
  if (size > MAX_FILE_BYTES)
    throw new InputError(`${file} is ${size} bytes; Cognito takes at most 100 MB`);
  const body = await readFile(file);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body);
  if (text.includes('\uFFFD')) throw new InputError(`${file} is not UTF-8 text`);
  const [header, described] = await Promise.all([
    api.send(new GetCSVHeaderCommand({ UserPoolId: userPoolId })),
    api.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })),
  ]);
  const parsed = parseImportCsv(text);
  const validation = validateImport(parsed, poolRules(header.CSVHeader ?? [], described.UserPool));
  return { validation, body, rows: parsed.rows.length, poolName: described.UserPool?.Name ?? '' };
}

async function fetchUpload(url: string, body: Buffer): Promise<void> {
  const response = await fetch(url, {
    method: 'PUT',
    body,
    // As the Developer Guide's upload: the object is stored encrypted with KMS.
    headers: { 'x-amz-server-side-encryption': 'aws:kms', 'content-type': 'text/csv' },
    signal: AbortSignal.timeout(120_000),
  });
  if (!response.ok) {
    throw new CliError(`upload to the pre-signed URL failed: HTTP ${response.status}`, EXIT.failed);
  }
}

export async function importUsers(
  api: PoolApi,
  logs: CloudWatchLogsClient,
  userPoolId: string,
  options: ImportOptions,
): Promise<ImportResult> {
  const { validation, body, rows, poolName } = await validateFile(api, userPoolId, options.file);
  if (validation.problems.length > 0) return { validation, failedRows: [] };
  if (options.dryRun || rows === 0) return { validation, failedRows: [] };

  const jobName = options.jobName ?? `authwatch-users-${randomBytes(4).toString('hex')}`;
  const created = await api.send(
    new CreateUserImportJobCommand({
      UserPoolId: userPoolId,
      JobName: jobName,
      CloudWatchLogsRoleArn: options.roleArn,
    }),
  );
  const jobId = created.UserImportJob?.JobId;
  const url = created.UserImportJob?.PreSignedUrl;
  if (!jobId || !url)
    throw new CliError('CreateUserImportJob answered without a job id or URL', EXIT.failed);
  options.out(`import job ${jobId} created; uploading ${rows} users`);
  await (options.upload ?? fetchUpload)(url, body);
  await api.send(new StartUserImportJobCommand({ UserPoolId: userPoolId, JobId: jobId }));

  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  options.progress.start(rows);
  let job: UserImportJobType | undefined;
  try {
    for (;;) {
      job = (
        await api.send(new DescribeUserImportJobCommand({ UserPoolId: userPoolId, JobId: jobId }))
      ).UserImportJob;
      const done = (job?.ImportedUsers ?? 0) + (job?.SkippedUsers ?? 0) + (job?.FailedUsers ?? 0);
      options.progress.update(done);
      if (job?.Status && ENDED.has(job.Status)) break;
      await sleep(options.pollMs ?? 2_000);
    }
  } finally {
    options.progress.stop();
  }
  const failedRows =
    (job?.FailedUsers ?? 0) + (job?.SkippedUsers ?? 0) > 0
      ? await readJobLog(logs, userPoolId, poolName, jobId, jobName, validation.usernames)
      : [];
  return { validation, job, failedRows };
}

const LOG_LINE = /^\[(FAILED|SKIPPED)\] Line Number (\d+) - (.*)$/;

/** The job log's FAILED and SKIPPED lines, with the username of each line from the file. */
export async function readJobLog(
  logs: CloudWatchLogsClient,
  userPoolId: string,
  poolName: string,
  jobId: string,
  jobName: string,
  usernames: Map<number, string>,
): Promise<ImportResult['failedRows']> {
  const rows: ImportResult['failedRows'] = [];
  let token: string | undefined;
  for (let page = 0; page < 1000; page += 1) {
    const answer = await logs.send(
      new GetLogEventsCommand({
        logGroupName: `/aws/cognito/userpools/${userPoolId}/${poolName}`,
        logStreamName: `${jobId}/${jobName}`,
        startFromHead: true,
        nextToken: token,
      }),
    );
    for (const event of answer.events ?? []) {
      const match = LOG_LINE.exec((event.message ?? '').trim());
      if (!match) continue;
      const line = Number(match[2]);
      rows.push({
        line,
        username: usernames.get(line),
        status: match[1] as string,
        reason: match[3] as string,
      });
    }
    // GetLogEvents answers the same token when the stream has nothing more.
    if (!answer.nextForwardToken || answer.nextForwardToken === token) break;
    token = answer.nextForwardToken;
  }
  return rows.sort((a, b) => a.line - b.line);
}
