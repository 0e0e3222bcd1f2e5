import {
  AdminAddUserToGroupCommand,
  AdminListGroupsForUserCommand,
  CreateGroupCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  DeleteGroupCommand,
  DeleteIdentityProviderCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DescribeIdentityProviderCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  ListIdentityProvidersCommand,
  SetUserPoolMfaConfigCommand,
  UpdateGroupCommand,
  UpdateIdentityProviderCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failure, type Harness, PASSWORD, startHarness } from './helpers.js';

const pass = (event: Record<string, unknown>) => event;

describe('pool configuration operations through the real SDK', () => {
  let h: Harness;
  let poolId: string;
  let clientId: string;

  beforeAll(async () => {
    h = await startHarness({
      handlers: { PreAuthentication: pass, PostAuthentication: pass, PreTokenGeneration: pass },
    });
  });
  afterAll(() => h.close());

  beforeEach(() => {
    poolId = h.emulator.createUserPool({
      name: `config-${Math.random()}`,
      usernameAttributes: ['email'],
      passwordPolicy: { MinimumLength: 12 },
      triggers: {
        PreAuthentication: 'V1_0',
        PostAuthentication: 'V1_0',
        PreTokenGeneration: 'V2_0',
      },
    }).id;
    ({ clientId } = h.emulator.createUserPoolClient(poolId, {
      name: 'web',
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }));
    h.triggers.calls.length = 0;
  });

  const describePool = async () =>
    (await h.client.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool ?? {};

  const signIn = async (email: string) => {
    await h.emulator.seedUser(poolId, email, PASSWORD, { email });
    h.triggers.calls.length = 0;
    await h.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD },
      }),
    );
    return h.triggers.names();
  };

  describe('UpdateUserPool', () => {
    it('resets every member the call leaves out, triggers and password policy included', async () => {
      const before = await describePool();
      expect(Object.keys(before.LambdaConfig ?? {})).toContain('PreAuthentication');
      expect(before.Policies?.PasswordPolicy?.MinimumLength).toBe(12);

      await h.client.send(
        new UpdateUserPoolCommand({ UserPoolId: poolId, AutoVerifiedAttributes: ['email'] }),
      );

      const after = await describePool();
      expect(after.LambdaConfig).toEqual({});
      expect(after.Policies?.PasswordPolicy).toEqual({
        MinimumLength: 8,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 7,
      });
      expect(after.MfaConfiguration).toBe('OFF');
      expect(after.DeletionProtection).toBe('INACTIVE');
      expect(after.AutoVerifiedAttributes).toEqual(['email']);
    });

    it('keeps what a DescribeUserPool round trip sends back, and changes what it edits', async () => {
      const current = await describePool();

      await h.client.send(
        new UpdateUserPoolCommand({
          UserPoolId: poolId,
          LambdaConfig: current.LambdaConfig,
          Policies: { PasswordPolicy: { ...current.Policies?.PasswordPolicy, MinimumLength: 6 } },
          DeletionProtection: 'ACTIVE',
        }),
      );

      const after = await describePool();
      expect(after.LambdaConfig).toEqual(current.LambdaConfig);
      expect(after.LambdaConfig?.PreTokenGenerationConfig?.LambdaVersion).toBe('V2_0');
      expect(after.Policies?.PasswordPolicy?.MinimumLength).toBe(6);
      expect(after.DeletionProtection).toBe('ACTIVE');
    });

    it('stops calling a trigger its LambdaConfig no longer names, and calls it again once named', async () => {
      expect(await signIn('before@example.com')).toContain('PreAuthentication');
      const { LambdaConfig } = await describePool();
      const { PreAuthentication: detached, ...rest } = LambdaConfig ?? {};

      await h.client.send(new UpdateUserPoolCommand({ UserPoolId: poolId, LambdaConfig: rest }));
      const without = await signIn('detached@example.com');

      expect(without).not.toContain('PreAuthentication');
      expect(without).toContain('PostAuthentication');
      await h.client.send(
        new UpdateUserPoolCommand({
          UserPoolId: poolId,
          LambdaConfig: { ...rest, PreAuthentication: detached },
        }),
      );
      expect(await signIn('again@example.com')).toContain('PreAuthentication');
    });

    it('no longer calls the local handler once the trigger names another function', async () => {
      const { LambdaConfig } = await describePool();

      await h.client.send(
        new UpdateUserPoolCommand({
          UserPoolId: poolId,
          LambdaConfig: {
            ...LambdaConfig,
            PostAuthentication: 'arn:aws:lambda:eu-west-1:111122223333:function:someone-else',
          },
        }),
      );

      const names = await signIn('replaced@example.com');
      expect(names).toContain('PreAuthentication');
      expect(names).not.toContain('PostAuthentication');
      expect((await describePool()).LambdaConfig?.PostAuthentication).toBe(
        'arn:aws:lambda:eu-west-1:111122223333:function:someone-else',
      );
    });

    it('refuses a trigger that is not a Lambda ARN, and changes nothing', async () => {
      const error = await failure(
        h.client.send(
          new UpdateUserPoolCommand({
            UserPoolId: poolId,
            LambdaConfig: { PreSignUp: 'not-an-arn' },
          }),
        ),
      );

      expect(error.name).toBe('InvalidParameterException');
      expect(error.message).toContain("at 'lambdaConfig.preSignUp'");
      expect(Object.keys((await describePool()).LambdaConfig ?? {})).toContain('PreAuthentication');
    });

    it('refuses turning MFA ON after creation, as Cognito does', async () => {
      const error = await failure(
        h.client.send(new UpdateUserPoolCommand({ UserPoolId: poolId, MfaConfiguration: 'ON' })),
      );

      expect(error.name).toBe('InvalidParameterException');
      expect(error.message).toBe(
        'Cannot turn MFA functionality ON, once the user pool has been created.',
      );
    });

    it('answers ResourceNotFoundException for an unknown pool', async () => {
      const error = await failure(
        h.client.send(new UpdateUserPoolCommand({ UserPoolId: 'eu-west-1_nothere00' })),
      );
      expect(error.name).toBe('ResourceNotFoundException');
    });
  });

  describe('SetUserPoolMfaConfig / GetUserPoolMfaConfig', () => {
    it('turns MFA optional with a software token and shows it in both reads', async () => {
      const set = await h.client.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: poolId,
          MfaConfiguration: 'OPTIONAL',
          SoftwareTokenMfaConfiguration: { Enabled: true },
        }),
      );

      expect(set.MfaConfiguration).toBe('OPTIONAL');
      const got = await h.client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
      expect(got.MfaConfiguration).toBe('OPTIONAL');
      expect(got.SoftwareTokenMfaConfiguration).toEqual({ Enabled: true });
      expect((await describePool()).MfaConfiguration).toBe('OPTIONAL');
    });

    it('refuses OPTIONAL or ON with no factor, and OFF with a factor, with Cognito messages', async () => {
      const none = await failure(
        h.client.send(
          new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON' }),
        ),
      );
      const both = await failure(
        h.client.send(
          new SetUserPoolMfaConfigCommand({
            UserPoolId: poolId,
            MfaConfiguration: 'OFF',
            SoftwareTokenMfaConfiguration: { Enabled: true },
          }),
        ),
      );

      expect(none.name).toBe('InvalidParameterException');
      expect(none.message).toBe(
        "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
      );
      expect(both.message).toBe(
        "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
      );
      const got = await h.client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
      expect(got.MfaConfiguration).toBe('OFF');
    });
  });

  describe('UpdateUserPoolClient / DeleteUserPoolClient', () => {
    it('resets the flows the call leaves out and keeps id, name and secret', async () => {
      const created = await h.client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'hosted',
          GenerateSecret: true,
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid'],
          AllowedOAuthFlowsUserPoolClient: true,
          CallbackURLs: ['https://app.example.com/cb'],
        }),
      );
      const id = created.UserPoolClient?.ClientId;

      const updated = await h.client.send(
        new UpdateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientId: id,
          CallbackURLs: ['https://app.example.com/cb', 'https://evil.example.net/cb'],
        }),
      );

      const client = updated.UserPoolClient;
      expect(client?.ClientId).toBe(id);
      expect(client?.ClientName).toBe('hosted');
      expect(client?.ClientSecret).toBe(created.UserPoolClient?.ClientSecret);
      expect(client?.ExplicitAuthFlows).toEqual([
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_CUSTOM_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ]);
      expect(client?.AllowedOAuthFlows).toBeUndefined();
      expect(client?.CallbackURLs).toEqual([
        'https://app.example.com/cb',
        'https://evil.example.net/cb',
      ]);
    });

    it('refuses client_credentials with code, and client_credentials without a secret', async () => {
      const mixed = await failure(
        h.client.send(
          new UpdateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientId: clientId,
            AllowedOAuthFlows: ['code', 'client_credentials'],
            CallbackURLs: ['https://app.example.com/cb'],
          }),
        ),
      );
      const secretless = await failure(
        h.client.send(
          new UpdateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientId: clientId,
            AllowedOAuthFlows: ['client_credentials'],
          }),
        ),
      );

      expect(mixed.message).toBe(
        'client_credentials flow can not be selected along with code flow or implicit flow.',
      );
      expect(secretless.message).toBe(
        'client_credentials flow can not be selected if client does not have a client secret.',
      );
    });

    it('deletes a client: describing it then answers ResourceNotFoundException', async () => {
      await h.client.send(
        new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
      );

      const error = await failure(
        h.client.send(
          new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }),
        ),
      );
      expect(error.name).toBe('ResourceNotFoundException');
    });
  });

  describe('UpdateGroup / DeleteGroup', () => {
    it('updates the named members, keeps the others, and deleting takes the group off members', async () => {
      await h.client.send(
        new CreateGroupCommand({
          UserPoolId: poolId,
          GroupName: 'admins',
          Description: 'Admins',
          Precedence: 1,
        }),
      );
      const user = await h.emulator.seedUser(poolId, 'member@example.com', PASSWORD, {
        email: 'member@example.com',
      });
      await h.client.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: poolId,
          Username: user.username,
          GroupName: 'admins',
        }),
      );

      const updated = await h.client.send(
        new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Precedence: 0 }),
      );
      expect(updated.Group).toMatchObject({ Description: 'Admins', Precedence: 0 });

      await h.client.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }));
      const groups = await h.client.send(
        new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: user.username }),
      );
      expect(groups.Groups).toEqual([]);
      const gone = await failure(
        h.client.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'admins' })),
      );
      expect(gone.name).toBe('ResourceNotFoundException');
      const again = await failure(
        h.client.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'admins' })),
      );
      expect(again.message).toBe('Group not found.');
    });

    it('refuses a negative precedence', async () => {
      await h.client.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'ops' }));
      const error = await failure(
        h.client.send(
          new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'ops', Precedence: -1 }),
        ),
      );
      expect(error.name).toBe('InvalidParameterException');
    });
  });

  describe('identity providers', () => {
    it('creates, updates, lists and deletes an OIDC provider', async () => {
      await h.client.send(
        new CreateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Corp',
          ProviderType: 'OIDC',
          ProviderDetails: {
            client_id: 'corp-client',
            client_secret: 'corp-secret',
            oidc_issuer: 'https://idp.example.com',
            authorize_scopes: 'openid',
            attributes_request_method: 'GET',
          },
          AttributeMapping: { email: 'email' },
        }),
      );

      const updated = await h.client.send(
        new UpdateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Corp',
          ProviderDetails: { authorize_scopes: 'openid email' },
        }),
      );
      expect(updated.IdentityProvider?.ProviderDetails).toMatchObject({
        client_id: 'corp-client',
        authorize_scopes: 'openid email',
      });
      const listed = await h.client.send(new ListIdentityProvidersCommand({ UserPoolId: poolId }));
      expect(listed.Providers?.map((p) => p.ProviderName)).toEqual(['Corp']);

      await h.client.send(
        new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Corp' }),
      );

      const error = await failure(
        h.client.send(
          new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Corp' }),
        ),
      );
      expect(error.name).toBe('ResourceNotFoundException');
      const again = await failure(
        h.client.send(
          new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Corp' }),
        ),
      );
      expect(again.name).toBe('ResourceNotFoundException');
    });
  });

  describe('DeleteUserPool', () => {
    it('is refused while deletion protection is active, then deletes the pool', async () => {
      const current = await describePool();
      await h.client.send(
        new UpdateUserPoolCommand({
          UserPoolId: poolId,
          LambdaConfig: current.LambdaConfig,
          DeletionProtection: 'ACTIVE',
        }),
      );

      const refused = await failure(
        h.client.send(new DeleteUserPoolCommand({ UserPoolId: poolId })),
      );
      expect(refused.name).toBe('InvalidParameterException');
      await h.client.send(
        new UpdateUserPoolCommand({ UserPoolId: poolId, DeletionProtection: 'INACTIVE' }),
      );
      await h.client.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
      const gone = await failure(
        h.client.send(new DescribeUserPoolCommand({ UserPoolId: poolId })),
      );
      expect(gone.name).toBe('ResourceNotFoundException');
    });
  });
});
