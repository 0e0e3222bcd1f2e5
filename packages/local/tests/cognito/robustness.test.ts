import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CognitoEmulator,
  CognitoError,
  createCognitoEmulator,
} from '../../src/cognito/index.js';
import { PASSWORD, REGION } from './helpers.js';

const OPERATIONS = [
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'AdminCreateUser',
  'AdminConfirmSignUp',
  'AdminGetUser',
  'AdminDeleteUser',
  'AdminSetUserPassword',
  'AdminUpdateUserAttributes',
  'AdminAddUserToGroup',
  'AdminRemoveUserFromGroup',
  'AdminListGroupsForUser',
  'AdminLinkProviderForUser',
  'CreateGroup',
  'ListGroups',
  'ListUsers',
  'GetUser',
  'GlobalSignOut',
  'RevokeToken',
  'InitiateAuth',
  'AdminInitiateAuth',
  'RespondToAuthChallenge',
  'AdminRespondToAuthChallenge',
  'DescribeUserPool',
  'DescribeUserPoolClient',
  'CreateUserPoolClient',
  'CreateResourceServer',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'ChangePassword',
  'AdminResetUserPassword',
  'UpdateUserAttributes',
  'DeleteUser',
  'AdminDisableUser',
  'AdminEnableUser',
  'AdminUserGlobalSignOut',
  'GetGroup',
  'ListUsersInGroup',
  'ListUserPoolClients',
  'DescribeResourceServer',
];

describe('operation inputs from outside', () => {
  let emulator: CognitoEmulator;
  let poolId: string;
  let clientId: string;

  beforeAll(async () => {
    emulator = createCognitoEmulator({ region: REGION, baseUrl: 'http://127.0.0.1:1' });
    poolId = emulator.createUserPool({ name: 'fuzz', usernameAttributes: ['email'] }).id;
    ({ clientId } = emulator.createUserPoolClient(poolId, {
      name: 'web',
      explicitAuthFlows: [
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_CUSTOM_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ],
    }));
    await emulator.seedUser(poolId, 'fuzz@example.com', PASSWORD);
  });

  // Values that hit real pools, clients and users as well as junk of every JSON type.
  const value = () =>
    fc.oneof(
      fc.constantFrom(
        'fuzz@example.com',
        'USER_PASSWORD_AUTH',
        'USER_SRP_AUTH',
        'CUSTOM_AUTH',
        'REFRESH_TOKEN_AUTH',
        'PASSWORD_VERIFIER',
        'CUSTOM_CHALLENGE',
        'ff',
        '',
        'eyJ.e30.x',
        // JWTs whose parts are JSON but no object: null, and [1].
        'bnVsbA.bnVsbA.x',
        'WzFd.WzFd.x',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
  const input = () =>
    fc
      .record(
        {
          UserPoolId: fc.oneof(fc.constant(poolId), value()),
          ClientId: fc.oneof(fc.constant(clientId), value()),
          Username: value(),
          Password: fc.oneof(fc.constant(PASSWORD), value()),
          AuthFlow: value(),
          AuthParameters: fc.oneof(
            fc.record(
              { USERNAME: value(), PASSWORD: value(), SRP_A: value(), REFRESH_TOKEN: value() },
              { requiredKeys: [] },
            ),
            value(),
          ),
          ChallengeName: value(),
          ChallengeResponses: fc.oneof(
            fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })),
            value(),
          ),
          Session: value(),
          UserAttributes: fc.oneof(
            fc.array(fc.record({ Name: value(), Value: value() }), { maxLength: 3 }),
            value(),
          ),
          GroupName: value(),
          Filter: value(),
          Limit: value(),
          AccessToken: value(),
          Token: value(),
          ClientMetadata: value(),
          DestinationUser: value(),
          SourceUser: value(),
          ConfirmationCode: value(),
        },
        { requiredKeys: [] },
      )
      .map((record) => record as Record<string, unknown>);

  it('answers every operation with a result or a CognitoError, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPERATIONS), input(), async (operation, body) => {
        try {
          await emulator.call(operation, body);
        } catch (error) {
          if (!(error instanceof CognitoError)) throw error;
          expect(error.status).toBe(400);
        }
      }),
      { numRuns: 600 },
    );
  });

  it('treats __proto__ and constructor as ordinary user and group names', async () => {
    const plain = createCognitoEmulator({ region: REGION, baseUrl: 'http://127.0.0.1:1' });
    const { id } = plain.createUserPool({ name: 'names' });
    const { clientId: cid } = plain.createUserPoolClient(id, { name: 'c' });

    await plain.call('SignUp', { ClientId: cid, Username: '__proto__', Password: PASSWORD });
    await plain.call('CreateGroup', { UserPoolId: id, GroupName: 'constructor' });
    await plain.call('AdminAddUserToGroup', {
      UserPoolId: id,
      Username: '__proto__',
      GroupName: 'constructor',
    });

    const user = await plain.call('AdminGetUser', { UserPoolId: id, Username: '__proto__' });
    const groups = await plain.call('AdminListGroupsForUser', {
      UserPoolId: id,
      Username: '__proto__',
    });
    const missing = await plain
      .call('AdminGetUser', { UserPoolId: id, Username: 'toString' })
      .catch((error) => error);
    expect(user.Username).toBe('__proto__');
    expect((groups.Groups as { GroupName: string }[]).map((group) => group.GroupName)).toEqual([
      'constructor',
    ]);
    expect(missing).toBeInstanceOf(CognitoError);
  });
});
