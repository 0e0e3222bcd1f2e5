import { AUDIT_ENV } from '@authwatch/audit';
import { POST_AUTH_ENV } from '@authwatch/post-auth';
import { PRE_SIGNUP_ENV } from '@authwatch/pre-signup';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthwatchConfig,
  InvalidConfigError,
  loadConfig,
  validateConfig,
} from '../config/index.js';
import { postAuthEnvironment } from '../config/sections/mail.js';
import { preSignUpEnvironment, UserPoolSectionSchema } from '../config/sections/user-pool.js';
import { CONFIG_CONTEXT_KEY, nagFindings } from '../lib/index.js';
import { AuthwatchUserPool } from '../lib/user-pool.js';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const GOOGLE_SECRET =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:authwatch/google-AbCdEf';

/** A prod config with every optional feature of the section turned on. */
const FULL = validateConfig('prod', {
  ...(loadConfig('prod') as object),
  userPool: {
    signInWithUsername: true,
    domainPrefix: 'authwatch-test',
    customDomain: {
      domainName: 'auth.example.com',
      certificateArn:
        'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666',
    },
    webClient: {
      callbackUrls: ['https://app.example.com/callback'],
      logoutUrls: ['https://app.example.com/'],
      accessTokenMinutes: 30,
      refreshTokenMinutes: 7 * 24 * 60,
    },
    machineClient: { scopes: ['read', 'admin'] },
    federation: {
      saml: [
        {
          name: 'CorpADFS',
          metadataFile: 'tests/fixtures/saml-metadata.xml',
          attributeMapping: {
            email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
          },
        },
        {
          name: 'EntraID',
          metadataUrl:
            'https://login.microsoftonline.com/tenant/federationmetadata/2007-06/federationmetadata.xml',
        },
      ],
      oidc: [
        {
          name: 'Okta',
          issuerUrl: 'https://example.okta.com',
          clientId: 'okta-client',
          clientSecret: { secret: 'authwatch/okta', field: 'clientSecret' },
          attributeMapping: { given_name: 'given_name' },
        },
      ],
      google: { clientId: 'google-client', clientSecret: { secret: GOOGLE_SECRET } },
      facebook: { clientId: 'fb-app', clientSecret: { secret: 'authwatch/facebook' } },
      amazon: { clientId: 'amzn-client', clientSecret: { secret: 'authwatch/amazon' } },
      apple: {
        clientId: 'com.example.web',
        teamId: 'TEAM123',
        keyId: 'KEY123',
        privateKey: { secret: 'authwatch/apple' },
      },
    },
    identityPool: { principalTags: { tenant: 'custom:tenant_id', username: 'sub' } },
    signUpPolicy: { denyDomains: ['competitor.example'], linkFederated: 'link', autoConfirm: [] },
  },
  mail: {
    from: 'Example Security <security@example.com>',
    configurationSet: 'authwatch-mail',
    newDevice: { appName: 'Example', supportUrl: 'https://help.example.com' },
  },
});

interface Built {
  stack: Stack;
  pool: AuthwatchUserPool;
  template: Template;
  granted: string[];
}

/** `bundle: false` skips esbuild for the extra synths (bundling is covered by the first). */
function build(config: AuthwatchConfig, withAudit: boolean, bundle: boolean): Built {
  const app = new App(bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'UserPoolTest', { env: ENV });
  stack.node.setContext(CONFIG_CONTEXT_KEY, config);
  const granted: string[] = [];
  const audit = {
    grantEmit(fn: LambdaFunction) {
      granted.push(fn.node.id);
      fn.addEnvironment(AUDIT_ENV.streamName, 'audit-stream');
    },
  };
  const pool = new AuthwatchUserPool(stack, 'UserPool', {
    config,
    ...(withAudit ? { audit } : {}),
  });
  return { stack, pool, granted, template: Template.fromStack(stack) };
}

function logicalId(built: Built, construct: { node: { defaultChild?: unknown } }): string {
  return built.stack.getLogicalId(construct.node.defaultChild as never);
}

describe('AuthwatchUserPool (every feature, prod)', () => {
  let built: Built;
  let template: Template;

  beforeAll(() => {
    built = build(FULL, true, true);
    template = built.template;
  }, 300_000);

  it('creates a user pool on the Essentials plan with email and user-name sign-in', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'ESSENTIALS',
      AliasAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      DeletionProtection: 'ACTIVE',
    });
  });

  it('declares custom attributes Cognito accepts: names of at most 20 characters, the lock among them', () => {
    const pools = template.findResources('AWS::Cognito::UserPool');
    const schema = Object.values(pools).flatMap(
      (pool) => (pool as { Properties: { Schema?: { Name: string }[] } }).Properties.Schema ?? [],
    );
    const names = schema.map((attribute) => attribute.Name);
    // CreateUserPool's SchemaAttributeType.Name: 1 to 20 characters (without `custom:`).
    expect(names.filter((name) => name.length > 20)).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['tenant_id', 'authwatch_lock_until']));
  });

  it('has the configured password policy, optional TOTP and SMS MFA with an SMS role, and email-only recovery', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 7,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: Match.arrayWith(['SMS_MFA', 'SOFTWARE_TOKEN_MFA']),
      SmsConfiguration: Match.objectLike({ SnsCallerArn: Match.anyValue() }),
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('leaves threat protection off and tracks devices for the new-device signal', () => {
    const pools = template.findResources('AWS::Cognito::UserPool');
    const props = Object.values(pools)[0]?.Properties;
    expect(props.UserPoolAddOns).toBeUndefined();
    expect(props.DeviceConfiguration).toEqual({
      ChallengeRequiredOnNewDevice: true,
      DeviceOnlyRememberedOnUserPrompt: true,
    });
  });

  it('keeps the pool on stack deletion in prod', () => {
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
  });

  it('wires the pre sign-up and post authentication functions as triggers', () => {
    const preSignUp = logicalId(built, built.pool.preSignUpFunction);
    const postAuth = logicalId(built, built.pool.postAuthFunction);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreSignUp: { 'Fn::GetAtt': [preSignUp, 'Arn'] },
        PostAuthentication: { 'Fn::GetAtt': [postAuth, 'Arn'] },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [preSignUp, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
    });
  });

  it('gives the functions their environment from the config constants', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'pre-signup',
          [PRE_SIGNUP_ENV.denyDomains]: 'competitor.example',
          [PRE_SIGNUP_ENV.linkFederated]: 'link',
          [PRE_SIGNUP_ENV.autoConfirm]: 'none',
          [AUDIT_ENV.streamName]: 'audit-stream',
        }),
      },
      Runtime: Match.stringLikeRegexp('^nodejs'),
      TracingConfig: { Mode: 'Active' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'post-auth',
          [POST_AUTH_ENV.mailFrom]: 'Example Security <security@example.com>',
          [POST_AUTH_ENV.configurationSet]: 'authwatch-mail',
          [POST_AUTH_ENV.appName]: 'Example',
        }),
      },
    });
    expect(built.granted).toEqual(['PreSignUp', 'PostAuth']);
  });

  it('grants ListUsers and AdminLinkProviderForUser on this pool only, in a policy the function does not depend on', () => {
    const poolId = logicalId(built, built.pool.userPool);
    const policyId = logicalId(built, built.pool.linkingPolicy);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['cognito-idp:ListUsers', 'cognito-idp:AdminLinkProviderForUser'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [poolId, 'Arn'] },
          },
        ],
      },
      Roles: [{ Ref: Match.stringLikeRegexp('PreSignUpRole') }],
    });
    const fn = template.toJSON().Resources[logicalId(built, built.pool.preSignUpFunction)];
    expect(JSON.stringify(fn)).not.toContain(poolId);
    expect(fn.DependsOn ?? []).not.toContain(policyId);
  });

  it('lets only post-auth send mail, from one SES identity and its configuration set', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    const send = statements.filter((statement) =>
      [statement.Action].flat().includes('ses:SendEmail'),
    );
    expect(send).toHaveLength(1);
    expect(JSON.stringify(send[0].Resource)).toContain(':identity/example.com');
    expect(JSON.stringify(send[0].Resource)).toContain(':configuration-set/authwatch-mail');
    expect(JSON.stringify(send)).not.toContain('"*"');
  });

  it('creates the SES email identity with the configuration set', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'authwatch-mail' });
  });

  it('has a public web client with custom auth and the OAuth code flow, no password-only flow in password-then-otp mode', () => {
    expect(FULL.customChallenge?.mode).toBe('password-then-otp');
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'web',
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayEquals(['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      CallbackURLs: ['https://app.example.com/callback'],
      LogoutURLs: ['https://app.example.com/'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
  });

  it('sets token validity from the config within Cognito’s limits', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'web',
      AccessTokenValidity: 30,
      IdTokenValidity: 60,
      RefreshTokenValidity: 7 * 24 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      // The custom-challenge section's session validity wins when it is set.
      AuthSessionValidity: 5,
    });
  });

  it('lets the web client sign in with every configured identity provider', () => {
    const idps = built.pool.identityProviders.map((idp) => ({
      Ref: built.stack.getLogicalId(idp.node.defaultChild as never),
    }));
    expect(idps).toHaveLength(7);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'web',
      SupportedIdentityProviders: Match.arrayEquals(['COGNITO', ...idps]),
    });
    const types = Object.values(
      template.findResources('AWS::Cognito::UserPoolIdentityProvider'),
    ).map((idp) => idp.Properties.ProviderName);
    expect(types).toEqual([
      'CorpADFS',
      'EntraID',
      'Okta',
      'Google',
      'Facebook',
      'LoginWithAmazon',
      'SignInWithApple',
    ]);
  });

  it('has a confidential machine client with client credentials and custom scopes only', () => {
    const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient')).find(
      (resource) => resource.Properties.ClientName === 'machine',
    );
    expect(client?.Properties).toMatchObject({
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      PreventUserExistenceErrors: 'ENABLED',
      SupportedIdentityProviders: ['COGNITO'],
    });
    const scopes = built.stack.resolve(built.pool.scopes);
    expect(client?.Properties.AllowedOAuthScopes).toEqual([
      scopes.read.scopeName,
      scopes.admin.scopeName,
    ]);
  });

  it('lets the web client request OpenID scopes and its configured API scopes', () => {
    const scopes = built.stack.resolve(built.pool.scopes);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'web',
      AllowedOAuthScopes: [
        'openid',
        'email',
        'profile',
        scopes.read.scopeName,
        scopes.write.scopeName,
      ],
    });
  });

  it('has a resource server with the configured scopes', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'api',
      Scopes: [
        { ScopeName: 'read', ScopeDescription: 'Read the API' },
        { ScopeName: 'write', ScopeDescription: 'Change data through the API' },
        { ScopeName: 'admin', ScopeDescription: 'Administer the API' },
      ],
    });
    expect(Object.keys(built.pool.scopes)).toEqual(['read', 'write', 'admin']);
    expect(built.stack.resolve(built.pool.scopes.read?.scopeName)).toEqual({
      'Fn::Join': ['', [{ Ref: logicalId(built, built.pool.resourceServer) }, '/read']],
    });
  });

  it('has a Cognito domain prefix and the custom domain with its certificate', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'authwatch-test' });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'auth.example.com',
      CustomDomainConfig: {
        CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:us-east-1:'),
      },
    });
  });

  it('creates the groups, with identity-pool roles where configured', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 3);
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'admins',
      Precedence: 0,
      RoleArn: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'users',
      RoleArn: Match.absent(),
    });
    expect(Object.keys(built.pool.groupRoles)).toEqual(['admins', 'security']);
  });

  it('federates SAML from a file and a URL, with attribute mapping', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'CorpADFS',
      ProviderType: 'SAML',
      ProviderDetails: Match.objectLike({
        MetadataFile: Match.stringLikeRegexp('EntityDescriptor'),
      }),
      AttributeMapping: {
        email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'EntraID',
      ProviderDetails: Match.objectLike({ MetadataURL: Match.stringLikeRegexp('^https://login') }),
    });
  });

  it('federates OIDC with its secret as a Secrets Manager dynamic reference', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'Okta',
      ProviderType: 'OIDC',
      ProviderDetails: Match.objectLike({
        client_id: 'okta-client',
        oidc_issuer: 'https://example.okta.com',
        client_secret: Match.stringLikeRegexp(
          '^\\{\\{resolve:secretsmanager:authwatch/okta:SecretString:clientSecret::\\}\\}$',
        ),
      }),
      AttributeMapping: {
        email: 'email',
        email_verified: 'email_verified',
        given_name: 'given_name',
      },
    });
  });

  it('federates the social providers, never with a plain-text secret', () => {
    for (const type of ['Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple']) {
      template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
        ProviderName: type,
        ProviderType: type,
        AttributeMapping: Match.objectLike({ email: 'email' }),
      });
    }
    const idps = JSON.stringify(template.findResources('AWS::Cognito::UserPoolIdentityProvider'));
    const secrets = [...idps.matchAll(/"(client_secret|private_key)":("[^"]*"|\{[^}]*\})/g)];
    expect(secrets.length).toBe(5);
    for (const [, , value] of secrets) expect(value).toContain('resolve:secretsmanager');
  });

  it('has an identity pool with role mapping from the token and principal tags', () => {
    template.hasResourceProperties('AWS::Cognito::IdentityPool', {
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [Match.objectLike({ ServerSideTokenCheck: true })],
    });
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      Roles: { authenticated: Match.anyValue(), unauthenticated: Match.anyValue() },
      RoleMappings: {
        userPool: Match.objectLike({ Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole' }),
      },
    });
    template.hasResourceProperties('AWS::Cognito::IdentityPoolPrincipalTag', {
      PrincipalTags: { tenant: 'custom:tenant_id', username: 'sub' },
      UseDefaults: false,
    });
  });

  it('lets identity-pool roles tag sessions for ABAC, only for this identity pool', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')).filter((role) =>
      JSON.stringify(role).includes('cognito-identity.amazonaws.com'),
    );
    // authenticated, guest, and the two group roles
    expect(roles).toHaveLength(4);
    for (const role of roles) {
      const statements = role.Properties.AssumeRolePolicyDocument.Statement;
      const tag = statements.find((s: { Action: string }) => s.Action === 'sts:TagSession');
      expect(tag?.Condition.StringEquals['cognito-identity.amazonaws.com:aud']).toBeDefined();
    }
  });

  it('exposes what other constructs wire to', () => {
    expect(built.pool.userPool).toBeDefined();
    expect(built.pool.webClient).toBeDefined();
    expect(built.pool.machineClient).toBeDefined();
    expect(built.pool.resourceServer).toBeDefined();
    expect(built.pool.identityPool).toBeDefined();
    expect(built.pool.identityProviders).toHaveLength(7);
  });

  it('passes the AwsSolutions checks with every acknowledgement reasoned', () => {
    expect(nagFindings(built.pool)).toEqual([]);
  });
});

describe('AuthwatchUserPool (dev defaults, no mail, no audit)', () => {
  let built: Built;
  let template: Template;

  beforeAll(() => {
    const { mail: _mail, ...withoutMail } = loadConfig('dev');
    built = build(validateConfig('dev', withoutMail), false, false);
    template = built.template;
  }, 120_000);

  it('has no deletion protection in dev and is destroyed with the stack', () => {
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtection: 'INACTIVE' }),
    });
  });

  it('lets the web client use SRP, custom auth and refresh', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'web',
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayEquals([
        'ALLOW_CUSTOM_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ]),
    });
  });

  it('signs in with email only', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', { UsernameAttributes: ['email'] });
  });

  it('uses the default token validity: 60 minutes and 30 days', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'web',
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 30 * 24 * 60,
    });
  });

  it('turns audit off in the functions when no audit stream is given', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [AUDIT_ENV.enabled]: 'false' }) },
    });
  });

  it('grants no ses:SendEmail when no mail is configured', () => {
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(
      'ses:SendEmail',
    );
    template.resourceCountIs('AWS::SES::EmailIdentity', built.pool.mailIdentity ? 1 : 0);
  });

  it('passes the AwsSolutions checks', () => {
    expect(nagFindings(built.pool)).toEqual([]);
  });
});

describe('user-pool config section', () => {
  it('fills every default, so an empty section is a working pool', () => {
    const section = UserPoolSectionSchema.parse({});
    expect(section).toMatchObject({
      featurePlan: 'essentials',
      threatProtection: 'off',
      mfa: 'optional',
      webClient: { accessTokenMinutes: 60, idTokenMinutes: 60, refreshTokenMinutes: 43_200 },
      resourceServer: { identifier: 'api' },
    });
    expect(section.groups.map((group) => group.name)).toEqual(['admins', 'security', 'users']);
  });

  it.each([
    ['userPool.webClient.accessTokenMinutes', { webClient: { accessTokenMinutes: 4 } }],
    ['userPool.webClient.idTokenMinutes', { webClient: { idTokenMinutes: 1_441 } }],
    ['userPool.webClient.refreshTokenMinutes', { webClient: { refreshTokenMinutes: 59 } }],
    [
      'userPool.webClient.refreshTokenMinutes',
      { webClient: { refreshTokenMinutes: 3_651 * 24 * 60 } },
    ],
    ['userPool.webClient.authSessionMinutes', { webClient: { authSessionMinutes: 16 } }],
    ['userPool.threatProtection', { threatProtection: 'enforced' }],
    ['userPool.domainPrefix', { domainPrefix: 'my-cognito-login' }],
    ['userPool.webClient.scopes', { webClient: { scopes: ['unknown'] } }],
    ['userPool.federation.saml.0.metadataUrl', { federation: { saml: [{ name: 'Corp' }] } }],
    [
      'userPool.signUpPolicy.inviteCodeSha256.0',
      { signUpPolicy: { inviteCodeSha256: ['WELCOME'] } },
    ],
    [
      'userPool.customDomain.certificateArn',
      {
        customDomain: {
          domainName: 'auth.example.com',
          certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x',
        },
      },
    ],
  ])('names %s when it is out of bounds', (field, userPool) => {
    let error: unknown;
    try {
      validateConfig('dev', { ...(loadConfig('dev') as object), userPool });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).fields).toContain(field);
  });

  it('allows threat protection on the Plus plan', () => {
    expect(
      UserPoolSectionSchema.parse({ featurePlan: 'plus', threatProtection: 'audit' })
        .threatProtection,
    ).toBe('audit');
  });

  it('turns the sign-up policy into the pre sign-up variables, "none" for an empty source list', () => {
    const env = preSignUpEnvironment(
      UserPoolSectionSchema.parse({
        signUpPolicy: { allowDomains: ['example.com', 'corp.example'], autoVerifyEmail: [] },
      }),
    );
    expect(env).toEqual({
      [PRE_SIGNUP_ENV.allowDomains]: 'example.com,corp.example',
      [PRE_SIGNUP_ENV.blockDisposable]: 'true',
      [PRE_SIGNUP_ENV.checkAdminCreated]: 'false',
      [PRE_SIGNUP_ENV.autoConfirm]: 'ExternalProvider',
      [PRE_SIGNUP_ENV.autoVerifyEmail]: 'none',
      [PRE_SIGNUP_ENV.autoVerifyPhone]: 'none',
      [PRE_SIGNUP_ENV.linkFederated]: 'link',
    });
  });

  it('turns the mail section into the post-auth variables, mail off without one', () => {
    expect(postAuthEnvironment(undefined)).toEqual({ [POST_AUTH_ENV.newDeviceMail]: 'false' });
    expect(postAuthEnvironment(FULL.mail)).toMatchObject({
      [POST_AUTH_ENV.newDeviceMail]: 'true',
      [POST_AUTH_ENV.supportUrl]: 'https://help.example.com',
    });
  });

  it('refuses a sender outside the mail identity', () => {
    let error: unknown;
    try {
      validateConfig('dev', {
        ...(loadConfig('dev') as object),
        mail: { from: 'a@other.example', identity: 'example.com' },
      });
    } catch (caught) {
      error = caught;
    }
    expect((error as InvalidConfigError).fields).toContain('mail.identity');
  });
});
