/**
 * Every command end to end against a local stack started here, with the real SDK
 * client: seed a pool, export, back up, reset the stack (a new, empty pool), restore,
 * export again, and compare; restore again (nothing changes); import jobs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateIdentityProviderCommand,
  GetCSVHeaderCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { UserRecord } from '../../src/user-record.js';
import { startTestStack, type TestStack, users } from './helpers.js';

let test: TestStack;
const file = (name: string) => join(test.workDir, name);
const PEOPLE = ['ada', 'grace', 'alan', 'edsger', 'barbara'];

async function seed() {
  const { client } = test;
  const UserPoolId = test.stack.outputs.userPoolId;
  await client.send(
    new CreateGroupCommand({
      UserPoolId,
      GroupName: 'auditors',
      Description: 'read the audit',
      Precedence: 5,
    }),
  );
  await client.send(
    new CreateIdentityProviderCommand({
      UserPoolId,
      ProviderName: 'Corp',
      ProviderType: 'SAML',
      ProviderDetails: { MetadataURL: 'https://idp.example.com/metadata' },
      AttributeMapping: {
        email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      },
    }),
  );
  await client.send(
    new CreateIdentityProviderCommand({
      UserPoolId,
      ProviderName: 'Google',
      ProviderType: 'Google',
      ProviderDetails: {
        client_id: 'google-client',
        client_secret: 'google-secret-value',
        authorize_scopes: 'email',
      },
    }),
  );
  for (const [index, name] of PEOPLE.entries()) {
    const email = `${name}@example.com`;
    const created = await client.send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'custom:tenant_id', Value: `tenant-${index % 2}` },
          { Name: 'name', Value: `${name}, the first` },
        ],
      }),
    );
    const username = created.User?.Username as string;
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId,
        Username: username,
        Password: `Pw-${name}-0123!`,
        Permanent: true,
      }),
    );
    if (index % 2 === 0)
      await client.send(
        new AdminAddUserToGroupCommand({ UserPoolId, Username: username, GroupName: 'auditors' }),
      );
    if (index === 4)
      await client.send(new AdminDisableUserCommand({ UserPoolId, Username: username }));
  }
}

/** An export's users, without what a restore cannot keep: ids, dates, the password state. */
function comparable(path: string) {
  const { users: list } = JSON.parse(readFileSync(path, 'utf8')) as { users: UserRecord[] };
  return list
    .map(
      ({
        username: _u,
        created: _c,
        modified: _m,
        status: _s,
        attributes: { sub: _sub, ...attributes },
        ...rest
      }) => ({
        ...rest,
        attributes,
      }),
    )
    .sort((a, b) => String(a.attributes.email).localeCompare(String(b.attributes.email)));
}

beforeAll(async () => {
  test = await startTestStack();
  await seed();
});

afterAll(async () => {
  await test?.cleanup();
});

describe('authwatch-users against the local stack', () => {
  it('exports, backs up, restores into the reset stack, and exports the same users again', async () => {
    const first = await users(test, 'export', '--format', 'json', '--out', file('before.json'));
    expect(first).toMatchObject({
      code: 0,
      err: [expect.stringMatching(/^exported \d+ users from local stack pool /)],
    });
    const backup = await users(test, 'backup', file('pool.json'));
    expect(backup.code).toBe(0);
    expect(backup.err).toEqual([
      expect.stringMatching(
        /: \d+ users, \d+ groups, \d+ app clients, 1 resource servers, 2 identity providers$/,
      ),
    ]);
    const text = readFileSync(file('pool.json'), 'utf8');
    expect(text).not.toContain('google-secret-value');
    expect(text).not.toContain(test.stack.outputs.machineClientSecret);
    expect(text).not.toMatch(/Pw-[a-z]+-0123!/);

    const before = test.stack.outputs.userPoolId;
    await test.reset();
    expect(test.stack.outputs.userPoolId).not.toBe(before);

    const restored = await users(test, 'restore', file('pool.json'));
    expect(restored.code).toBe(0);
    expect(restored.err).toEqual([
      'not restored: identity provider Google: needs client_secret (pass --idp-secrets)',
      expect.stringMatching(
        /^restored .*pool\.json into .*: created 1 identity providers, 1 groups, 5 users, 3 memberships, 1 disabled users; already there 1 resource servers, \d+ app clients, \d+ groups, \d+ users, \d+ memberships$/,
      ),
    ]);

    const second = await users(test, 'export', '--format', 'json', '--out', file('after.json'));
    expect(second.code).toBe(0);
    expect(comparable(file('after.json'))).toEqual(comparable(file('before.json')));
    // The restored users have no password: the old one no longer signs in, a reset is required.
    const after = JSON.parse(readFileSync(file('after.json'), 'utf8')) as { users: UserRecord[] };
    const ada = after.users.find((user) => user.attributes.email === 'ada@example.com');
    expect(ada?.status).toBe('RESET_REQUIRED');
    await expect(
      test.client.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          // The local-only password client: the web client, as deployed, has no such flow.
          ClientId: test.stack.outputs.passwordClientId,
          AuthParameters: { USERNAME: 'ada@example.com', PASSWORD: 'Pw-ada-0123!' },
        }),
      ),
    ).rejects.toMatchObject({
      name: expect.stringMatching(/^(NotAuthorized|PasswordResetRequired)Exception$/),
    });
  });

  it('changes nothing when the same backup is restored a second time', async () => {
    const again = await users(test, 'restore', file('pool.json'));
    expect(again.code).toBe(0);
    expect(again.err.at(-1)).toMatch(/: created nothing; already there /);
  });

  it('restores into a new pool, created once: a second run uses the same pool', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    const first = await users(test, 'restore', file('pool.json'), '--new-pool', 'authwatch-copy');
    expect(first.code).toBe(0);
    const created = /^created user pool (\S+) \(authwatch-copy\)$/.exec(first.err[0] ?? '');
    const poolId = created?.[1] as string;
    expect(poolId).toMatch(/^eu-west-1_\w+$/);
    expect(first.err.at(-1)).toMatch(
      /created .*1 resource servers, 1 identity providers, \d+ app clients, \d+ groups, \d+ users/,
    );
    const again = await users(test, 'restore', file('pool.json'), '--new-pool', 'authwatch-copy');
    expect(again.err.at(-1)).toMatch(new RegExp(`into ${poolId}: created nothing; already there`));

    const real = ['--user-pool-id', poolId, '--endpoint', test.stack.outputs.endpoint];
    const exported = await users(
      test,
      ...real,
      'export',
      '--format',
      'json',
      '--out',
      file('copy.json'),
    );
    expect(exported.code).toBe(0);
    const seeded = comparable(file('before.json')).filter((user) =>
      PEOPLE.some((name) => user.attributes.email === `${name}@example.com`),
    );
    const copied = comparable(file('copy.json')).filter((user) =>
      PEOPLE.some((name) => user.attributes.email === `${name}@example.com`),
    );
    expect(copied).toEqual(seeded);
  });

  it('writes CSV with a header and one row per user', async () => {
    const result = await users(test, 'export');
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(lines[0]).toMatch(
      /^username,status,enabled,created,modified,mfa_enabled,mfa_preferred,groups,/,
    );
    const before = JSON.parse(readFileSync(file('before.json'), 'utf8')) as { users: unknown[] };
    expect(lines).toHaveLength(before.users.length + 1);
  });

  it('imports a CSV through an import job, printing the rows the job skipped', async () => {
    const { CSVHeader } = await test.client.send(
      new GetCSVHeaderCommand({ UserPoolId: test.stack.outputs.userPoolId }),
    );
    const header = CSVHeader as string[];
    const row = (values: Record<string, string>) =>
      header.map((column) => (values[column] ?? '').replaceAll(',', '\\,')).join(',');
    const person = (email: string) => ({
      'cognito:username': email,
      email,
      email_verified: 'true',
      'cognito:mfa_enabled': 'false',
      name: 'Imported, Person',
    });
    const csv = [
      header.join(','),
      row(person('ida@example.com')),
      row(person('ken@example.com')),
      row(person('ada@example.com')),
    ].join('\n');
    writeFileSync(file('import.csv'), `${csv}\n`);

    const dry = await users(test, 'import', file('import.csv'), '--dry-run');
    expect(dry).toMatchObject({
      code: 0,
      err: [
        expect.stringMatching(
          /import\.csv: 3 users valid for local stack pool .*; dry run, nothing uploaded$/,
        ),
      ],
    });

    const result = await users(test, 'import', file('import.csv'));
    expect(result.err.slice(1)).toEqual([
      `${file('import.csv')}:4: SKIPPED ada@example.com: The user already exists.`,
      expect.stringMatching(/^import job import-\w+ Succeeded: 2 imported, 1 skipped, 0 failed/),
    ]);
    expect(result.code).toBe(0);
    const ida = await test.client.send(
      new AdminGetUserCommand({
        UserPoolId: test.stack.outputs.userPoolId,
        Username: 'ida@example.com',
      }),
    );
    expect(ida.UserStatus).toBe('RESET_REQUIRED');
    expect(ida.UserAttributes).toContainEqual({ Name: 'name', Value: 'Imported, Person' });
  });

  it('uploads nothing when a row is wrong, naming each line', async () => {
    writeFileSync(
      file('bad.csv'),
      readFileSync(file('import.csv'), 'utf8').replace(
        'ken@example.com,true',
        'ken-at-example,true',
      ),
    );
    const result = await users(test, 'import', file('bad.csv'));
    expect(result.code).toBe(2);
    expect(result.err).toEqual([
      `${file('bad.csv')}:3: bad email format "ken-at-example"`,
      `authwatch-users: ${file('bad.csv')}: 1 problem(s) on 1 line(s); nothing was uploaded`,
    ]);
  });

  it('exits 1 with one line for a pool that does not exist', async () => {
    // A real pool is reached with the usual credentials; the local endpoint takes any.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    const result = await users(
      test,
      '--user-pool-id',
      'eu-west-1_Nope1',
      '--endpoint',
      test.stack.outputs.endpoint,
      'export',
    );
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      'authwatch-users: DescribeUserPool: not found (User pool eu-west-1_Nope1 does not exist.)',
    ]);
  });
});
