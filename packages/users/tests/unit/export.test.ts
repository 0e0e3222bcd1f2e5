import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { exportUsers } from '../../src/export.js';
import { silentProgress } from '../../src/progress.js';
import { PoolApi } from '../../src/throttle.js';
import { POOL } from './helpers.js';

const cognito = mockClient(CognitoIdentityProviderClient);
const POOL_ID = POOL.Id as string;
const created = new Date('2026-01-02T03:04:05Z');

function user(n: number): UserType {
  return {
    Username: `user-${n}`,
    Attributes: [
      { Name: 'sub', Value: `sub-${n}` },
      { Name: 'email', Value: `user-${n}@example.com` },
      { Name: 'email_verified', Value: 'true' },
    ],
    UserCreateDate: created,
    UserLastModifiedDate: created,
    Enabled: n !== 2,
    UserStatus: 'CONFIRMED',
  };
}

function api() {
  return new PoolApi(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), {
    share: Infinity,
    sleep: async () => undefined,
  });
}

describe('exportUsers', () => {
  beforeEach(() => {
    cognito.reset();
    cognito
      .on(DescribeUserPoolCommand)
      .resolves({ UserPool: { ...POOL, EstimatedNumberOfUsers: 3 } });
    cognito
      .on(ListUsersCommand, { UserPoolId: POOL_ID, PaginationToken: undefined })
      .resolves({ Users: [user(1), user(2)], PaginationToken: 'page-2' })
      .on(ListUsersCommand, { UserPoolId: POOL_ID, PaginationToken: 'page-2' })
      .resolves({ Users: [user(3)] });
    // user-1 is in three groups over two pages of AdminListGroupsForUser.
    cognito
      .on(AdminListGroupsForUserCommand)
      .resolves({ Groups: [] })
      .on(AdminListGroupsForUserCommand, { Username: 'user-1', NextToken: undefined })
      .resolves({ Groups: [{ GroupName: 'staff' }, { GroupName: 'admins' }], NextToken: 'g2' })
      .on(AdminListGroupsForUserCommand, { Username: 'user-1', NextToken: 'g2' })
      .resolves({ Groups: [{ GroupName: 'a,b "quoted"' }] });
    cognito
      .on(AdminGetUserCommand)
      .resolves({ UserMFASettingList: [] })
      .on(AdminGetUserCommand, { Username: 'user-3' })
      .resolves({
        UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
        PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
      });
  });

  it('pages through every user and every group page, writing JSON with the count and no password', async () => {
    let text = '';
    const { count } = await exportUsers(api(), POOL_ID, {
      format: 'json',
      write: (chunk) => {
        text += chunk;
      },
      progress: silentProgress,
      now: () => new Date('2026-12-06T00:00:00Z'),
    });
    expect(count).toBe(3);
    const parsed = JSON.parse(text);
    expect(parsed).toMatchObject({
      format: 'authwatch-users-export',
      version: 1,
      userPoolId: POOL_ID,
    });
    expect(parsed.users).toEqual([
      {
        username: 'user-1',
        status: 'CONFIRMED',
        enabled: true,
        created: '2026-01-02T03:04:05.000Z',
        modified: '2026-01-02T03:04:05.000Z',
        attributes: { sub: 'sub-1', email: 'user-1@example.com', email_verified: 'true' },
        mfa: { enabled: [] },
        groups: ['a,b "quoted"', 'admins', 'staff'],
      },
      expect.objectContaining({ username: 'user-2', enabled: false, groups: [] }),
      expect.objectContaining({
        username: 'user-3',
        mfa: { enabled: ['SOFTWARE_TOKEN_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' },
      }),
    ]);
    expect(text.toLowerCase()).not.toContain('password"');
    expect(cognito.commandCalls(ListUsersCommand).map((call) => call.args[0].input.Limit)).toEqual([
      60, 60,
    ]);
  });

  it('writes CSV with one column per schema attribute, read back by a CSV parser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'users-export-'));
    const file = join(dir, 'users.csv');
    await exportUsers(api(), POOL_ID, { format: 'csv', file, progress: silentProgress });
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'username',
      'status',
      'enabled',
      'created',
      'modified',
      'mfa_enabled',
      'mfa_preferred',
      'groups',
      'sub',
      'email',
      'email_verified',
      'phone_number',
      'custom:tenant',
    ]);
    expect(rows.map((row) => row.username)).toEqual(['user-1', 'user-2', 'user-3']);
    expect(JSON.parse(rows[0]?.groups ?? '')).toEqual(['a,b "quoted"', 'admins', 'staff']);
    expect(rows[1]?.enabled).toBe('false');
    // Written under a temporary name, then renamed: only the finished file is there.
    expect(readdirSync(dir)).toEqual(['users.csv']);
  });

  it('leaves no half-written file when a call fails midway', async () => {
    cognito.on(ListUsersCommand, { UserPoolId: POOL_ID, PaginationToken: 'page-2' }).rejects(
      Object.assign(new Error('Internal error'), {
        name: 'InternalErrorException',
        $metadata: {},
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'users-export-'));
    await expect(
      exportUsers(api(), POOL_ID, {
        format: 'json',
        file: join(dir, 'u.json'),
        progress: silentProgress,
      }),
    ).rejects.toThrow('ListUsers failed: InternalErrorException: Internal error');
    expect(readdirSync(dir)).toEqual([]);
  });
});
