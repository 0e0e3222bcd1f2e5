import {
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cognitoGroups } from '../../src/groups.js';

const cognito = mockClient(CognitoIdentityProviderClient);
const POOL = 'us-east-1_EXAMPLE1a';
const deadline = () => Date.now() + 1_000;

beforeEach(() => {
  cognito.reset();
});

describe('group lookup (AdminListGroupsForUser)', () => {
  it('reads every page of a user’s groups, from a client built on first use', async () => {
    // Prepare
    cognito
      .on(AdminListGroupsForUserCommand, { UserPoolId: POOL, Username: 'u1' })
      .resolvesOnce({ Groups: [{ GroupName: 'admins' }], NextToken: 'next' })
      .resolvesOnce({ Groups: [{ GroupName: 'users' }] });
    let built = 0;
    const groups = cognitoGroups(async () => {
      built += 1;
      return new CognitoIdentityProviderClient({ region: 'us-east-1' });
    });

    // Act
    const names = await groups.groupsOf(POOL, 'u1', deadline());

    // Assess
    expect(names).toEqual(['admins', 'users']);
    expect(built).toBe(1);
    expect(cognito.commandCalls(AdminListGroupsForUserCommand)[1]?.args[0].input).toMatchObject({
      NextToken: 'next',
    });
  });

  it('answers no group for an unknown name, as for a user in none', async () => {
    cognito
      .on(AdminListGroupsForUserCommand)
      .rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    const groups = cognitoGroups(new CognitoIdentityProviderClient({ region: 'us-east-1' }));
    expect(await groups.groupsOf(POOL, 'nobody', deadline())).toEqual([]);
  });

  it('throws any other failure, for the handler to fail closed', async () => {
    cognito.on(AdminListGroupsForUserCommand).rejects(new Error('throttled'));
    const groups = cognitoGroups(new CognitoIdentityProviderClient({ region: 'us-east-1' }));
    await expect(groups.groupsOf(POOL, 'u1', deadline())).rejects.toThrow('throttled');
  });
});
