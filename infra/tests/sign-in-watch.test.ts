import { AUDIT_ENV } from '@authwatch/audit';
import { CLOUDTRAIL_ENV, RECORDED_CALLS } from '@authwatch/cloudtrail';
import { PRE_AUTH_ENV } from '@authwatch/pre-auth/config';
import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { type AuthwatchConfig, loadConfig, validateConfig } from '../config/index.js';
import { CONFIG_CONTEXT_KEY, nagFindings, SignInWatch } from '../lib/index.js';

function configWith(signInWatch: Record<string, unknown> | undefined): AuthwatchConfig {
  return validateConfig('dev', {
    ...(loadConfig('dev') as object),
    ...(signInWatch ? { signInWatch } : {}),
  });
}

/** Builds the construct in a stack of its own; `bundle: false` skips esbuild. */
function build(signInWatch?: Record<string, unknown>, bundle = false) {
  const config = configWith(signInWatch);
  const app = new App(bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'SignInWatchTest', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  stack.node.setContext(CONFIG_CONTEXT_KEY, config);
  const userPool = new UserPool(stack, 'Pool');
  const web = userPool.addClient('Web');
  const granted: string[] = [];
  const accessLogsBucket = new Bucket(stack, 'AccessLogs');
  const watch = new SignInWatch(stack, 'SignInWatch', {
    config,
    accessLogsBucket,
    userPool,
    clients: { web: web.userPoolClientId },
    audit: {
      grantEmit(fn: LambdaFunction) {
        granted.push(fn.node.id);
        fn.addEnvironment(AUDIT_ENV.streamName, 'audit-stream');
      },
    },
  });
  return { stack, watch, granted, template: Template.fromStack(stack) };
}

describe('SignInWatch', () => {
  it('wires the pre authentication trigger on the pool with the lock on and a hash key by reference', () => {
    // Act
    const { template, granted } = build();

    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreAuthentication: { 'Fn::GetAtt': [Match.stringLikeRegexp('PreAuth'), 'Arn'] },
      },
    });
    const env = new Capture();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Pre authentication'),
      Environment: { Variables: env },
    });
    expect(env.asObject()[PRE_AUTH_ENV.lock]).toBe('true');
    expect(JSON.stringify(env.asObject()[PRE_AUTH_ENV.userHashKey])).toContain(
      'resolve:secretsmanager',
    );
    expect(env.asObject()[PRE_AUTH_ENV.clientRules]).toBeUndefined();
    expect(granted).toEqual(['PreAuth', 'CloudTrail']);
  });

  it('grants the group lookup on this pool only, and only with client rules', () => {
    // Prepare
    const without = build();
    const withRules = build({
      clientRules: [{ groups: ['admins'], clients: ['9admin0123456789abcdefghij'] }],
    });

    // Assess
    expect(JSON.stringify(without.template.toJSON())).not.toContain('AdminListGroupsForUser');
    withRules.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'cognito-idp:AdminListGroupsForUser',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Pool'), 'Arn'] },
          },
        ],
      },
    });
    const env = new Capture();
    withRules.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Pre authentication'),
      Environment: { Variables: env },
    });
    expect(JSON.parse(env.asObject()[PRE_AUTH_ENV.clientRules])).toEqual([
      { groups: ['admins'], clients: ['9admin0123456789abcdefghij'] },
    ]);
  });

  it('refuses a client rule naming a client instead of giving its id, naming the field', () => {
    expect(() => configWith({ clientRules: [{ groups: ['admins'], clients: ['web'] }] })).toThrow(
      /signInWatch\.clientRules\.0\.clients\.0/,
    );
  });

  it("routes this pool's CloudTrail auth calls through EventBridge into an encrypted queue", () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cognito-idp'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cognito-idp.amazonaws.com'],
          eventName: [...RECORDED_CALLS],
          $or: [
            { requestParameters: { userPoolId: [{ Ref: Match.stringLikeRegexp('^Pool') }] } },
            { requestParameters: { clientId: [{ Ref: Match.stringLikeRegexp('^PoolWeb') }] } },
          ],
        },
      },
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Queue'), 'Arn'] } }),
      ],
    });
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('alarms on the dead-letter queue', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('reads the queue in batches with partial batch failure reporting and the GeoIP layer', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::LayerVersion', {
      LicenseInfo: 'CC-BY-4.0',
      Description: Match.stringLikeRegexp('DB-IP'),
    });
    const env = new Capture();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('CloudTrail'),
      Layers: [Match.anyValue()],
      Environment: { Variables: env },
    });
    expect(env.asObject()[CLOUDTRAIL_ENV.geoipCountryDb]).toBe('/opt/geoip/dbip-country.mmdb');
  });

  it('creates no trail unless asked, and a KMS trail with log file validation when asked', () => {
    build().template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    const { template } = build({ cloudTrail: { createTrail: true } });
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      EnableLogFileValidation: true,
      KMSKeyId: Match.anyValue(),
      IsLogging: true,
    });
  });

  it('can leave the CloudTrail path out', () => {
    const { template } = build({ cloudTrail: { enabled: false } });
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  it('refuses a GeoIP database path that does not exist, naming the field', () => {
    expect(() => configWith({ cloudTrail: { geoipCityDb: '/nope/GeoLite2-City.mmdb' } })).toThrow(
      /signInWatch\.cloudTrail\.geoipCityDb/,
    );
  });

  it('passes the AwsSolutions checks, trail included', () => {
    const { stack } = build({
      cloudTrail: { createTrail: true },
      clientRules: [{ groups: ['admins'], clients: ['9admin0123456789abcdefghij'] }],
    });
    expect(
      nagFindings(stack).filter((f) => f.resources.some((r) => r.includes('/SignInWatch/'))),
    ).toEqual([]);
  });
});
