/**
 * The admin operations that configure a pool or a user's MFA beyond UpdateUserPool:
 * AdminSetUserMFAPreference, AddCustomAttributes, the user pool domain calls and the risk
 * configuration, through the real SDK, with Cognito's answers and errors; and a
 * fast-check property over any input: a result or a CognitoError, and a refused call
 * changes nothing.
 */
import {
  AddCustomAttributesCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  DescribeRiskConfigurationCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetCSVHeaderCommand,
  SetRiskConfigurationCommand,
  UpdateUserPoolCommand,
  UpdateUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CognitoEmulator,
  CognitoError,
  createCognitoEmulator,
} from '../../src/cognito/index.js';
import { failure, type Harness, PASSWORD, REGION, startHarness } from './helpers.js';

/** What the API shows of a pool, its users' MFA settings and its risk configurations. */
async function snapshot(emulator: CognitoEmulator, poolId: string): Promise<string> {
  const pool = await emulator.call('DescribeUserPool', { UserPoolId: poolId });
  const users = await emulator.call('ListUsers', { UserPoolId: poolId });
  const mfa = await Promise.all(
    (users.Users as { Username: string }[]).map((user) =>
      emulator.call('AdminGetUser', { UserPoolId: poolId, Username: user.Username }),
    ),
  );
  const risk = await emulator
    .call('DescribeRiskConfiguration', { UserPoolId: poolId })
    .catch((error: Error) => error.name);
  return JSON.stringify({ pool, mfa, risk });
}

const CERTIFICATE =
  'arn:aws:acm:us-east-1:123456789012:certificate/11112222-3333-4444-5555-666677778888';

describe('admin operations through the real SDK', () => {
  let h: Harness;
  let poolId: string;
  let clientId: string;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  beforeEach(() => {
    poolId = h.emulator.createUserPool({
      name: `ops-${Math.random()}`,
      usernameAttributes: ['email'],
      customAttributes: [{ name: 'tenant_id' }],
    }).id;
    ({ clientId } = h.emulator.createUserPoolClient(poolId, { name: 'web' }));
  });

  const poolSnapshot = () => snapshot(h.emulator, poolId);

  describe('AdminSetUserMFAPreference', () => {
    it('turns SMS and email MFA on for a user who can receive them, one preferred, and AdminGetUser says so', async () => {
      await h.emulator.seedUser(poolId, 'mfa@example.com', PASSWORD, {
        email: 'mfa@example.com',
        phone_number: '+15555550100',
      });

      await h.client.send(
        new AdminSetUserMFAPreferenceCommand({
          UserPoolId: poolId,
          Username: 'mfa@example.com',
          SMSMfaSettings: { Enabled: true, PreferredMfa: true },
          EmailMfaSettings: { Enabled: true },
        }),
      );
      const on = await h.client.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'mfa@example.com' }),
      );
      // A call naming one factor leaves the other as it was.
      await h.client.send(
        new AdminSetUserMFAPreferenceCommand({
          UserPoolId: poolId,
          Username: 'mfa@example.com',
          SMSMfaSettings: { Enabled: false, PreferredMfa: false },
        }),
      );
      const off = await h.client.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'mfa@example.com' }),
      );

      expect(on.UserMFASettingList).toEqual(['SMS_MFA', 'EMAIL_OTP']);
      expect(on.PreferredMfaSetting).toBe('SMS_MFA');
      expect(off.UserMFASettingList).toEqual(['EMAIL_OTP']);
      expect(off.PreferredMfaSetting).toBeUndefined();
    });

    it('turns TOTP on and prefers it before the user has registered an authenticator app, as the API reference allows', async () => {
      await h.emulator.seedUser(poolId, 'totp@example.com', PASSWORD, {
        email: 'totp@example.com',
      });

      await h.client.send(
        new AdminSetUserMFAPreferenceCommand({
          UserPoolId: poolId,
          Username: 'totp@example.com',
          SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
        }),
      );
      const user = await h.client.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'totp@example.com' }),
      );

      expect(user.UserMFASettingList).toEqual(['SOFTWARE_TOKEN_MFA']);
      expect(user.PreferredMfaSetting).toBe('SOFTWARE_TOKEN_MFA');
    });

    it('refuses a factor the user cannot receive, two preferred factors, a preferred factor turned off and email MFA in a Lite pool, changing nothing', async () => {
      await h.emulator.seedUser(poolId, 'nophone@example.com', PASSWORD, {
        email: 'nophone@example.com',
      });
      const set = (input: Record<string, unknown>) =>
        failure(
          h.client.send(
            new AdminSetUserMFAPreferenceCommand({
              UserPoolId: poolId,
              Username: 'nophone@example.com',
              ...input,
            }),
          ),
        );

      const before = await poolSnapshot();
      const sms = await set({ SMSMfaSettings: { Enabled: true } });
      const two = await set({
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      });
      const off = await set({
        EmailMfaSettings: { Enabled: true, PreferredMfa: true },
        SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: true },
      });
      const missing = await failure(
        h.client.send(
          new AdminSetUserMFAPreferenceCommand({
            UserPoolId: poolId,
            Username: 'nobody@example.com',
            EmailMfaSettings: { Enabled: true },
          }),
        ),
      );
      const unchanged = await poolSnapshot();
      const pool = await h.client.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      await h.client.send(
        new UpdateUserPoolCommand({
          UserPoolId: poolId,
          LambdaConfig: pool.UserPool?.LambdaConfig,
          Policies: pool.UserPool?.Policies,
          UserPoolTier: 'LITE',
        }),
      );
      const lite = await poolSnapshot();
      const email = await set({ EmailMfaSettings: { Enabled: true } });

      expect(sms.name).toBe('InvalidParameterException');
      expect(sms.message).toBe('User does not have delivery config set to turn on SMS_MFA');
      expect(two.name).toBe('InvalidParameterException');
      expect(two.message).toBe('Only one MFA type can be set as preferred');
      expect(off.name).toBe('InvalidParameterException');
      expect(missing.name).toBe('UserNotFoundException');
      expect(unchanged).toBe(before);
      expect(email.name).toBe('InvalidParameterException');
      expect(email.message).toContain('Essentials tier');
      expect(await poolSnapshot()).toBe(lite);
    });
  });

  describe('AddCustomAttributes', () => {
    it('adds custom: attributes that users can then be given, and lists them in the schema and the CSV header', async () => {
      const user = await h.emulator.seedUser(poolId, 'attr@example.com', PASSWORD, {
        email: 'attr@example.com',
      });
      const write = () =>
        h.client.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: poolId,
            Username: user.username,
            UserAttributes: [{ Name: 'custom:role', Value: 'auditor' }],
          }),
        );
      const unknown = await failure(write());

      await h.client.send(
        new AddCustomAttributesCommand({
          UserPoolId: poolId,
          CustomAttributes: [
            {
              Name: 'role',
              AttributeDataType: 'String',
              Mutable: true,
              StringAttributeConstraints: { MinLength: '1', MaxLength: '32' },
            },
            { Name: 'level', AttributeDataType: 'Number' },
          ],
        }),
      );
      await write();
      const pool = (await h.client.send(new DescribeUserPoolCommand({ UserPoolId: poolId })))
        .UserPool;
      const header = await h.client.send(new GetCSVHeaderCommand({ UserPoolId: poolId }));
      const got = await h.client.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: user.username }),
      );

      expect(unknown.name).toBe('InvalidParameterException');
      expect(pool?.SchemaAttributes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Name: 'custom:role',
            AttributeDataType: 'String',
            Mutable: true,
            StringAttributeConstraints: { MinLength: '1', MaxLength: '32' },
          }),
          expect.objectContaining({ Name: 'custom:level', AttributeDataType: 'Number' }),
        ]),
      );
      expect(header.CSVHeader).toEqual(
        expect.arrayContaining(['custom:tenant_id', 'custom:role', 'custom:level']),
      );
      expect(got.UserAttributes).toContainEqual({ Name: 'custom:role', Value: 'auditor' });
    });

    it('refuses an existing name, a required attribute, a bad name or type, and the 51st attribute, adding nothing', async () => {
      const add = (attributes: Record<string, unknown>[]) =>
        failure(
          h.client.send(
            new AddCustomAttributesCommand({
              UserPoolId: poolId,
              CustomAttributes: attributes as never,
            }),
          ),
        );
      const before = await poolSnapshot();

      const existing = await add([{ Name: 'tenant_id' }]);
      const twice = await add([{ Name: 'a' }, { Name: 'a' }]);
      const required = await add([{ Name: 'b', Required: true }]);
      const long = await add([{ Name: 'x'.repeat(21) }]);
      const type = await add([{ Name: 'c', AttributeDataType: 'Blob' }]);
      const none = await add([]);
      const unchanged = await poolSnapshot();
      for (let n = 0; n < 2; n += 1) {
        await h.client.send(
          new AddCustomAttributesCommand({
            UserPoolId: poolId,
            CustomAttributes: Array.from({ length: n === 0 ? 25 : 24 }, (_, k) => ({
              Name: `f${n}_${k}`,
            })),
          }),
        );
      }
      const full = await add([{ Name: 'one_more' }]);

      expect(existing.name).toBe('InvalidParameterException');
      expect(existing.message).toBe(
        'custom:tenant_id: Existing attribute already has name custom:tenant_id.',
      );
      expect(twice.name).toBe('InvalidParameterException');
      expect(required.message).toBe('Required custom attributes are not supported currently.');
      expect(long.name).toBe('InvalidParameterException');
      expect(type.name).toBe('InvalidParameterException');
      expect(none.name).toBe('InvalidParameterException');
      expect(unchanged).toBe(before);
      expect(full.name).toBe('InvalidParameterException');
      expect(full.message).toContain('at most 50 custom attributes');
    });
  });

  describe('user pool domains', () => {
    it('creates, describes, updates and deletes a prefix and a custom domain', async () => {
      const prefix = `ops-${Date.now().toString(36)}`;
      const custom = `auth-${Date.now().toString(36)}.example.com`;

      const createdPrefix = await h.client.send(
        new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }),
      );
      const createdCustom = await h.client.send(
        new CreateUserPoolDomainCommand({
          UserPoolId: poolId,
          Domain: custom,
          ManagedLoginVersion: 2,
          CustomDomainConfig: { CertificateArn: CERTIFICATE },
        }),
      );
      const described = await h.client.send(new DescribeUserPoolDomainCommand({ Domain: custom }));
      const pool = (await h.client.send(new DescribeUserPoolCommand({ UserPoolId: poolId })))
        .UserPool;
      const updated = await h.client.send(
        new UpdateUserPoolDomainCommand({
          UserPoolId: poolId,
          Domain: prefix,
          ManagedLoginVersion: 2,
        }),
      );
      await h.client.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: custom }));
      const gone = await h.client.send(new DescribeUserPoolDomainCommand({ Domain: custom }));

      expect(createdPrefix).toMatchObject({ ManagedLoginVersion: 1 });
      expect(createdPrefix.CloudFrontDomain).toBeUndefined();
      expect(createdCustom.CloudFrontDomain).toMatch(/^d[a-z0-9]{13}\.cloudfront\.net$/);
      expect(described.DomainDescription).toMatchObject({
        UserPoolId: poolId,
        Domain: custom,
        Status: 'ACTIVE',
        ManagedLoginVersion: 2,
        CustomDomainConfig: { CertificateArn: CERTIFICATE },
        CloudFrontDistribution: createdCustom.CloudFrontDomain,
      });
      expect(pool).toMatchObject({ Domain: prefix, CustomDomain: custom });
      expect(updated.ManagedLoginVersion).toBe(2);
      expect(gone.DomainDescription).toEqual({});
    });

    it('keeps a pool with a domain from being deleted until the domain is', async () => {
      const name = `keep-${Date.now().toString(36)}`;
      await h.client.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: name }));

      const refused = await failure(
        h.client.send(new DeleteUserPoolCommand({ UserPoolId: poolId })),
      );
      await h.client.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: name }));
      await h.client.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));

      expect(refused.message).toBe(
        'User pool cannot be deleted. It has a domain configured that should be deleted first.',
      );
      expect(h.emulator.listUserPools().some((pool) => pool.id === poolId)).toBe(false);
    });

    it('refuses a reserved word, a taken name, a second prefix domain, a custom domain without certificate and a domain of another pool', async () => {
      const name = `taken-${Date.now().toString(36)}`;
      await h.client.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: name }));
      const other = h.emulator.createUserPool({ name: `other-${Math.random()}` }).id;
      const create = (input: Record<string, unknown>) =>
        failure(h.client.send(new CreateUserPoolDomainCommand(input as never)));

      const reserved = await create({ UserPoolId: other, Domain: 'my-cognito-login' });
      const taken = await create({ UserPoolId: other, Domain: name });
      const second = await create({ UserPoolId: poolId, Domain: `${name}-2` });
      const noCertificate = await create({ UserPoolId: other, Domain: 'login.example.org' });
      const upper = await create({ UserPoolId: other, Domain: 'Login' });
      const elsewhere = await failure(
        h.client.send(new DeleteUserPoolDomainCommand({ UserPoolId: other, Domain: name })),
      );

      expect(reserved.message).toBe('Domain cannot contain reserved word: cognito');
      expect(taken.message).toBe('Domain already associated with another user pool.');
      expect(second.message).toBe('User pool already has a domain configured.');
      expect(noCertificate.name).toBe('InvalidParameterException');
      expect(upper.name).toBe('InvalidParameterException');
      expect(elsewhere.message).toBe('No such domain or user pool exists.');
      expect(upper.message).toContain('The domain name contains an invalid character.');
    });
  });

  describe('risk configuration', () => {
    const enableThreatProtection = () =>
      h.client.send(
        new UpdateUserPoolCommand({
          UserPoolId: poolId,
          UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
          UserPoolTier: 'PLUS',
        }),
      );

    it('needs threat protection on the pool', async () => {
      const refused = await failure(
        h.client.send(
          new SetRiskConfigurationCommand({
            UserPoolId: poolId,
            RiskExceptionConfiguration: { BlockedIPRangeList: ['192.0.2.0/24'] },
          }),
        ),
      );

      expect(refused.name).toBe('UserPoolAddOnNotEnabledException');
    });

    it('sets a pool-wide and a client configuration, describes each, and removes one given nothing', async () => {
      await enableThreatProtection();

      const set = await h.client.send(
        new SetRiskConfigurationCommand({
          UserPoolId: poolId,
          CompromisedCredentialsRiskConfiguration: {
            EventFilter: ['SIGN_IN'],
            Actions: { EventAction: 'BLOCK' },
          },
          AccountTakeoverRiskConfiguration: {
            Actions: { HighAction: { Notify: false, EventAction: 'MFA_REQUIRED' } },
          },
        }),
      );
      await h.client.send(
        new SetRiskConfigurationCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          RiskExceptionConfiguration: { SkippedIPRangeList: ['10.0.0.0/8', '2001:db8::/32'] },
        }),
      );
      const forClient = await h.client.send(
        new DescribeRiskConfigurationCommand({ UserPoolId: poolId, ClientId: clientId }),
      );
      await h.client.send(
        new SetRiskConfigurationCommand({ UserPoolId: poolId, ClientId: clientId }),
      );
      const fallback = await h.client.send(
        new DescribeRiskConfigurationCommand({ UserPoolId: poolId, ClientId: clientId }),
      );

      expect(set.RiskConfiguration).toMatchObject({
        UserPoolId: poolId,
        CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
        AccountTakeoverRiskConfiguration: {
          Actions: { HighAction: { Notify: false, EventAction: 'MFA_REQUIRED' } },
        },
      });
      expect(set.RiskConfiguration?.LastModifiedDate).toBeInstanceOf(Date);
      expect(forClient.RiskConfiguration).toMatchObject({
        ClientId: clientId,
        RiskExceptionConfiguration: { SkippedIPRangeList: ['10.0.0.0/8', '2001:db8::/32'] },
      });
      expect(fallback.RiskConfiguration?.ClientId).toBeUndefined();
      expect(fallback.RiskConfiguration?.CompromisedCredentialsRiskConfiguration).toBeDefined();
    });

    it('refuses a bad action, range or client, changing nothing', async () => {
      await enableThreatProtection();
      const before = await poolSnapshot();
      const set = (input: Record<string, unknown>) =>
        failure(
          h.client.send(new SetRiskConfigurationCommand({ UserPoolId: poolId, ...input } as never)),
        );

      const action = await set({
        CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'MFA_REQUIRED' } },
      });
      const range = await set({ RiskExceptionConfiguration: { BlockedIPRangeList: ['10.0.0.0'] } });
      const client = await set({ ClientId: 'nope', RiskExceptionConfiguration: {} });
      const takeover = await set({ AccountTakeoverRiskConfiguration: {} });

      expect(action.name).toBe('InvalidParameterException');
      expect(range.name).toBe('InvalidParameterException');
      expect(client.name).toBe('ResourceNotFoundException');
      expect(takeover.name).toBe('InvalidParameterException');
      expect(await poolSnapshot()).toBe(before);
    });
  });
});

describe('admin operation inputs from outside', () => {
  it('answers any input with a result or a CognitoError, and a refused call changes nothing', async () => {
    const emulator = createCognitoEmulator({ region: REGION, baseUrl: 'http://127.0.0.1:1' });
    const poolId = emulator.createUserPool({ name: 'fuzz', usernameAttributes: ['email'] }).id;
    const { clientId } = emulator.createUserPoolClient(poolId, { name: 'web' });
    await emulator.seedUser(poolId, 'fuzz@example.com', PASSWORD, {
      email: 'fuzz@example.com',
      phone_number: '+15555550100',
    });
    await emulator.call('UpdateUserPool', {
      UserPoolId: poolId,
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    const junk = () => fc.jsonValue({ maxDepth: 3 });
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, junk());
    const settings = maybe(
      fc.record(
        { Enabled: maybe(fc.boolean()), PreferredMfa: maybe(fc.boolean()) },
        { requiredKeys: [] },
      ),
    );
    const input = fc.record(
      {
        UserPoolId: fc.oneof(fc.constant(poolId), junk()),
        ClientId: fc.oneof(fc.constant(clientId), junk()),
        Username: fc.oneof(fc.constant('fuzz@example.com'), junk()),
        SMSMfaSettings: settings,
        EmailMfaSettings: settings,
        SoftwareTokenMfaSettings: settings,
        WebAuthnMfaSettings: settings,
        CustomAttributes: maybe(
          fc.array(
            fc.record(
              {
                Name: maybe(fc.stringMatching(/^[a-z_]{1,22}$/)),
                AttributeDataType: maybe(fc.constantFrom('String', 'Number', 'Blob')),
                Mutable: maybe(fc.boolean()),
                Required: maybe(fc.boolean()),
                StringAttributeConstraints: junk(),
                NumberAttributeConstraints: junk(),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
        ),
        Domain: maybe(fc.stringMatching(/^[a-z0-9.-]{0,20}$/)),
        ManagedLoginVersion: maybe(fc.integer({ min: 0, max: 3 })),
        CustomDomainConfig: maybe(fc.record({ CertificateArn: maybe(fc.constant(CERTIFICATE)) })),
        CompromisedCredentialsRiskConfiguration: junk(),
        AccountTakeoverRiskConfiguration: maybe(
          fc.record(
            {
              Actions: maybe(fc.record({ LowAction: junk(), HighAction: junk() })),
              NotifyConfiguration: junk(),
            },
            { requiredKeys: [] },
          ),
        ),
        RiskExceptionConfiguration: maybe(
          fc.record(
            {
              BlockedIPRangeList: maybe(
                fc.array(
                  fc.oneof(
                    fc.ipV4(),
                    fc.ipV4().map((ip) => `${ip}/24`),
                    junk(),
                  ),
                  { maxLength: 3 },
                ),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    const operations = [
      'AdminSetUserMFAPreference',
      'AddCustomAttributes',
      'CreateUserPoolDomain',
      'UpdateUserPoolDomain',
      'DeleteUserPoolDomain',
      'DescribeUserPoolDomain',
      'SetRiskConfiguration',
      'DescribeRiskConfiguration',
    ];

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations), input, async (operation, body) => {
        const before = await snapshot(emulator, poolId);
        try {
          await emulator.call(operation, body as Record<string, unknown>);
        } catch (error) {
          if (!(error instanceof CognitoError)) throw error;
          expect(error.status).toBe(400);
          expect(await snapshot(emulator, poolId)).toBe(before);
        }
      }),
      { numRuns: 500 },
    );
  });
});
