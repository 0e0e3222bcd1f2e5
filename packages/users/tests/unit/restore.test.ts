import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateIdentityProviderCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListGroupsCommand,
  ListIdentityProvidersCommand,
  ListResourceServersCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_FORMAT, type Backup } from '../../src/backup-file.js';
import { silentProgress } from '../../src/progress.js';
import { journalPath, restorePool } from '../../src/restore.js';
import { PoolApi } from '../../src/throttle.js';

const cognito = mockClient(CognitoIdentityProviderClient);
const TARGET = 'eu-west-1_Target1';

const BACKUP: Backup = {
  format: BACKUP_FORMAT,
  version: 1,
  createdAt: '2026-12-06T00:00:00.000Z',
  source: { userPoolId: 'eu-west-1_Source1', region: 'eu-west-1' },
  pool: {
    Name: 'source',
    UsernameAttributes: ['email'],
    AutoVerifiedAttributes: ['email'],
    SchemaAttributes: [
      { Name: 'sub', Required: true },
      { Name: 'email', Required: true },
      { Name: 'custom:tenant', AttributeDataType: 'String' },
    ],
    LambdaConfig: { PreSignUp: 'arn:aws:lambda:eu-west-1:111122223333:function:x' },
  },
  clients: [
    { ClientName: 'web', hadSecret: false, ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] },
    { ClientName: 'machine', hadSecret: true, AllowedOAuthFlows: ['client_credentials'] },
  ],
  groups: [{ GroupName: 'admins', Precedence: 1 }],
  resourceServers: [
    { Identifier: 'api', Name: 'api', Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }] },
  ],
  identityProviders: [
    {
      ProviderName: 'Google',
      ProviderType: 'Google',
      ProviderDetails: { client_id: 'x' },
      removedSecrets: ['client_secret'],
    },
    {
      ProviderName: 'Corp',
      ProviderType: 'SAML',
      ProviderDetails: { MetadataURL: 'https://idp.example/m' },
      removedSecrets: [],
    },
  ],
  users: [
    user('a', { enabled: false, groups: ['admins'] }),
    user('b', {}),
    user('Google_123', { status: 'EXTERNAL_PROVIDER' }),
  ],
};

function user(name: string, overrides: Partial<Backup['users'][number]>): Backup['users'][number] {
  return {
    username: `uuid-${name}`,
    status: 'CONFIRMED',
    enabled: true,
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    attributes: {
      sub: `uuid-${name}`,
      email: `${name}@example.com`,
      email_verified: 'true',
      'custom:tenant': 't1',
    },
    mfa: { enabled: [] },
    groups: [],
    ...overrides,
  };
}

function backupFile(backup: Backup = BACKUP): string {
  const file = join(mkdtempSync(join(tmpdir(), 'users-restore-')), 'pool.json');
  writeFileSync(file, JSON.stringify(backup));
  return file;
}

function emptyTarget() {
  cognito
    .on(DescribeUserPoolCommand)
    .resolves({ UserPool: { Id: TARGET, Name: 'target', UsernameAttributes: ['email'] } });
  cognito.on(ListResourceServersCommand).resolves({ ResourceServers: [] });
  cognito.on(ListIdentityProvidersCommand).resolves({ Providers: [] });
  cognito.on(ListUserPoolClientsCommand).resolves({ UserPoolClients: [] });
  cognito.on(ListGroupsCommand).resolves({ Groups: [] });
  cognito.on(ListUsersCommand).resolves({ Users: [] });
  cognito.on(ListUsersInGroupCommand).resolves({ Users: [] });
  cognito
    .on(AdminCreateUserCommand)
    .callsFake((input: { Username: string }) => ({ User: { Username: `new-${input.Username}` } }));
}

const api = () =>
  new PoolApi(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), {
    share: Infinity,
    sleep: async () => undefined,
  });

const run = (file: string, extra: Partial<Parameters<typeof restorePool>[1]> = {}) =>
  restorePool(api(), {
    file,
    backup: JSON.parse(readFileSync(file, 'utf8')) as Backup,
    userPoolId: TARGET,
    userState: 'reset-required',
    progress: silentProgress,
    out: () => undefined,
    concurrency: 1,
    ...extra,
  });

describe('restorePool', () => {
  beforeEach(() => cognito.reset());

  it('creates what the pool lacks: resource servers, the SAML IdP, clients, groups, users with a required reset, memberships, disabled users', async () => {
    emptyTarget();
    const file = backupFile();
    const summary = await run(file);
    expect(summary.created).toEqual({
      'resource servers': 1,
      'identity providers': 1,
      'app clients': 2,
      groups: 1,
      users: 2,
      memberships: 1,
      'disabled users': 1,
    });
    expect(summary.skipped).toEqual([
      'identity provider Google: needs client_secret (pass --idp-secrets)',
      'user uuid-Google_123: federated, comes back at the next sign-in through its provider',
    ]);
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: TARGET,
      Username: 'a@example.com',
      UserAttributes: [
        { Name: 'email', Value: 'a@example.com' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tenant', Value: 't1' },
      ],
      MessageAction: 'SUPPRESS',
    });
    const setPassword = cognito.commandCalls(AdminSetUserPasswordCommand)[0]?.args[0].input;
    expect(setPassword).toMatchObject({ Username: 'new-a@example.com', Permanent: true });
    expect(setPassword?.Password).toMatch(/^.{36}$/);
    expect(cognito.commandCalls(AdminResetUserPasswordCommand)).toHaveLength(2);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input).toEqual({
      UserPoolId: TARGET,
      GroupName: 'admins',
      Username: 'new-a@example.com',
    });
    expect(cognito.commandCalls(AdminDisableUserCommand)[0]?.args[0].input.Username).toBe(
      'new-a@example.com',
    );
    expect(cognito.commandCalls(CreateUserPoolClientCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        ClientName: 'web',
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
      }),
      expect.objectContaining({ ClientName: 'machine', GenerateSecret: true }),
    ]);
    expect(cognito.commandCalls(CreateIdentityProviderCommand)[0]?.args[0].input.ProviderName).toBe(
      'Corp',
    );
    expect(existsSync(journalPath(file))).toBe(false);
  });

  it('reports a client the target pool refuses and goes on with the rest', async () => {
    emptyTarget();
    cognito.on(CreateUserPoolClientCommand, { ClientName: 'web' }).rejects(
      Object.assign(new Error('CallbackURLs must be provided for the code and implicit flows'), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const summary = await run(backupFile());
    expect(summary.skipped[1]).toBe(
      'app client web: refused by the pool (CallbackURLs must be provided for the code and implicit flows)',
    );
    expect(summary.created).toMatchObject({ 'app clients': 1, users: 2 });
  });

  it('asks for a mailed temporary password when the admin chooses it', async () => {
    emptyTarget();
    await run(backupFile(), { userState: 'temporary-password' });
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toMatchObject({
      DesiredDeliveryMediums: ['EMAIL'],
    });
    expect(cognito.commandCalls(AdminSetUserPasswordCommand)).toHaveLength(0);
  });

  it('creates nothing for what is there already (a second run changes nothing)', async () => {
    emptyTarget();
    cognito.on(ListResourceServersCommand).resolves({ ResourceServers: [{ Identifier: 'api' }] });
    cognito
      .on(ListIdentityProvidersCommand)
      .resolves({ Providers: [{ ProviderName: 'Corp' }, { ProviderName: 'Google' }] });
    cognito
      .on(ListUserPoolClientsCommand)
      .resolves({ UserPoolClients: [{ ClientName: 'web' }, { ClientName: 'machine' }] });
    cognito.on(ListGroupsCommand).resolves({ Groups: [{ GroupName: 'admins' }] });
    cognito.on(ListUsersCommand).resolves({
      Users: [
        {
          Username: 'x-1',
          Enabled: false,
          Attributes: [{ Name: 'email', Value: 'A@example.com' }],
        },
        { Username: 'x-2', Enabled: true, Attributes: [{ Name: 'email', Value: 'b@example.com' }] },
      ],
    });
    cognito.on(ListUsersInGroupCommand).resolves({ Users: [{ Username: 'x-1' }] });
    const summary = await run(backupFile());
    expect(summary.created).toEqual({});
    for (const command of [
      CreateResourceServerCommand,
      CreateIdentityProviderCommand,
      CreateUserPoolClientCommand,
      CreateGroupCommand,
      AdminCreateUserCommand,
      AdminAddUserToGroupCommand,
      AdminDisableUserCommand,
    ]) {
      expect(cognito.commandCalls(command as never)).toHaveLength(0);
    }
  });

  it('creates a new pool once: an interrupted restore resumes into the pool it created', async () => {
    emptyTarget();
    cognito.on(ListUserPoolsCommand).resolves({ UserPools: [] });
    cognito.on(CreateUserPoolCommand).resolves({ UserPool: { Id: 'eu-west-1_Created1' } });
    cognito
      .on(CreateGroupCommand)
      .rejects(Object.assign(new Error('boom'), { name: 'InternalErrorException', $metadata: {} }));
    const file = backupFile();
    await expect(run(file, { newPool: 'copy' })).rejects.toThrow('CreateGroup failed');
    const journal = JSON.parse(readFileSync(journalPath(file), 'utf8'));
    expect(journal).toMatchObject({
      userPoolId: 'eu-west-1_Created1',
      done: ['resource-servers', 'identity-providers', 'clients'],
    });
    expect(cognito.commandCalls(CreateUserPoolCommand)[0]?.args[0].input).toEqual({
      PoolName: 'copy',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Schema: [
        { Name: 'email', Required: true },
        { Name: 'tenant', AttributeDataType: 'String' },
      ],
    });

    cognito.on(CreateGroupCommand).resolves({});
    const lines: string[] = [];
    const summary = await run(file, { newPool: 'copy', out: (line) => lines.push(line) });
    expect(summary).toMatchObject({ userPoolId: 'eu-west-1_Created1', resumed: true });
    expect(cognito.commandCalls(CreateUserPoolCommand)).toHaveLength(1);
    expect(cognito.commandCalls(CreateResourceServerCommand)).toHaveLength(1);
    expect(lines).toEqual([
      'resuming the restore into eu-west-1_Created1 (done: resource-servers, identity-providers, clients)',
    ]);
    expect(existsSync(journalPath(file))).toBe(false);
  });

  it('refuses a journal left by another backup file', async () => {
    emptyTarget();
    const file = backupFile();
    writeFileSync(
      journalPath(file),
      JSON.stringify({ backupSha256: 'other', userPoolId: TARGET, done: [] }),
    );
    await expect(run(file)).rejects.toThrow(`${journalPath(file)} belongs to another backup file`);
  });
});
