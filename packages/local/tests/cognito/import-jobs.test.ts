/**
 * The user import jobs, identity providers and paging the admin tools use, through the
 * real SDK clients (Cognito and CloudWatch Logs) against the emulator's HTTP face.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CreateGroupCommand,
  CreateIdentityProviderCommand,
  CreateUserImportJobCommand,
  DescribeIdentityProviderCommand,
  DescribeUserImportJobCommand,
  GetCSVHeaderCommand,
  ListIdentityProvidersCommand,
  ListResourceServersCommand,
  ListUserImportJobsCommand,
  ListUserPoolClientsCommand,
  StartUserImportJobCommand,
  StopUserImportJobCommand,
  type UserImportJobType,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failure, type Harness, REGION, startHarness } from './helpers.js';

let h: Harness;
let poolId: string;

beforeEach(async () => {
  h = await startHarness();
  poolId = h.emulator.createUserPool({
    name: 'imports',
    usernameAttributes: ['email'],
    autoVerifiedAttributes: ['email'],
    customAttributes: [{ name: 'tenant', type: 'String', mutable: true }],
  }).id;
});

afterEach(async () => {
  await h.close();
});

const ROLE = 'arn:aws:iam::111122223333:role/CognitoImport';

async function until(jobId: string, done: (job: UserImportJobType) => boolean) {
  for (let i = 0; i < 1000; i += 1) {
    const { UserImportJob: job } = await h.client.send(
      new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: jobId }),
    );
    if (job && done(job)) return job;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('import job did not end');
}

describe('user import jobs', () => {
  it("GetCSVHeader lists the standard columns, the pool's custom attributes, then cognito:mfa_enabled and cognito:username", async () => {
    const { CSVHeader, UserPoolId } = await h.client.send(
      new GetCSVHeaderCommand({ UserPoolId: poolId }),
    );
    expect(UserPoolId).toBe(poolId);
    expect(CSVHeader?.slice(0, 3)).toEqual(['name', 'given_name', 'family_name']);
    expect(CSVHeader?.slice(-3)).toEqual([
      'custom:tenant',
      'cognito:mfa_enabled',
      'cognito:username',
    ]);
    expect(CSVHeader).toContain('phone_number_verified');
  });

  it('imports the uploaded file: RESET_REQUIRED users, skipped existing ones, failed rows, all in the job log', async () => {
    const { CSVHeader = [] } = await h.client.send(new GetCSVHeaderCommand({ UserPoolId: poolId }));
    const row = (values: Record<string, string>) =>
      CSVHeader.map((column) => (values[column] ?? '').replaceAll(',', '\\,')).join(',');
    const user = (email: string, extra: Record<string, string> = {}) =>
      row({
        'cognito:username': email,
        email,
        email_verified: 'TRUE',
        'cognito:mfa_enabled': 'FALSE',
        ...extra,
      });
    const csv = [
      CSVHeader.join(','),
      user('ida@example.com', {
        name: 'Ida, Imported',
        birthdate: '02/01/1985',
        'custom:tenant': 't1',
      }),
      user('ida@example.com'),
      user('nov@example.com', { email_verified: 'false' }),
    ].join('\n');

    const { UserImportJob: created } = await h.client.send(
      new CreateUserImportJobCommand({
        UserPoolId: poolId,
        JobName: 'nightly',
        CloudWatchLogsRoleArn: ROLE,
      }),
    );
    expect(created).toMatchObject({
      Status: 'Created',
      JobName: 'nightly',
      CloudWatchLogsRoleArn: ROLE,
      ImportedUsers: 0,
    });
    const url = created?.PreSignedUrl as string;
    expect(url.startsWith(`${h.endpoint}/_import/`)).toBe(true);

    const forged = await fetch(url.replace(/X-Amz-Signature=\w+/, 'X-Amz-Signature=forged'), {
      method: 'PUT',
      body: csv,
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('<Code>AccessDenied</Code>');
    const early = await failure(
      h.client.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: created?.JobId })),
    );
    expect(early.name).toBe('PreconditionNotMetException');

    const put = await fetch(url, {
      method: 'PUT',
      body: csv,
      headers: { 'x-amz-server-side-encryption': 'aws:kms' },
    });
    expect(put.status).toBe(200);
    const { UserImportJob: started } = await h.client.send(
      new StartUserImportJobCommand({ UserPoolId: poolId, JobId: created?.JobId }),
    );
    expect(started?.Status).toBe('Pending');
    const ended = await until(created?.JobId as string, (job) => job.Status === 'Succeeded');
    expect(ended).toMatchObject({ ImportedUsers: 1, SkippedUsers: 1, FailedUsers: 1 });

    const ida = await h.client.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ida@example.com' }),
    );
    expect(ida.UserStatus).toBe('RESET_REQUIRED');
    expect(ida.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'name', Value: 'Ida, Imported' },
        { Name: 'birthdate', Value: '1985-02-01' },
        { Name: 'custom:tenant', Value: 't1' },
        { Name: 'email_verified', Value: 'true' },
      ]),
    );

    const logs = new CloudWatchLogsClient({
      region: REGION,
      endpoint: h.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { events, nextForwardToken } = await logs.send(
      new GetLogEventsCommand({
        logGroupName: `/aws/cognito/userpools/${poolId}/imports`,
        logStreamName: `${created?.JobId}/nightly`,
        startFromHead: true,
      }),
    );
    expect(events?.map((event) => event.message)).toEqual([
      '[SUCCEEDED] Line Number 2 - The import succeeded.',
      '[SKIPPED] Line Number 3 - The user already exists.',
      '[FAILED] Line Number 4 - The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).',
    ]);
    const more = await logs.send(
      new GetLogEventsCommand({
        logGroupName: `/aws/cognito/userpools/${poolId}/imports`,
        logStreamName: `${created?.JobId}/nightly`,
        nextToken: nextForwardToken,
      }),
    );
    expect(more.events).toEqual([]);
    const missing = await failure(
      logs.send(
        new GetLogEventsCommand({
          logGroupName: '/aws/cognito/userpools/nope/x',
          logStreamName: 'a/b',
        }),
      ),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
    logs.destroy();

    const listed = await h.client.send(
      new ListUserImportJobsCommand({ UserPoolId: poolId, MaxResults: 10 }),
    );
    expect(listed.UserImportJobs?.map((job) => job.JobId)).toEqual([created?.JobId]);
  });

  it('answers Cognito errors for a bad role, an unknown job, and stopping a job that is not running', async () => {
    const badRole = await failure(
      h.client.send(
        new CreateUserImportJobCommand({
          UserPoolId: poolId,
          JobName: 'x',
          CloudWatchLogsRoleArn: 'role',
        }),
      ),
    );
    expect(badRole.name).toBe('InvalidParameterException');
    const unknown = await failure(
      h.client.send(new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: 'import-nope' })),
    );
    expect(unknown.name).toBe('ResourceNotFoundException');
    const { UserImportJob } = await h.client.send(
      new CreateUserImportJobCommand({
        UserPoolId: poolId,
        JobName: 'x',
        CloudWatchLogsRoleArn: ROLE,
      }),
    );
    const stop = await failure(
      h.client.send(
        new StopUserImportJobCommand({ UserPoolId: poolId, JobId: UserImportJob?.JobId }),
      ),
    );
    expect(stop.name).toBe('InvalidParameterException');
  });
});

describe('pool resources the admin tools read', () => {
  it('creates, describes and lists identity providers, refusing a duplicate name', async () => {
    await h.client.send(
      new CreateIdentityProviderCommand({
        UserPoolId: poolId,
        ProviderName: 'Google',
        ProviderType: 'Google',
        ProviderDetails: { client_id: 'id', client_secret: 'secret', authorize_scopes: 'email' },
        AttributeMapping: { email: 'email' },
      }),
    );
    const { IdentityProvider } = await h.client.send(
      new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Google' }),
    );
    expect(IdentityProvider).toMatchObject({
      ProviderName: 'Google',
      ProviderType: 'Google',
      ProviderDetails: { client_id: 'id', client_secret: 'secret', authorize_scopes: 'email' },
      AttributeMapping: { email: 'email' },
    });
    const { Providers } = await h.client.send(
      new ListIdentityProvidersCommand({ UserPoolId: poolId }),
    );
    expect(Providers?.map((p) => p.ProviderName)).toEqual(['Google']);
    const duplicate = await failure(
      h.client.send(
        new CreateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Google',
          ProviderType: 'Google',
          ProviderDetails: {},
        }),
      ),
    );
    expect(duplicate.name).toBe('DuplicateProviderException');
    const gone = await failure(
      h.client.send(
        new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Nope' }),
      ),
    );
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  it('pages ListResourceServers, ListUserPoolClients and AdminListGroupsForUser', async () => {
    for (const identifier of ['a', 'b', 'c'])
      h.emulator.createResourceServer(poolId, { identifier, scopes: ['read'] });
    const first = await h.client.send(
      new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 2 }),
    );
    expect(first.ResourceServers?.map((s) => s.Identifier)).toEqual(['a', 'b']);
    const second = await h.client.send(
      new ListResourceServersCommand({
        UserPoolId: poolId,
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    );
    expect(second).toMatchObject({
      ResourceServers: [{ Identifier: 'c', Scopes: [{ ScopeName: 'read' }] }],
    });
    expect(second.NextToken).toBeUndefined();

    for (const name of ['one', 'two']) h.emulator.createUserPoolClient(poolId, { name });
    const clients = await h.client.send(
      new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 1 }),
    );
    expect(clients.UserPoolClients).toHaveLength(1);
    expect(clients.NextToken).toEqual(expect.any(String));

    const user = await h.emulator.seedUser(poolId, 'g@example.com', 'Correct-Horse-9', {
      email: 'g@example.com',
    });
    for (const GroupName of ['g1', 'g2', 'g3']) {
      await h.client.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName }));
      await h.client.send(
        new AdminAddUserToGroupCommand({ UserPoolId: poolId, GroupName, Username: user.username }),
      );
    }
    const page = await h.client.send(
      new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: user.username, Limit: 2 }),
    );
    expect(page.Groups).toHaveLength(2);
    const rest = await h.client.send(
      new AdminListGroupsForUserCommand({
        UserPoolId: poolId,
        Username: user.username,
        Limit: 2,
        NextToken: page.NextToken,
      }),
    );
    expect(rest.Groups).toHaveLength(1);
    expect(rest.NextToken).toBeUndefined();
  });
});
