import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_ENV } from '@authwatch/audit';
import { PRE_TOKEN_ENV, RulesError } from '@authwatch/pre-token-generation';
import { ROUTES } from '@authwatch/protected-api';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { FeaturePlan, OAuthScope, ResourceServerScope, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AuthwatchConfig,
  InvalidConfigError,
  loadConfig,
  validateConfig,
} from '../config/index.js';
import { CONFIG_CONTEXT_KEY, nagFindings, RULES_LAYER_DIR, TokenApi } from '../lib/index.js';

interface BuildOptions {
  config?: AuthwatchConfig;
  machineClient?: boolean;
  rulesFile?: string;
  bundle?: boolean;
}

/** A stack with a pool, a web and a machine client, and the TokenApi. */
function build(options: BuildOptions = {}) {
  const config = options.config ?? loadConfig('dev');
  const app = new App(
    options.bundle === false ? { context: { 'aws:cdk:bundling-stacks': [] } } : {},
  );
  const stack = new Stack(app, 'TokenApiTest', {
    env: { account: '111122223333', region: 'eu-west-1' },
  });
  stack.node.setContext(CONFIG_CONTEXT_KEY, config);
  const userPool = new UserPool(stack, 'Pool', { featurePlan: FeaturePlan.ESSENTIALS });
  const read = new ResourceServerScope({ scopeName: 'read', scopeDescription: 'read' });
  const server = userPool.addResourceServer('Api', { identifier: 'api', scopes: [read] });
  const web = userPool.addClient('Web', { authFlows: { userSrp: true } });
  const machine = userPool.addClient('Machine', {
    generateSecret: true,
    oAuth: {
      flows: { clientCredentials: true },
      scopes: [OAuthScope.resourceServer(server, read)],
    },
  });
  const granted: string[] = [];
  const audit = {
    grantEmit(fn: LambdaFunction) {
      granted.push(fn.node.id);
      fn.addEnvironment(AUDIT_ENV.streamName, 'audit-stream');
    },
  };
  const tokenApi = new TokenApi(stack, 'TokenApi', {
    config,
    userPool,
    clients: [web, machine],
    machineClient: options.machineClient ?? true,
    audit,
    rulesFile: options.rulesFile,
  });
  return { stack, tokenApi, granted, template: Template.fromStack(stack) };
}

describe('TokenApi', () => {
  let built: ReturnType<typeof build>;
  let template: Template;

  beforeAll(() => {
    built = build();
    template = built.template;
  }, 300_000);

  it('wires the pre token generation trigger as V3_0 when a machine client exists', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreTokenGenerationConfig: {
          LambdaArn: {
            'Fn::GetAtt': [Match.stringLikeRegexp('TokenApiPreTokenGeneration'), 'Arn'],
          },
          LambdaVersion: 'V3_0',
        },
      },
    });
  });

  it('ships the validated rules file in a layer the function reads at cold start', () => {
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Pre token generation'),
      Layers: [{ Ref: Match.stringLikeRegexp('TokenApiClaimsRules') }],
      Environment: {
        Variables: Match.objectLike({
          [PRE_TOKEN_ENV.rulesFile]: `${RULES_LAYER_DIR}/rules.yaml`,
          [PRE_TOKEN_ENV.triggerVersion]: 'V3_0',
          [AUDIT_ENV.streamName]: 'audit-stream',
          POWERTOOLS_SERVICE_NAME: 'pre-token-generation',
        }),
      },
    });
    expect(built.tokenApi.rules.file.rules.map((rule) => rule.name)).toContain('tenant-claim');
  });

  it('warns at synth that the demo rules map groups to roles of another account', () => {
    Annotations.fromStack(built.stack).hasWarning(
      '/TokenApiTest/TokenApi',
      Match.stringLikeRegexp('outside account 111122223333.*authwatch-admins'),
    );
  });

  it('lets only the trigger emit audit events', () => {
    expect(built.granted).toEqual(['PreTokenGeneration']);
  });

  it('allows Cognito to invoke the trigger', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('TokenApiPreTokenGeneration'), 'Arn'] },
    });
  });

  it('authorizes with the pool as issuer and the web and machine clients as audience', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [
          { Ref: Match.stringLikeRegexp('PoolWeb') },
          { Ref: Match.stringLikeRegexp('PoolMachine') },
        ],
        Issuer: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Pool'), 'ProviderURL'] },
      },
    });
  });

  it('creates one route per entry of the route table, with its scopes', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length);
    for (const route of ROUTES) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
        AuthorizationType: 'JWT',
        AuthorizationScopes: route.scopes.length > 0 ? [...route.scopes] : Match.absent(),
      });
    }
  });

  it('logs access to its own log group, throttles the stage and answers CORS from config', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TokenApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('authorizer.claims.sub'),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['http://localhost:5173'],
        AllowHeaders: ['authorization', 'content-type'],
        AllowMethods: ['GET', 'POST', 'OPTIONS'],
        MaxAge: 600,
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('never writes a header or token into the access log format', () => {
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    const format = String(stage?.Properties.AccessLogSettings.Format);

    expect(format).toContain('$context.requestId');
    expect(format).not.toMatch(/header|authorization|token/i);
  });

  it('traces both functions with X-Ray', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { TracingConfig: { Mode: 'Active' } },
      2,
    );
  });

  it('passes the AwsSolutions checks with every acknowledgement reasoned', () => {
    // The pool is the user-pool construct's (checked in its own tests); this is TokenApi's.
    expect(nagFindings(built.tokenApi)).toEqual([]);
  });
});

describe('TokenApi configuration', () => {
  it('wires V2_0 without a machine client', () => {
    const { template } = build({ machineClient: false, bundle: false });

    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0' } },
    });
  });

  it('takes CORS origins, throttling and the token budget from the config', () => {
    const config = validateConfig('dev', {
      ...(loadConfig('dev') as object),
      api: {
        cors: { allowOrigins: ['https://app.example.com'] },
        throttling: { rateLimit: 5, burstLimit: 10 },
      },
      claims: { tokenSizeBudget: 6000 },
    });

    const { template } = build({ config, bundle: false });

    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://app.example.com'] }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [PRE_TOKEN_ENV.tokenSizeBudget]: '6000' }) },
    });
  });

  it('refuses config values the API cannot take, naming the field', () => {
    const bad = {
      ...(loadConfig('dev') as object),
      api: { cors: { allowOrigins: ['*'], allowCredentials: true } },
    };

    expect(() => validateConfig('dev', bad)).toThrow(InvalidConfigError);
    expect(() =>
      validateConfig('dev', {
        ...(loadConfig('dev') as object),
        claims: { rulesFile: 'rules.txt' },
      }),
    ).toThrow(/claims\.rulesFile/);
  });

  it('throws at synth on a bad rules file, naming the rule and the field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bad-rules-')), 'rules.yaml');
    writeFileSync(
      file,
      'rules:\n  - name: sneaky\n    then: { idToken: { claims: { sub: admin } } }\n',
    );

    expect(() => build({ rulesFile: file, bundle: false })).toThrow(RulesError);
    expect(() => build({ rulesFile: file, bundle: false })).toThrow(
      /rule 1 \(sneaky\) then\.idToken\.claims\.sub/,
    );
  });

  it('throws at synth when the rules need more than the configured trigger version', () => {
    const config = validateConfig('dev', {
      ...(loadConfig('dev') as object),
      claims: { triggerVersion: 'V1_0' },
    });

    expect(() => build({ config, bundle: false })).toThrow(/needs V2_0/);
  });
});
