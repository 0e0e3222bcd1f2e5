import { createHmac } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateGroupCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claims, failure, type Harness, PASSWORD, startHarness } from './helpers.js';

describe('user-pool API operations through the real SDK', () => {
  let h: Harness;
  let poolId: string;
  let clientId: string;

  beforeAll(async () => {
    h = await startHarness();
    poolId = h.emulator.createUserPool({
      name: 'api',
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      customAttributes: [{ name: 'tenant_id' }],
    }).id;
    ({ clientId } = h.emulator.createUserPoolClient(poolId, {
      name: 'web',
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }));
  });
  afterAll(() => h.close());

  const signUp = (email: string, attributes: Record<string, string> = {}) =>
    h.client.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: email,
        Password: PASSWORD,
        UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
      }),
    );

  describe('SignUp / ConfirmSignUp / ResendConfirmationCode', () => {
    it('creates an unconfirmed user, mails a code and confirms it', async () => {
      const result = await signUp('ann@example.com', { 'custom:tenant_id': 't1' });

      expect(result.UserConfirmed).toBe(false);
      expect(result.UserSub).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(result.CodeDeliveryDetails).toEqual({
        Destination: 'a***@e***',
        DeliveryMedium: 'EMAIL',
        AttributeName: 'email',
      });
      expect(h.mailer.sent.at(-1)?.to).toBe('ann@example.com');

      await h.client.send(
        new ConfirmSignUpCommand({
          ClientId: clientId,
          Username: 'ann@example.com',
          ConfirmationCode: h.mailer.lastCode(),
        }),
      );
      const user = await h.client.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ann@example.com' }),
      );
      expect(user.UserStatus).toBe('CONFIRMED');
      expect(user.Username).toBe(result.UserSub);
      expect(user.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
      expect(user.UserCreateDate).toBeInstanceOf(Date);
    });

    it('refuses a wrong confirmation code with CodeMismatchException', async () => {
      await signUp('other@example.com');
      const code = h.mailer.lastCode();
      const wrong = code === '000000' ? '111111' : '000000';

      const error = await failure(
        h.client.send(
          new ConfirmSignUpCommand({
            ClientId: clientId,
            Username: 'other@example.com',
            ConfirmationCode: wrong,
          }),
        ),
      );

      expect(error.name).toBe('CodeMismatchException');
      expect(error.$metadata.httpStatusCode).toBe(400);
    });

    it('resends a code that then confirms, and refuses to resend to a confirmed user', async () => {
      await h.client.send(
        new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'other@example.com' }),
      );
      await h.client.send(
        new ConfirmSignUpCommand({
          ClientId: clientId,
          Username: 'other@example.com',
          ConfirmationCode: h.mailer.lastCode(),
        }),
      );

      const error = await failure(
        h.client.send(
          new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'other@example.com' }),
        ),
      );

      expect(error.name).toBe('InvalidParameterException');
    });

    it('expires a confirmation code after 24 hours', async () => {
      let now = Date.now();
      const local = await startHarness({ now: () => now });
      const pool = local.emulator.createUserPool({ name: 'exp', usernameAttributes: ['email'] }).id;
      const { clientId: cid } = local.emulator.createUserPoolClient(pool, { name: 'c' });
      await local.client.send(
        new SignUpCommand({ ClientId: cid, Username: 'late@example.com', Password: PASSWORD }),
      );
      now += 25 * 3600_000;

      const error = await failure(
        local.client.send(
          new ConfirmSignUpCommand({
            ClientId: cid,
            Username: 'late@example.com',
            ConfirmationCode: local.mailer.lastCode(),
          }),
        ),
      );

      expect(error.name).toBe('ExpiredCodeException');
      await local.close();
    });

    it('refuses a duplicate email with UsernameExistsException', async () => {
      const error = await failure(signUp('ann@example.com'));

      expect(error.name).toBe('UsernameExistsException');
      expect(error.message).toBe('An account with the given email already exists.');
    });

    it('refuses a weak password with InvalidPasswordException', async () => {
      const error = await failure(
        h.client.send(
          new SignUpCommand({
            ClientId: clientId,
            Username: 'weak@example.com',
            Password: 'short',
          }),
        ),
      );

      expect(error.name).toBe('InvalidPasswordException');
      expect(error.message).toBe('Password did not conform with policy: Password not long enough');
    });

    it('refuses an attribute the schema does not have', async () => {
      const error = await failure(signUp('odd@example.com', { 'custom:unknown': 'x' }));

      expect(error.name).toBe('InvalidParameterException');
    });

    it('refuses a username that is not an email in an email pool', async () => {
      const error = await failure(signUp('not-an-email'));

      expect(error.message).toBe('Username should be an email.');
    });

    it('answers ResourceNotFoundException for an unknown client', async () => {
      const error = await failure(
        h.client.send(
          new SignUpCommand({ ClientId: 'nope', Username: 'x@example.com', Password: PASSWORD }),
        ),
      );

      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.$metadata.httpStatusCode).toBe(400);
    });
  });

  describe('admin user operations', () => {
    it('creates a user FORCE_CHANGE_PASSWORD, mails the temporary password, and sets a permanent one', async () => {
      const created = await h.client.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'cara@example.com',
          UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
        }),
      );
      expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
      expect(h.mailer.sent.at(-1)?.text).toMatch(/temporary password is \S+/);

      await h.client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: poolId,
          Username: 'cara@example.com',
          Password: PASSWORD,
          Permanent: true,
        }),
      );
      const auth = await h.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'cara@example.com', PASSWORD },
        }),
      );

      expect(claims(auth.AuthenticationResult?.IdToken).email).toBe('cara@example.com');
    });

    it('does not mail when MessageAction is SUPPRESS', async () => {
      const before = h.mailer.sent.length;

      await h.client.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'quiet@example.com',
          MessageAction: 'SUPPRESS',
          TemporaryPassword: PASSWORD,
        }),
      );

      expect(h.mailer.sent.length).toBe(before);
    });

    it('confirms an unconfirmed user with AdminConfirmSignUp, once', async () => {
      await signUp('dan@example.com');
      await h.client.send(
        new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'dan@example.com' }),
      );

      const error = await failure(
        h.client.send(
          new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'dan@example.com' }),
        ),
      );

      expect(error.name).toBe('NotAuthorizedException');
      expect(error.message).toBe('User cannot be confirmed. Current status is CONFIRMED');
    });

    it('updates attributes and resets email_verified when the email changes', async () => {
      await h.client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: poolId,
          Username: 'dan@example.com',
          UserAttributes: [
            { Name: 'email', Value: 'daniel@example.com' },
            { Name: 'custom:tenant_id', Value: 't9' },
          ],
        }),
      );

      const user = await h.client.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'daniel@example.com' }),
      );
      expect(user.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'false' });
      expect(user.UserAttributes).toContainEqual({ Name: 'custom:tenant_id', Value: 't9' });
    });

    it('deletes a user, then answers UserNotFoundException', async () => {
      await signUp('gone@example.com');
      await h.client.send(
        new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'gone@example.com' }),
      );

      const error = await failure(
        h.client.send(
          new AdminGetUserCommand({ UserPoolId: poolId, Username: 'gone@example.com' }),
        ),
      );

      expect(error.name).toBe('UserNotFoundException');
      expect(error.message).toBe('User does not exist.');
      expect(error.$metadata.httpStatusCode).toBe(400);
    });

    it('refuses sign-in to a disabled user until it is enabled again', async () => {
      await h.client.send(
        new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'cara@example.com' }),
      );
      const signIn = () =>
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'cara@example.com', PASSWORD },
          }),
        );

      const error = await failure(signIn());
      await h.client.send(
        new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'cara@example.com' }),
      );

      expect(error.message).toBe('User is disabled.');
      expect((await signIn()).AuthenticationResult).toBeDefined();
    });

    it('refuses ADMIN_USER_PASSWORD_AUTH through the public InitiateAuth', async () => {
      const error = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'cara@example.com', PASSWORD },
          }),
        ),
      );

      expect(error.name).toBe('InvalidParameterException');
    });

    it('answers ResourceNotFoundException for an unknown pool', async () => {
      const error = await failure(
        h.client.send(
          new AdminGetUserCommand({ UserPoolId: 'eu-west-1_nopenope1', Username: 'x' }),
        ),
      );

      expect(error.name).toBe('ResourceNotFoundException');
    });
  });

  describe('password self-service', () => {
    it('resets a forgotten password with the mailed code, and changes it with the old one', async () => {
      const forgot = await h.client.send(
        new ForgotPasswordCommand({ ClientId: clientId, Username: 'ann@example.com' }),
      );
      expect(forgot.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
      const wrong = await failure(
        h.client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: clientId,
            Username: 'ann@example.com',
            ConfirmationCode: 'x1',
            Password: 'Reset-Password-2',
          }),
        ),
      );
      expect(wrong.name).toBe('CodeMismatchException');
      await h.client.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: 'ann@example.com',
          ConfirmationCode: h.mailer.lastCode(),
          Password: 'Reset-Password-2',
        }),
      );
      const auth = await h.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'ann@example.com', PASSWORD: 'Reset-Password-2' },
        }),
      );

      await h.client.send(
        new ChangePasswordCommand({
          AccessToken: auth.AuthenticationResult?.AccessToken,
          PreviousPassword: 'Reset-Password-2',
          ProposedPassword: PASSWORD,
        }),
      );
      const old = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'ann@example.com', PASSWORD: 'Reset-Password-2' },
          }),
        ),
      );
      expect(old.name).toBe('NotAuthorizedException');
    });
  });

  describe('admin password reset and self-service attributes', () => {
    it('forces a reset with AdminResetUserPassword until the mailed code sets a new password', async () => {
      await h.emulator.seedUser(poolId, 'reset@example.com', PASSWORD, { email_verified: 'true' });
      await h.client.send(
        new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'reset@example.com' }),
      );
      const signIn = (password: string) =>
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'reset@example.com', PASSWORD: password },
          }),
        );

      const blocked = await failure(signIn(PASSWORD));
      await h.client.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: 'reset@example.com',
          ConfirmationCode: h.mailer.lastCode(),
          Password: 'After-Reset-3',
        }),
      );

      expect(blocked.name).toBe('PasswordResetRequiredException');
      expect((await signIn('After-Reset-3')).AuthenticationResult).toBeDefined();
    });

    it('lets a signed-in user update their attributes and delete themselves', async () => {
      const auth = await h.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'reset@example.com', PASSWORD: 'After-Reset-3' },
        }),
      );
      const accessToken = auth.AuthenticationResult?.AccessToken;

      await h.client.send(
        new UpdateUserAttributesCommand({
          AccessToken: accessToken,
          UserAttributes: [{ Name: 'given_name', Value: 'Rita' }],
        }),
      );
      const user = await h.client.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'reset@example.com' }),
      );
      await h.client.send(new DeleteUserCommand({ AccessToken: accessToken }));

      expect(user.UserAttributes).toContainEqual({ Name: 'given_name', Value: 'Rita' });
      expect(
        (
          await failure(
            h.client.send(
              new AdminGetUserCommand({ UserPoolId: poolId, Username: 'reset@example.com' }),
            ),
          )
        ).name,
      ).toBe('UserNotFoundException');
    });
  });

  describe('groups', () => {
    it('creates groups, adds and removes members, lists them by precedence', async () => {
      await h.client.send(
        new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'users', Precedence: 10 }),
      );
      await h.client.send(
        new CreateGroupCommand({
          UserPoolId: poolId,
          GroupName: 'admins',
          Precedence: 1,
          RoleArn: 'arn:aws:iam::123456789012:role/admins',
        }),
      );
      await h.client.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: poolId,
          Username: 'ann@example.com',
          GroupName: 'users',
        }),
      );
      await h.client.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: poolId,
          Username: 'ann@example.com',
          GroupName: 'admins',
        }),
      );

      const listed = await h.client.send(
        new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'ann@example.com' }),
      );
      expect(listed.Groups?.map((group) => group.GroupName)).toEqual(['admins', 'users']);

      await h.client.send(
        new AdminRemoveUserFromGroupCommand({
          UserPoolId: poolId,
          Username: 'ann@example.com',
          GroupName: 'users',
        }),
      );
      const after = await h.client.send(
        new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'ann@example.com' }),
      );
      expect(after.Groups?.map((group) => group.GroupName)).toEqual(['admins']);

      const all = await h.client.send(new ListGroupsCommand({ UserPoolId: poolId }));
      expect(all.Groups?.map((group) => group.GroupName)).toEqual(['admins', 'users']);
    });

    it('describes a group and lists its members', async () => {
      const group = await h.client.send(
        new GetGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }),
      );
      const members = await h.client.send(
        new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }),
      );

      expect(group.Group).toMatchObject({ GroupName: 'admins', Precedence: 1, UserPoolId: poolId });
      expect(
        members.Users?.map((user) => user.Attributes?.find((a) => a.Name === 'email')?.Value),
      ).toEqual(['ann@example.com']);
    });

    it('refuses a duplicate group and an unknown group', async () => {
      const dup = await failure(
        h.client.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'users' })),
      );
      const unknown = await failure(
        h.client.send(
          new AdminAddUserToGroupCommand({
            UserPoolId: poolId,
            Username: 'ann@example.com',
            GroupName: 'nope',
          }),
        ),
      );

      expect(dup.name).toBe('GroupExistsException');
      expect(unknown.name).toBe('ResourceNotFoundException');
    });

    it('puts groups and roles in the ID token', async () => {
      const auth = await h.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'ann@example.com', PASSWORD },
        }),
      );

      const id = claims(auth.AuthenticationResult?.IdToken);
      expect(id['cognito:groups']).toEqual(['admins']);
      expect(id['cognito:roles']).toEqual(['arn:aws:iam::123456789012:role/admins']);
      expect(id['cognito:preferred_role']).toBe('arn:aws:iam::123456789012:role/admins');
      expect(claims(auth.AuthenticationResult?.AccessToken)['cognito:groups']).toEqual(['admins']);
    });
  });

  describe('ListUsers', () => {
    it('filters by exact email and by prefix', async () => {
      const exact = await h.client.send(
        new ListUsersCommand({ UserPoolId: poolId, Filter: 'email = "ann@example.com"' }),
      );
      const prefix = await h.client.send(
        new ListUsersCommand({ UserPoolId: poolId, Filter: 'email ^= "da"' }),
      );
      const status = await h.client.send(
        new ListUsersCommand({
          UserPoolId: poolId,
          Filter: 'cognito:user_status = "force_change_password"',
        }),
      );

      expect(
        exact.Users?.map((user) => user.Attributes?.find((a) => a.Name === 'email')?.Value),
      ).toEqual(['ann@example.com']);
      expect(
        prefix.Users?.map((user) => user.Attributes?.find((a) => a.Name === 'email')?.Value),
      ).toEqual(['daniel@example.com']);
      expect(status.Users?.length).toBe(1);
    });

    it('pages with Limit and PaginationToken', async () => {
      const first = await h.client.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2 }));
      const second = await h.client.send(
        new ListUsersCommand({
          UserPoolId: poolId,
          Limit: 2,
          PaginationToken: first.PaginationToken,
        }),
      );

      expect(first.Users?.length).toBe(2);
      expect(first.PaginationToken).toBeDefined();
      expect(second.Users?.[0]?.Username).not.toBe(first.Users?.[0]?.Username);
    });

    it('refuses a malformed filter or an unsupported attribute with InvalidParameterException', async () => {
      const bad = await failure(
        h.client.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'email == ann' })),
      );
      const custom = await failure(
        h.client.send(
          new ListUsersCommand({ UserPoolId: poolId, Filter: 'custom:tenant_id = "t1"' }),
        ),
      );

      expect(bad.name).toBe('InvalidParameterException');
      expect(custom.name).toBe('InvalidParameterException');
    });
  });

  describe('AdminLinkProviderForUser and federated sign-in', () => {
    it('links a provider identity so that a federated sign-in lands on the native user', async () => {
      const ann = await h.client.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ann@example.com' }),
      );
      await h.client.send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: poolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: ann.Username },
          SourceUser: {
            ProviderName: 'Google',
            ProviderAttributeName: 'Cognito_Subject',
            ProviderAttributeValue: '1234567890',
          },
        }),
      );

      const signIn = await h.emulator.federatedSignIn(poolId, clientId, 'Google', '1234567890', {
        email: 'ann@example.com',
      });

      expect(signIn.username).toBe(ann.Username);
      expect(signIn.linked).toBe(true);
      const id = claims(signIn.tokens.IdToken as string);
      expect(id.identities).toEqual([
        expect.objectContaining({ providerName: 'Google', userId: '1234567890' }),
      ]);
    });

    it('creates an EXTERNAL_PROVIDER user <Provider>_<id> on a first unlinked sign-in, then refuses to merge it', async () => {
      const signIn = await h.emulator.federatedSignIn(poolId, clientId, 'Google', '999', {
        email: 'fed@example.com',
      });
      expect(signIn.username).toBe('Google_999');
      const user = await h.client.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Google_999' }),
      );
      expect(user.UserStatus).toBe('EXTERNAL_PROVIDER');

      const error = await failure(
        h.client.send(
          new AdminLinkProviderForUserCommand({
            UserPoolId: poolId,
            DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: 'ann@example.com' },
            SourceUser: {
              ProviderName: 'Google',
              ProviderAttributeName: 'Cognito_Subject',
              ProviderAttributeValue: '999',
            },
          }),
        ),
      );
      expect(error.name).toBe('InvalidParameterException');
    });

    it('runs the federated trigger sources: sign-up ones the first time, authentication ones after', async () => {
      const echo = (event: Record<string, unknown>) => ({ ...event, response: {} });
      const local = await startHarness({
        handlers: {
          PreSignUp: echo,
          PostConfirmation: echo,
          PreAuthentication: echo,
          PostAuthentication: echo,
          PreTokenGeneration: echo,
        },
      });
      const pool = local.emulator.createUserPool({ name: 'fed-order' }).id;
      const { clientId: cid } = local.emulator.createUserPoolClient(pool, { name: 'c' });

      await local.emulator.federatedSignIn(pool, cid, 'Google', '7', { email: 'g@example.com' });
      const first = local.triggers.calls.map((call) => call.event.triggerSource);
      local.triggers.calls.length = 0;
      await local.emulator.federatedSignIn(pool, cid, 'Google', '7', { email: 'g@example.com' });
      const second = local.triggers.calls.map((call) => call.event.triggerSource);

      expect(first).toEqual([
        'PreSignUp_ExternalProvider',
        'PostConfirmation_ConfirmSignUp',
        'TokenGeneration_HostedAuth',
      ]);
      expect(second).toEqual([
        'PreAuthentication_Authentication',
        'PostAuthentication_Authentication',
        'TokenGeneration_HostedAuth',
      ]);
      await local.close();
    });

    it('runs PreSignUp_ExternalProvider, which may link the identity itself', async () => {
      const local = await startHarness();
      const pool = local.emulator.createUserPool({ name: 'fed', usernameAttributes: ['email'] }).id;
      const { clientId: cid } = local.emulator.createUserPoolClient(pool, { name: 'c' });
      const native = await local.emulator.seedUser(pool, 'eve@example.com', PASSWORD);
      local.triggers.handlers.PreSignUp = async (event) => {
        await local.client.send(
          new AdminLinkProviderForUserCommand({
            UserPoolId: pool,
            DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: native.username },
            SourceUser: {
              ProviderName: 'Google',
              ProviderAttributeName: 'Cognito_Subject',
              ProviderAttributeValue: '42',
            },
          }),
        );
        return event;
      };

      const signIn = await local.emulator.federatedSignIn(pool, cid, 'Google', '42', {
        email: 'eve@example.com',
      });

      expect(local.triggers.last('PreSignUp')).toMatchObject({
        triggerSource: 'PreSignUp_ExternalProvider',
        userName: 'Google_42',
      });
      expect(signIn.username).toBe(native.username);
      await local.close();
    });
  });

  describe('pool and client description and creation', () => {
    it('creates a pool, a client with a secret and a resource server through the API', async () => {
      const pool = await h.client.send(
        new CreateUserPoolCommand({
          PoolName: 'created',
          UsernameAttributes: ['email'],
          LambdaConfig: {
            PreTokenGenerationConfig: {
              LambdaArn: 'arn:aws:lambda:eu-west-1:1:function:x',
              LambdaVersion: 'V2_0',
            },
          },
        }),
      );
      const id = pool.UserPool?.Id as string;
      expect(id).toMatch(/^eu-west-1_[A-Za-z0-9]{9}$/);

      const client = await h.client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: id,
          ClientName: 'm2m',
          GenerateSecret: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: ['api/read'],
          AccessTokenValidity: 30,
          TokenValidityUnits: { AccessToken: 'minutes' },
        }),
      );
      expect(client.UserPoolClient?.ClientId).toMatch(/^[a-z0-9]{26}$/);
      expect(client.UserPoolClient?.ClientSecret).toMatch(/^[a-z0-9]{51}$/);
      await h.client.send(
        new CreateResourceServerCommand({
          UserPoolId: id,
          Identifier: 'api',
          Name: 'API',
          Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }],
        }),
      );

      const described = await h.client.send(new DescribeUserPoolCommand({ UserPoolId: id }));
      expect(described.UserPool?.LambdaConfig?.PreTokenGenerationConfig?.LambdaVersion).toBe(
        'V2_0',
      );
      const describedClient = await h.client.send(
        new DescribeUserPoolClientCommand({
          UserPoolId: id,
          ClientId: client.UserPoolClient?.ClientId,
        }),
      );
      expect(describedClient.UserPoolClient?.AccessTokenValidity).toBe(30);
    });
  });

  describe('client secrets', () => {
    it('checks SECRET_HASH = HMAC-SHA256(secret, username + clientId)', async () => {
      const { clientId: cid, clientSecret } = h.emulator.createUserPoolClient(poolId, {
        name: 'confidential',
        generateSecret: true,
        explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
      });
      const hash = createHmac('sha256', clientSecret as string)
        .update(`ann@example.com${cid}`)
        .digest('base64');

      const ok = await h.client.send(
        new InitiateAuthCommand({
          ClientId: cid,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'ann@example.com', PASSWORD, SECRET_HASH: hash },
        }),
      );
      const missing = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: cid,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'ann@example.com', PASSWORD },
          }),
        ),
      );
      const wrong = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: cid,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: {
              USERNAME: 'ann@example.com',
              PASSWORD,
              SECRET_HASH: `${hash.slice(0, -2)}AA`,
            },
          }),
        ),
      );

      expect(ok.AuthenticationResult?.AccessToken).toBeDefined();
      expect(missing.name).toBe('NotAuthorizedException');
      expect(wrong.message).toBe(`Unable to verify secret hash for client ${cid}`);
    });
  });
});
