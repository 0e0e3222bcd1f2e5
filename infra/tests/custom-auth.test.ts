import { AUDIT_ENV } from '@authwatch/audit';
import { CUSTOM_CHALLENGE_ENV } from '@authwatch/custom-challenge';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { OAuthScope, ResourceServerScope, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { appClientSpecs, cdkAuthFlows } from '../config/clients.js';
import {
  type AuthwatchConfig,
  InvalidConfigError,
  loadConfig,
  validateConfig,
} from '../config/index.js';
import {
  CustomChallengeSectionSchema,
  customChallengeEnvironment,
} from '../config/sections/custom-challenge.js';
import {
  CONFIG_CONTEXT_KEY,
  CustomAuth,
  customAuthClientOptions,
  nagFindings,
} from '../lib/index.js';

/** An ARN as CDK writes it, with the partition left to CloudFormation. */
const arnOf = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

/** `bundle: false` skips esbuild (the bundling itself is covered where bundling matters). */
function build(
  config: AuthwatchConfig,
  withAudit: boolean,
  bundle = true,
  mail: { sesIdentityArn?: string; configurationSetName?: string } = {},
) {
  const app = new App(bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'CustomAuthTest', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  stack.node.setContext(CONFIG_CONTEXT_KEY, config);
  const userPool = new UserPool(stack, 'Pool');
  const granted: string[] = [];
  const audit = {
    grantEmit(fn: LambdaFunction) {
      granted.push(fn.node.id);
      fn.addEnvironment(AUDIT_ENV.streamName, 'audit-stream');
    },
  };
  const customAuth = new CustomAuth(stack, 'CustomAuth', {
    config,
    userPool,
    ...(withAudit ? { audit } : {}),
    ...mail,
  });
  const client = userPool.addClient('Web', { authFlows: { userSrp: true } });
  customAuth.allowOn(client);
  const optionsClient = userPool.addClient('Spa', {
    ...customAuthClientOptions(customAuth.section),
  });
  return { stack, customAuth, granted, client, optionsClient, template: Template.fromStack(stack) };
}

describe('CustomAuth', () => {
  let built: ReturnType<typeof build>;
  let template: Template;
  // Without a mail section: the grant comes from this section's own mail settings.
  const config = validateConfig('dev', {
    ...(loadConfig('dev') as object),
    mail: undefined,
    customChallenge: {
      mode: 'password-then-otp',
      maxAttempts: 4,
      codeLength: 8,
      codeTtlSeconds: 240,
      mailFrom: 'Sign-in <no-reply@mail.example.com>',
      mailConfigurationSet: 'authwatch-mail',
      mailTemplates: { en: { subject: 'Your Acme code' } },
      authSessionValidityMinutes: 7,
    },
  });

  beforeAll(() => {
    built = build(config, true);
    template = built.template;
  }, 300_000);

  it('deploys three functions on the package’s three entries', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    for (const description of [
      'decides the next challenge',
      'issues and mails',
      'checks the answer',
    ]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: {
          Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'custom-challenge' }),
        },
        TracingConfig: { Mode: 'Active' },
        Timeout: 5,
      });
    }
  });

  it('attaches define, create and verify to the user pool', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        DefineAuthChallenge: { 'Fn::GetAtt': [Match.stringLikeRegexp('CustomAuthDefine'), 'Arn'] },
        CreateAuthChallenge: { 'Fn::GetAtt': [Match.stringLikeRegexp('CustomAuthCreate'), 'Arn'] },
        VerifyAuthChallengeResponse: {
          'Fn::GetAtt': [Match.stringLikeRegexp('CustomAuthVerify'), 'Arn'],
        },
      },
    });
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Permission',
      { Principal: 'cognito-idp.amazonaws.com' },
      3,
    );
  });

  it('sets each function’s variables from the config section, with the exported names', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('issues and mails'),
      Environment: {
        Variables: Match.objectLike({
          [CUSTOM_CHALLENGE_ENV.mode]: 'password-then-otp',
          [CUSTOM_CHALLENGE_ENV.maxAttempts]: '4',
          [CUSTOM_CHALLENGE_ENV.codeLength]: '8',
          [CUSTOM_CHALLENGE_ENV.codeTtlSeconds]: '240',
          [CUSTOM_CHALLENGE_ENV.mailFrom]: 'Sign-in <no-reply@mail.example.com>',
          [CUSTOM_CHALLENGE_ENV.mailConfigurationSet]: 'authwatch-mail',
          [CUSTOM_CHALLENGE_ENV.mailTemplates]: '{"en":{"subject":"Your Acme code"}}',
          [CUSTOM_CHALLENGE_ENV.keySecretArn]: { Ref: Match.stringLikeRegexp('CodeKey') },
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('decides the next challenge'),
      Environment: {
        Variables: Match.objectLike({
          [CUSTOM_CHALLENGE_ENV.keySecretArn]: Match.absent(),
          [CUSTOM_CHALLENGE_ENV.mailFrom]: Match.absent(),
        }),
      },
    });
  });

  it('lets only create send mail: ses:SendEmail on one identity (and the configuration set)', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const withSes = Object.entries(policies).filter(([, policy]) =>
      JSON.stringify(policy).includes('ses:'),
    );
    expect(withSes).toHaveLength(1);
    expect(withSes[0]?.[0]).toMatch(/CustomAuthCreate/);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'ses:SendEmail',
            Effect: 'Allow',
            Resource: [
              arnOf(':ses:eu-west-1:123456789012:identity/mail.example.com'),
              arnOf(':ses:eu-west-1:123456789012:configuration-set/authwatch-mail'),
            ],
          },
        ]),
      },
    });
  });

  it('generates a code key that only create and verify may read', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    const readers = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, policy]) => JSON.stringify(policy).includes('secretsmanager:GetSecretValue'))
      .map(([id]) => id);
    expect(readers).toHaveLength(2);
    expect(readers.join(' ')).toMatch(/CustomAuthCreate/);
    expect(readers.join(' ')).toMatch(/CustomAuthVerify/);
  });

  it('lets create and verify call GetSecretValue on the code key alone, and nothing else on it', () => {
    const secret = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (
        policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]
      ).filter((statement) => JSON.stringify(statement).includes('secretsmanager:')),
    );
    expect(statements).toHaveLength(2);
    for (const statement of statements) {
      expect(statement).toMatchObject({
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: { Ref: secret },
      });
    }
  });

  it('gives every function the audit grant', () => {
    expect(built.granted.sort()).toEqual(['Create', 'Define', 'Verify']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [AUDIT_ENV.streamName]: 'audit-stream' }) },
    });
  });

  it('lets the web client use CUSTOM_AUTH with the configured auth session validity', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH']),
      AuthSessionValidity: 7,
      PreventUserExistenceErrors: 'ENABLED',
    });
    template.resourcePropertiesCountIs(
      'AWS::Cognito::UserPoolClient',
      {
        ExplicitAuthFlows: Match.arrayWith(['ALLOW_CUSTOM_AUTH']),
        AuthSessionValidity: 7,
        PreventUserExistenceErrors: 'ENABLED',
      },
      2,
    );
  });

  it('passes the AwsSolutions checks with every acknowledgement reasoned', () => {
    expect(nagFindings(built.customAuth)).toEqual([]);
  });

  it('warns in password-then-otp mode that a client with a password flow skips the code', () => {
    const warnings = Annotations.fromStack(built.stack).findWarning(
      '*',
      Match.stringLikeRegexp('lets users sign in without the email code'),
    );
    const texts = warnings.map((warning) => String(warning.entry.data));
    expect(texts).toContainEqual(expect.stringMatching(/Web\/Resource .*ALLOW_USER_SRP_AUTH/));
    // CDK's default OAuth settings open Cognito's hosted sign-in page: a password-only path too.
    expect(texts).toContainEqual(expect.stringMatching(/Spa\/Resource .*Cognito hosted sign-in/));
  });
});

describe('CustomAuth without an audit stream', () => {
  it('turns auditing off rather than failing at cold start', () => {
    const { template } = build(loadConfig('dev'), false, false);
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Environment: { Variables: Match.objectLike({ [AUDIT_ENV.enabled]: 'false' }) } },
      3,
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Resource: arnOf(':ses:eu-west-1:123456789012:identity/example.com'),
          }),
        ]),
      },
    });
  });
});

describe('CustomAuth with the stack’s own SES identity', () => {
  it('grants and configures the identity and configuration set it is given', () => {
    const identityArn = 'arn:aws:ses:eu-west-1:123456789012:identity/mail.example.org';
    const { template } = build(loadConfig('dev'), false, false, {
      sesIdentityArn: identityArn,
      configurationSetName: 'stack-mail',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Resource: [
              identityArn,
              arnOf(':ses:eu-west-1:123456789012:configuration-set/stack-mail'),
            ],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [CUSTOM_CHALLENGE_ENV.mailConfigurationSet]: 'stack-mail' }),
      },
    });
  });
});

describe('custom-challenge config section', () => {
  const base = { mailFrom: 'no-reply@example.com' };

  it.each([
    [{ ...base, authSessionValidityMinutes: 2 }, 'authSessionValidityMinutes'],
    [{ ...base, authSessionValidityMinutes: 16 }, 'authSessionValidityMinutes'],
    [{ ...base, codeLength: 9 }, 'codeLength'],
    [{ ...base, maxAttempts: 0 }, 'maxAttempts'],
    [{ ...base, codeTtlSeconds: 600, authSessionValidityMinutes: 5 }, 'codeTtlSeconds'],
    [{ ...base, sesIdentity: 'other.example' }, 'sesIdentity'],
    [{ mailFrom: 'not-an-address' }, 'mailFrom'],
    [{ ...base, mode: 'sms' }, 'mode'],
  ])('refuses %j, naming %s', (section, field) => {
    const result = CustomChallengeSectionSchema.safeParse(section);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('names the field inside the environment’s config', () => {
    expect(() =>
      validateConfig('dev', {
        ...(loadConfig('dev') as object),
        customChallenge: { ...base, authSessionValidityMinutes: 20 },
      }),
    ).toThrow(/customChallenge\.authSessionValidityMinutes/);
  });

  it('gives define and verify no mail settings, and create all of them', () => {
    const section = CustomChallengeSectionSchema.parse(base);
    expect(Object.keys(customChallengeEnvironment(section, 'define')).sort()).toEqual(
      [
        CUSTOM_CHALLENGE_ENV.codeLength,
        CUSTOM_CHALLENGE_ENV.codeTtlSeconds,
        CUSTOM_CHALLENGE_ENV.maxAttempts,
        CUSTOM_CHALLENGE_ENV.mode,
      ].sort(),
    );
    expect(customChallengeEnvironment(section, 'create')).toMatchObject({
      [CUSTOM_CHALLENGE_ENV.mailFrom]: 'no-reply@example.com',
      [CUSTOM_CHALLENGE_ENV.defaultLocale]: 'en',
      [CUSTOM_CHALLENGE_ENV.sesTimeoutMs]: '1500',
    });
  });
});

describe('CustomAuth with a mail section', () => {
  const dev = loadConfig('dev') as object;

  it('grants the mail section’s identity and configuration set, not the challenge section’s', () => {
    const config = validateConfig('dev', {
      ...dev,
      mail: { from: 'Security <security@example.com>', configurationSet: 'authwatch-mail' },
      customChallenge: {
        mailFrom: 'Sign-in <sign-in@example.com>',
        sesIdentity: 'sign-in@example.com',
        mailConfigurationSet: 'challenge-only',
      },
    });
    const { template } = build(config, false, false);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Resource: [
              arnOf(':ses:eu-west-1:123456789012:identity/example.com'),
              arnOf(':ses:eu-west-1:123456789012:configuration-set/authwatch-mail'),
            ],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('issues and mails'),
      Environment: {
        Variables: Match.objectLike({
          [CUSTOM_CHALLENGE_ENV.mailConfigurationSet]: 'authwatch-mail',
        }),
      },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('challenge-only');
  });

  it('covers a sender on a subdomain of the mail section’s domain identity', () => {
    const config = validateConfig('dev', {
      ...dev,
      mail: { from: 'security@example.com' },
      customChallenge: { mailFrom: 'no-reply@mail.example.com' },
    });
    expect(() => build(config, false, false)).not.toThrow();
  });

  it('fails validation, naming customChallenge.mailFrom, when the granted identity does not cover the sender', () => {
    const raw = {
      ...dev,
      mail: { from: 'Security <security@example.com>' },
      customChallenge: { mailFrom: 'Sign-in <no-reply@other.example>' },
    };
    let error: unknown;
    try {
      validateConfig('dev', raw);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).fields).toEqual(['customChallenge.mailFrom']);
    expect((error as Error).message).toMatch(
      /no-reply@other\.example.*mail section's SES identity "example\.com"/,
    );
  });

  it('fails the synth when a config that skipped validation has such a sender', () => {
    const valid = validateConfig('dev', dev);
    const config = {
      ...valid,
      mail: { ...(valid.mail as object), identity: 'security@example.com' },
      customChallenge: { ...(valid.customChallenge as object), mailFrom: 'codes@example.com' },
    } as AuthwatchConfig;
    expect(() => build(config, false, false)).toThrow(
      /customChallenge\.mailFrom sends from codes@example\.com.*"security@example\.com"/,
    );
  });
});

describe('the password-then-otp bypass warning', () => {
  it('does not fire for a client-credentials-only machine client', () => {
    const config = validateConfig('prod', loadConfig('prod') as object);
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'BypassTest', {
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    stack.node.setContext(CONFIG_CONTEXT_KEY, config);
    const userPool = new UserPool(stack, 'Pool');
    new CustomAuth(stack, 'CustomAuth', { config, userPool });
    const server = userPool.addResourceServer('Api', {
      identifier: 'api',
      scopes: [new ResourceServerScope({ scopeName: 'read', scopeDescription: 'read' })],
    });
    const machine = appClientSpecs(config).machine;
    if (!machine) throw new Error('prod has a machine client');
    userPool.addClient('Machine', {
      generateSecret: true,
      authFlows: cdkAuthFlows(machine),
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [
          OAuthScope.resourceServer(
            server,
            new ResourceServerScope({ scopeName: 'read', scopeDescription: 'read' }),
          ),
        ],
      },
    });
    // Explicit flows unset: Cognito allows SRP on it, a password-only path.
    userPool.addClient('Unpinned', {
      generateSecret: true,
      authFlows: {},
      oAuth: { flows: { clientCredentials: true }, scopes: [OAuthScope.custom('api/read')] },
    });
    const texts = Annotations.fromStack(stack)
      .findWarning('*', Match.stringLikeRegexp('lets users sign in without the email code'))
      .map((warning) => String(warning.entry.data));
    expect(texts.some((text) => text.includes('Machine/Resource'))).toBe(false);
    expect(texts).toContainEqual(
      expect.stringMatching(/Unpinned\/Resource .*\(ALLOW_USER_SRP_AUTH\)/),
    );
  });
});
