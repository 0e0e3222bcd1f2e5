import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CognitoIdentityProviderClient,
  CreateUserImportJobCommand,
  DescribeUserImportJobCommand,
  DescribeUserPoolCommand,
  GetCSVHeaderCommand,
  StartUserImportJobCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { importUsers } from '../../src/import-job.js';
import { silentProgress } from '../../src/progress.js';
import { PoolApi } from '../../src/throttle.js';
import { CSV_HEADER, GOOD, importFile, POOL } from './helpers.js';

const cognito = mockClient(CognitoIdentityProviderClient);
const logs = mockClient(CloudWatchLogsClient);
const POOL_ID = POOL.Id as string;
const ROLE = 'arn:aws:iam::111122223333:role/authwatch-user-import';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'users-import-')), 'users.csv');
  writeFileSync(path, text);
  return path;
}

function run(path: string, dryRun = false) {
  const uploads: { url: string; body: string }[] = [];
  const sleeps: number[] = [];
  const api = new PoolApi(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), {
    share: Infinity,
    sleep: async () => undefined,
  });
  const result = importUsers(api, new CloudWatchLogsClient({ region: 'eu-west-1' }), POOL_ID, {
    file: path,
    dryRun,
    roleArn: ROLE,
    jobName: 'nightly',
    progress: silentProgress,
    out: () => undefined,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    upload: async (url, body) => {
      uploads.push({ url, body: body.toString('utf8') });
    },
  });
  return { result, uploads, sleeps };
}

describe('importUsers', () => {
  beforeEach(() => {
    cognito.reset();
    logs.reset();
    cognito.on(GetCSVHeaderCommand).resolves({ UserPoolId: POOL_ID, CSVHeader: CSV_HEADER });
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: POOL });
    cognito.on(CreateUserImportJobCommand).resolves({
      UserImportJob: {
        JobId: 'import-abc',
        JobName: 'nightly',
        Status: 'Created',
        PreSignedUrl: 'https://upload.example/abc',
      },
    });
    cognito
      .on(StartUserImportJobCommand)
      .resolves({ UserImportJob: { JobId: 'import-abc', Status: 'Pending' } });
  });

  it('uploads nothing and creates no job while a row is wrong, and reports every bad row', async () => {
    const { result, uploads } = run(
      file(importFile([GOOD, { ...GOOD, 'cognito:username': 'x', email: 'bad' }])),
    );
    const { validation, job } = await result;
    expect(validation.problems).toEqual([{ line: 3, message: 'bad email format "bad"' }]);
    expect(job).toBeUndefined();
    expect(uploads).toEqual([]);
    expect(cognito.commandCalls(CreateUserImportJobCommand)).toHaveLength(0);
  });

  it('stops after the validation on a dry run', async () => {
    const { result, uploads } = run(file(importFile([GOOD])), true);
    expect((await result).validation.valid).toBe(1);
    expect(uploads).toEqual([]);
    expect(cognito.commandCalls(CreateUserImportJobCommand)).toHaveLength(0);
  });

  it('creates the job with the role, uploads the file to the pre-signed URL, starts it and polls it to the end', async () => {
    cognito
      .on(DescribeUserImportJobCommand)
      .resolvesOnce({
        UserImportJob: { JobId: 'import-abc', Status: 'InProgress', ImportedUsers: 1 },
      })
      .resolves({
        UserImportJob: {
          JobId: 'import-abc',
          Status: 'Succeeded',
          ImportedUsers: 1,
          FailedUsers: 1,
          SkippedUsers: 1,
        },
      });
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({
        events: [
          { message: '[SUCCEEDED] Line Number 2 - The import succeeded.' },
          {
            message:
              '[FAILED] Line Number 3 - The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).',
          },
          { message: '[SKIPPED] Line Number 4 - The user already exists.' },
        ],
        nextForwardToken: 'f/1',
      })
      .resolves({ events: [], nextForwardToken: 'f/1' });
    const text = importFile([
      GOOD,
      { ...GOOD, 'cognito:username': 'bob', email: 'bob@example.com' },
      { ...GOOD, 'cognito:username': 'carol', email: 'carol@example.com' },
    ]);
    const { result, uploads, sleeps } = run(file(text));
    const { job, failedRows } = await result;
    expect(cognito.commandCalls(CreateUserImportJobCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL_ID,
      JobName: 'nightly',
      CloudWatchLogsRoleArn: ROLE,
    });
    expect(uploads).toEqual([{ url: 'https://upload.example/abc', body: text }]);
    expect(cognito.commandCalls(StartUserImportJobCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL_ID,
      JobId: 'import-abc',
    });
    expect(sleeps).toEqual([2000]);
    expect(job?.Status).toBe('Succeeded');
    expect(logs.commandCalls(GetLogEventsCommand)[0]?.args[0].input).toMatchObject({
      logGroupName: `/aws/cognito/userpools/${POOL_ID}/authwatch-test`,
      logStreamName: 'import-abc/nightly',
    });
    expect(failedRows).toEqual([
      {
        line: 3,
        username: 'bob',
        status: 'FAILED',
        reason:
          'The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).',
      },
      { line: 4, username: 'carol', status: 'SKIPPED', reason: 'The user already exists.' },
    ]);
  });

  it('names a file that does not exist', async () => {
    await expect(run('/nonexistent/users.csv').result).rejects.toThrow(
      'cannot read /nonexistent/users.csv: no such file',
    );
  });
});
