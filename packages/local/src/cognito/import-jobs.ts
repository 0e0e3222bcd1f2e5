/**
 * User import jobs (Amazon Cognito Developer Guide, "Importing users from a CSV file"):
 * GetCSVHeader, CreateUserImportJob (with a pre-signed upload URL the local stack itself
 * serves, valid 15 minutes), StartUserImportJob, DescribeUserImportJob,
 * ListUserImportJobs, StopUserImportJob; and the job's log, read with CloudWatch Logs'
 * GetLogEvents on the same endpoint (group `/aws/cognito/userpools/<pool id>/<pool
 * name>`, stream `<job id>/<job name>`, one `[SUCCEEDED|SKIPPED|FAILED] Line Number N -
 * ...` line per user, no user data). Imported users are RESET_REQUIRED, as on Cognito.
 * Jobs live in memory: they do not survive a restart (an unfinished job would not either).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { EmulatorContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import { type Json, paginate, str } from './input.js';
import { requirePool } from './lookup.js';
import { STANDARD_ATTRIBUTES } from './model.js';
import type { PoolRecord } from './state.js';
import { newUser, resolveNewUsername } from './user-records.js';

/** The standard columns of GetCSVHeader, in Cognito's order; custom ones follow. */
export const CSV_STANDARD_COLUMNS = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
] as const;

const URL_VALIDITY_MS = 15 * 60_000;
/** Rows between two yields to the event loop while a job runs (so it is seen InProgress). */
const ROWS_PER_TURN = 200;

type JobStatus =
  | 'Created'
  | 'Pending'
  | 'InProgress'
  | 'Stopping'
  | 'Stopped'
  | 'Succeeded'
  | 'Failed'
  | 'Expired';

interface ImportJob {
  jobId: string;
  jobName: string;
  poolId: string;
  roleArn: string;
  status: JobStatus;
  created: number;
  started?: number;
  completed?: number;
  completionMessage?: string;
  imported: number;
  skipped: number;
  failed: number;
  signature: string;
  urlExpires: number;
  body?: Buffer;
  log: { timestamp: number; message: string }[];
}

const jobsByContext = new WeakMap<EmulatorContext, Map<string, ImportJob>>();

function jobs(ctx: EmulatorContext): Map<string, ImportJob> {
  let map = jobsByContext.get(ctx);
  if (!map) {
    map = new Map();
    jobsByContext.set(ctx, map);
  }
  return map;
}

/** GetCSVHeader: the standard columns, the pool's custom attributes, then the two cognito: ones. */
export function csvHeader(pool: PoolRecord): string[] {
  const custom = pool.schema
    .map((attribute) => attribute.Name)
    .filter((name) => name !== 'sub' && !STANDARD_ATTRIBUTES.has(name))
    .map((name) => (name.startsWith('custom:') ? name : `custom:${name}`));
  return [...CSV_STANDARD_COLUMNS, ...custom, 'cognito:mfa_enabled', 'cognito:username'];
}

export function getCSVHeader(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  return { UserPoolId: pool.id, CSVHeader: csvHeader(pool) };
}

function uploadUrl(ctx: EmulatorContext, job: ImportJob): string {
  return `${ctx.baseUrl}/_import/${encodeURIComponent(job.poolId)}/${job.jobId}?X-Amz-Expires=900&X-Amz-Signature=${job.signature}`;
}

function jobType(ctx: EmulatorContext, job: ImportJob): Json {
  return {
    JobName: job.jobName,
    JobId: job.jobId,
    UserPoolId: job.poolId,
    PreSignedUrl: uploadUrl(ctx, job),
    CreationDate: job.created / 1000,
    ...(job.started !== undefined ? { StartDate: job.started / 1000 } : {}),
    ...(job.completed !== undefined ? { CompletionDate: job.completed / 1000 } : {}),
    Status: job.status,
    CloudWatchLogsRoleArn: job.roleArn,
    ImportedUsers: job.imported,
    SkippedUsers: job.skipped,
    FailedUsers: job.failed,
    ...(job.completionMessage ? { CompletionMessage: job.completionMessage } : {}),
  };
}

function requireJob(ctx: EmulatorContext, i: Json): ImportJob {
  const pool = requirePool(ctx, i.UserPoolId);
  const job = jobs(ctx).get(str(i, 'JobId'));
  if (!job || job.poolId !== pool.id) {
    throw new CognitoError(
      'ResourceNotFoundException',
      `Import job ${String(i.JobId)} does not exist.`,
    );
  }
  return job;
}

export function createUserImportJob(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const jobName = str(i, 'JobName');
  if (!/^[\w\s+=,.@-]{1,128}$/.test(jobName)) {
    throw invalidParameter(
      "1 validation error detected: Value at 'jobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
    );
  }
  const roleArn = str(i, 'CloudWatchLogsRoleArn');
  if (!/^arn:[\w+=/,.@-]+:iam::\d{12}:role\/[\w+=/,.@-]+$/.test(roleArn)) {
    throw invalidParameter(`Invalid CloudWatchLogsRoleArn: ${roleArn.slice(0, 200)}`);
  }
  const now = ctx.now();
  const job: ImportJob = {
    jobId: `import-${randomBytes(8).toString('hex').slice(0, 10)}`,
    jobName,
    poolId: pool.id,
    roleArn,
    status: 'Created',
    created: now,
    imported: 0,
    skipped: 0,
    failed: 0,
    signature: randomBytes(24).toString('hex'),
    urlExpires: now + URL_VALIDITY_MS,
    log: [],
  };
  jobs(ctx).set(job.jobId, job);
  return { UserImportJob: jobType(ctx, job) };
}

export function describeUserImportJob(ctx: EmulatorContext, i: Json): Json {
  return { UserImportJob: jobType(ctx, requireJob(ctx, i)) };
}

export function listUserImportJobs(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const max = i.MaxResults;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 60) {
    throw invalidParameter(
      "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60",
    );
  }
  // Newest first, as Cognito lists them.
  const list = [...jobs(ctx).values()]
    .filter((job) => job.poolId === pool.id)
    .sort((a, b) => b.created - a.created);
  return paginate(
    list,
    { ...i, Limit: max },
    60,
    (job) => jobType(ctx, job),
    'UserImportJobs',
    'PaginationToken',
  );
}

export function startUserImportJob(ctx: EmulatorContext, i: Json): Json {
  const job = requireJob(ctx, i);
  if (job.status !== 'Created') {
    throw invalidParameter(`Import job ${job.jobId} is ${job.status} and cannot be started.`);
  }
  if (!job.body) {
    throw new CognitoError(
      'PreconditionNotMetException',
      'No file was uploaded to the import job.',
    );
  }
  job.status = 'Pending';
  job.started = ctx.now();
  setImmediate(() => {
    void runJob(ctx, job);
  });
  return { UserImportJob: jobType(ctx, job) };
}

export function stopUserImportJob(ctx: EmulatorContext, i: Json): Json {
  const job = requireJob(ctx, i);
  if (job.status !== 'Pending' && job.status !== 'InProgress') {
    throw invalidParameter(`Import job ${job.jobId} is ${job.status} and cannot be stopped.`);
  }
  job.status = 'Stopped';
  job.completed = ctx.now();
  job.completionMessage = 'The Import Job was stopped by the developer.';
  return { UserImportJob: jobType(ctx, job) };
}

/** Answer to the upload: S3's status and error code. */
export interface UploadAnswer {
  status: number;
  code?: 'AccessDenied' | 'NoSuchKey' | 'EntityTooLarge';
  message?: string;
}

/** A PUT to a job's pre-signed URL: stores the file when the signature and time are right. */
export function uploadImportFile(
  ctx: EmulatorContext,
  poolId: string,
  jobId: string,
  signature: string,
  body: Buffer,
): UploadAnswer {
  const job = jobs(ctx).get(jobId);
  if (!job || job.poolId !== poolId)
    return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
  const given = Buffer.from(signature);
  const expected = Buffer.from(job.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      status: 403,
      code: 'AccessDenied',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  if (ctx.now() > job.urlExpires)
    return { status: 403, code: 'AccessDenied', message: 'Request has expired' };
  if (job.status !== 'Created')
    return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
  job.body = body;
  return { status: 200 };
}

/** Splits one line of the import dialect: `\,` is a comma inside a value. */
function splitLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (char === '\\' && line[index + 1] === ',') {
      current += ',';
      index += 1;
    } else if (char === ',') {
      fields.push(current);
      current = '';
    } else current += char;
  }
  fields.push(current);
  return fields;
}

const NO_AUTO_VERIFIED =
  'The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).';

/** Why a row cannot be imported, or undefined. */
function rowProblem(pool: PoolRecord, values: Record<string, string>): string | undefined {
  const username = values['cognito:username'] ?? '';
  if (username === '' || /[ \t]/.test(username))
    return 'The username is missing or contains spaces or tabs.';
  const mfa = (values['cognito:mfa_enabled'] ?? '').toLowerCase();
  if (mfa !== 'true' && mfa !== 'false') return 'cognito:mfa_enabled must be true or false.';
  const verified = (name: string) => (values[`${name}_verified`] ?? '').toLowerCase() === 'true';
  if (!pool.autoVerifiedAttributes.some((name) => verified(name) && values[name]))
    return NO_AUTO_VERIFIED;
  for (const attribute of pool.schema) {
    if (attribute.Required && attribute.Name !== 'sub' && !values[attribute.Name]) {
      return `The User Record does not match the schema: ${attribute.Name} is required.`;
    }
  }
  const birthdate = values.birthdate;
  if (birthdate && !/^\d{2}\/\d{2}\/\d{4}$/.test(birthdate))
    return 'birthdate must be in the format mm/dd/yyyy.';
  return undefined;
}

/** Keys of a user's sign-in attributes (email compared without case, as Cognito does). */
function signInKeys(names: readonly string[], attributes: Record<string, string>): string[] {
  return names.flatMap((name) => {
    const value = attributes[name];
    if (!value) return [];
    return [`${name}:${name === 'email' ? value.toLowerCase() : value}`];
  });
}

async function runJob(ctx: EmulatorContext, job: ImportJob): Promise<void> {
  if (job.status !== 'Pending') return;
  job.status = 'InProgress';
  const pool = ctx.state.pools[job.poolId];
  const log = (message: string) => job.log.push({ timestamp: ctx.now(), message });
  const fail = (message: string) => {
    job.status = 'Failed';
    job.completed = ctx.now();
    job.completionMessage = message;
  };
  if (!pool) return fail('The user pool has been deleted.');
  const text = (job.body ?? Buffer.alloc(0)).toString('utf8');
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const header = splitLine(lines[0] ?? '').map((name) => name.trim());
  const known = new Set(csvHeader(pool));
  // Who is there already, indexed once (a lookup per row would scan every user).
  const taken = new Set<string>();
  for (const user of Object.values(pool.users)) {
    taken.add(`u:${user.username}`);
    for (const key of signInKeys(pool.usernameAttributes, user.attributes)) taken.add(key);
  }
  if (!header.includes('cognito:username') || header.some((name) => !known.has(name))) {
    return fail(
      'Amazon Cognito is unable to parse the .csv file: its header does not match GetCSVHeader.',
    );
  }
  for (let index = 1; index < lines.length; index += 1) {
    if ((job.status as JobStatus) === 'Stopped') return;
    if (index % ROWS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const line = lines[index] as string;
    if (line.trim() === '') continue;
    const lineNumber = index + 1;
    const fields = splitLine(line);
    if (fields.length !== header.length) {
      job.failed += 1;
      log(`[FAILED] Line Number ${lineNumber} - The row does not have the columns of the header.`);
      continue;
    }
    const values = Object.fromEntries(header.map((name, i) => [name, (fields[i] ?? '').trim()]));
    const problem = rowProblem(pool, values);
    if (problem) {
      job.failed += 1;
      log(`[FAILED] Line Number ${lineNumber} - ${problem}`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      if (value === '' || name.startsWith('cognito:')) continue;
      if (name === 'birthdate') {
        const [month, day, year] = value.split('/');
        attributes[name] = `${year}-${month}-${day}`;
      } else if (name.endsWith('_verified')) attributes[name] = value.toLowerCase();
      else attributes[name] = value;
    }
    const requested = values['cognito:username'] as string;
    const exists =
      taken.has(`u:${requested}`) ||
      signInKeys(pool.usernameAttributes, attributes).some((key) => taken.has(key));
    if (exists) {
      job.skipped += 1;
      log(`[SKIPPED] Line Number ${lineNumber} - The user already exists.`);
      continue;
    }
    let resolved: { username: string; attributes: Record<string, string> };
    try {
      resolved = resolveNewUsername(pool, requested, attributes);
    } catch (error) {
      job.failed += 1;
      log(
        `[FAILED] Line Number ${lineNumber} - ${error instanceof Error ? error.message : 'invalid user'}`,
      );
      continue;
    }
    const user = newUser(ctx, pool, resolved.username, resolved.attributes, 'RESET_REQUIRED');
    pool.users[user.username] = user;
    taken.add(`u:${requested}`).add(`u:${user.username}`);
    for (const key of signInKeys(pool.usernameAttributes, user.attributes)) taken.add(key);
    ctx.changed();
    job.imported += 1;
    log(`[SUCCEEDED] Line Number ${lineNumber} - The import succeeded.`);
  }
  job.status = 'Succeeded';
  job.completed = ctx.now();
  job.completionMessage = 'Import Job Completed Successfully.';
}

/** CloudWatch Logs' GetLogEvents over the import jobs' logs (`Logs_20140328.GetLogEvents`). */
export function getLogEvents(ctx: EmulatorContext, i: Json): Json {
  const group = String(i.logGroupName ?? '');
  const stream = String(i.logStreamName ?? '');
  const match = /^\/aws\/cognito\/userpools\/([^/]+)\/(.*)$/.exec(group);
  const pool = match ? ctx.state.pools[match[1] as string] : undefined;
  if (!pool || pool.name !== match?.[2]) {
    throw new CognitoError('ResourceNotFoundException', 'The specified log group does not exist.');
  }
  const job = [...jobs(ctx).values()].find(
    (candidate) =>
      candidate.poolId === pool.id && `${candidate.jobId}/${candidate.jobName}` === stream,
  );
  if (!job || job.started === undefined) {
    throw new CognitoError('ResourceNotFoundException', 'The specified log stream does not exist.');
  }
  const limit = typeof i.limit === 'number' && i.limit > 0 ? Math.min(i.limit, 10_000) : 10_000;
  const token = typeof i.nextToken === 'string' ? /^f\/(\d+)$/.exec(i.nextToken) : null;
  if (typeof i.nextToken === 'string' && !token)
    throw invalidParameter('The specified nextToken is invalid.');
  const start = token ? Number(token[1]) : 0;
  const events = job.log.slice(start, start + limit);
  const end = start + events.length;
  return {
    events: events.map((event) => ({ ...event, ingestionTime: event.timestamp })),
    nextForwardToken: `f/${end}`,
    nextBackwardToken: `b/${start}`,
  };
}

/** Whether a user import job of the pool is pending or running (the pool's schema is then fixed). */
export function importJobRunning(ctx: EmulatorContext, poolId: string): boolean {
  for (const job of jobs(ctx).values()) {
    if (job.poolId === poolId && (job.status === 'Pending' || job.status === 'InProgress')) {
      return true;
    }
  }
  return false;
}
