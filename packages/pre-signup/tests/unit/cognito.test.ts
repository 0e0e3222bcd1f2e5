import {
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserStatusType,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cognitoDirectory, filterValue, isNativeVerified } from '../../src/cognito.js';

const POOL = 'us-east-1_EXAMPLE1a';
const cognito = mockClient(CognitoIdentityProviderClient);
const directory = cognitoDirectory(new CognitoIdentityProviderClient({ region: 'us-east-1' }));
const deadline = () => Date.now() + 2_000;

function user(
  name: string,
  attributes: Record<string, string>,
  status: UserStatusType = 'CONFIRMED',
  created = '2026-01-01T00:00:00Z',
): UserType {
  return {
    Username: name,
    UserStatus: status,
    Enabled: true,
    UserCreateDate: new Date(created),
    Attributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  };
}

const VERIFIED = { email: 'user.one@example.com', email_verified: 'true' };

beforeEach(() => {
  cognito.reset();
});

describe('filterValue', () => {
  it('quotes a value and escapes quotes and backslashes', () => {
    expect(filterValue('user@example.com')).toBe('"user@example.com"');
    expect(filterValue('a"b\\c@example.com')).toBe('"a\\"b\\\\c@example.com"');
  });
});

describe('isNativeVerified', () => {
  it('accepts a confirmed native user with this verified email, in any case', () => {
    expect(isNativeVerified(user('u1', VERIFIED), 'User.One@Example.com')).toBe(true);
  });

  it.each([
    ['an external user', user('Google_1', VERIFIED, 'EXTERNAL_PROVIDER')],
    ['an unverified email', user('u1', { ...VERIFIED, email_verified: 'false' })],
    ['another email', user('u1', { ...VERIFIED, email: 'someone@example.com' })],
    ['no user name', { ...user('u1', VERIFIED), Username: undefined }],
  ])('refuses %s', (_label, candidate) => {
    expect(isNativeVerified(candidate, 'user.one@example.com')).toBe(false);
  });
});

describe('cognitoDirectory.findNativeUser', () => {
  it('lists users by email filter on the pool and returns the native verified one', async () => {
    // Prepare
    cognito.on(ListUsersCommand).resolves({
      Users: [user('Google_1', VERIFIED, 'EXTERNAL_PROVIDER'), user('native-1', VERIFIED)],
    });
    // Act
    const found = await directory.findNativeUser(POOL, 'user.one@example.com', deadline());
    // Assess
    expect(found).toBe('native-1');
    expect(cognito.commandCalls(ListUsersCommand)[0]?.args[0].input).toMatchObject({
      UserPoolId: POOL,
      Filter: 'email = "user.one@example.com"',
    });
  });

  it('returns nothing when only external or unverified users share the email', async () => {
    cognito.on(ListUsersCommand).resolves({
      Users: [
        user('Google_1', VERIFIED, 'EXTERNAL_PROVIDER'),
        user('u2', { ...VERIFIED, email_verified: 'false' }),
      ],
    });
    expect(await directory.findNativeUser(POOL, 'user.one@example.com', deadline())).toBe(
      undefined,
    );
  });

  it('picks the oldest of several native users', async () => {
    cognito.on(ListUsersCommand).resolves({
      Users: [
        user('newer', VERIFIED, 'CONFIRMED', '2026-05-01T00:00:00Z'),
        user('older', VERIFIED, 'CONFIRMED', '2025-05-01T00:00:00Z'),
      ],
    });
    expect(await directory.findNativeUser(POOL, 'user.one@example.com', deadline())).toBe('older');
  });

  it('also looks the lower-cased email up when the IdP sent another case', async () => {
    cognito
      .on(ListUsersCommand, { Filter: 'email = "User.One@Example.com"' })
      .resolves({ Users: [] })
      .on(ListUsersCommand, { Filter: 'email = "user.one@example.com"' })
      .resolves({ Users: [user('native-1', VERIFIED)] });
    expect(await directory.findNativeUser(POOL, 'User.One@Example.com', deadline())).toBe(
      'native-1',
    );
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(2);
  });

  it('follows pagination a bounded number of pages', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [], PaginationToken: 'more' });
    expect(await directory.findNativeUser(POOL, 'user.one@example.com', deadline())).toBe(
      undefined,
    );
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(3);
    expect(cognito.commandCalls(ListUsersCommand)[1]?.args[0].input.PaginationToken).toBe('more');
  });

  it('lets a Cognito error through', async () => {
    cognito.on(ListUsersCommand).rejects(new Error('TooManyRequestsException'));
    await expect(
      directory.findNativeUser(POOL, 'user.one@example.com', deadline()),
    ).rejects.toThrow('TooManyRequestsException');
  });
});

describe('cognitoDirectory.linkIdentity', () => {
  it('links the provider subject to the native user of this pool', async () => {
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    await directory.linkIdentity(
      POOL,
      { nativeUserName: 'native-1', providerName: 'Google', providerUserId: '1048' },
      deadline(),
    );
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'native-1' },
      SourceUser: {
        ProviderName: 'Google',
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: '1048',
      },
    });
  });
});
