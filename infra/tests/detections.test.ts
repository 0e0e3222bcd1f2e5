import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DETECT_ENV, RulesError } from '@authwatch/detections';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FeaturePlan, UserPool } from 'aws-cdk-lib/aws-cognito';
import { beforeAll, describe, expect, it } from 'vitest';
import { dev } from '../config/dev.js';
import {
  type AuthwatchConfig,
  InvalidConfigError,
  loadConfig,
  validateConfig,
} from '../config/index.js';
import { AuditStream } from '../lib/audit-stream.js';
import { CONFIG_CONTEXT_KEY, Detections, nagFindings } from '../lib/index.js';

function build(config: AuthwatchConfig = loadConfig('dev'), rulesFile?: string) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'DetectionsTest', {
    env: { account: '111122223333', region: 'eu-west-1' },
  });
  stack.node.setContext(CONFIG_CONTEXT_KEY, config);
  const userPool = new UserPool(stack, 'Pool', { featurePlan: FeaturePlan.ESSENTIALS });
  const audit = new AuditStream(stack, 'Audit', { config });
  const detections = new Detections(stack, 'Detections', {
    config,
    audit,
    userPool,
    ...(rulesFile ? { rulesFile } : {}),
  });
  return { stack, detections, template: Template.fromStack(stack) };
}

function statementsOf(template: Template, logicalIdPrefix: string) {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    {
      Properties: {
        PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
        Roles: { Ref: string }[];
      };
    }
  >;
  return Object.values(policies)
    .filter((policy) =>
      policy.Properties.Roles.some((role) => role.Ref.startsWith(logicalIdPrefix)),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('Detections', () => {
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build();
  }, 300_000);

  it('invokes the detect function every 5 minutes with the scheduled time, retrying twice', () => {
    built.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DetectionsFunction'), 'Arn'] },
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 },
      },
    });
  });

  it('runs the rules on Athena in the audit workgroup with a lookback covering the schedule and the Firehose buffer', () => {
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Detections'),
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          [DETECT_ENV.engine]: 'athena',
          [DETECT_ENV.athenaWorkGroup]: 'authwatch-audit-dev',
          [DETECT_ENV.athenaDatabase]: 'authwatch_audit_dev',
          // dev: 5-minute schedule + 60 s Firehose buffer + 120 s margin.
          [DETECT_ENV.lookbackSeconds]: '480',
          [DETECT_ENV.rulesFile]: 'detection-rules.yaml',
          [DETECT_ENV.responses]: 'true',
          [DETECT_ENV.eventBus]: 'default',
          AUDIT_LIVE_FEED_CHANNEL: '/auth/detections',
        }),
      },
    });
  });

  it('has a KMS-encrypted, TLS-only alert topic with the configured addresses', () => {
    built.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: Match.anyValue(),
    });
    built.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'security@example.com',
    });
    built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('keeps finding states in a table with point-in-time recovery and a TTL', () => {
    built.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('grants only the calls it makes, each on its own resource', () => {
    const statements = statementsOf(built.template, 'DetectionsFunctionRole');
    const actions = statements.flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'athena:StartQueryExecution',
        'dynamodb:PutItem',
        'sns:Publish',
        'events:PutEvents',
        'cognito-idp:AdminUpdateUserAttributes',
        'cognito-idp:AdminUserGlobalSignOut',
        'cognito-idp:AdminDisableUser',
      ]),
    );
    expect(actions.filter((action) => action.endsWith('*') || action === '*')).toEqual([]);
    const cognito = statements.find((statement) =>
      [statement.Action].flat().includes('cognito-idp:AdminDisableUser'),
    );
    expect(cognito?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Pool/), 'Arn'] });
  });

  it('keeps the baseline snapshots in a partitioned Parquet table, writable only under its own prefix', () => {
    built.template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'authwatch_audit_dev',
      TableInput: Match.objectLike({
        Name: 'authwatch_baselines',
        PartitionKeys: [
          { Name: 'rule_id', Type: 'string' },
          { Name: 'eventday', Type: 'string' },
        ],
        StorageDescriptor: Match.objectLike({
          Location: Match.objectLike({
            'Fn::Join': ['', Match.arrayWith(['/detections/baselines/'])],
          }),
          Columns: [
            { Name: 'g0', Type: 'string' },
            { Name: 'g1', Type: 'string' },
            { Name: 'g2', Type: 'string' },
            { Name: 'v', Type: 'string' },
            { Name: 'first_time', Type: 'bigint' },
            { Name: 'last_time', Type: 'bigint' },
          ],
        }),
      }),
    });
    const statements = statementsOf(built.template, 'DetectionsFunctionRole');
    const puts = statements.filter((statement) =>
      [statement.Action].flat().includes('s3:PutObject'),
    );
    const put = JSON.stringify(puts.map((statement) => statement.Resource));
    // Writes: Athena's results bucket, and the snapshots' prefix; never the events.
    expect(put).toContain('/detections/baselines/*');
    expect(put).not.toContain('/ext/');
    const partitions = statements.find((statement) =>
      [statement.Action].flat().includes('glue:BatchCreatePartition'),
    );
    expect(JSON.stringify(partitions?.Resource)).toContain(
      ':table/authwatch_audit_dev/authwatch_baselines',
    );
    expect(JSON.stringify(partitions?.Resource)).not.toContain('authwatch_audit_dev/*');
  });

  it('grants no Cognito call when responses are off', () => {
    const config = validateConfig('dev', { ...dev, detections: { responses: false } });
    const { template } = build(config);
    const actions = statementsOf(template, 'DetectionsFunctionRole').flatMap((statement) =>
      [statement.Action].flat(),
    );
    expect(actions.some((action) => action.startsWith('cognito-idp:'))).toBe(false);
  });

  it('passes the AwsSolutions checks', () => {
    expect(nagFindings(built.detections)).toEqual([]);
  });

  it('fails the synth on a bad rules file, listing its problems', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rules-')), 'bad.yaml');
    writeFileSync(file, 'rules:\n  - id: x1\n    title: t\n');
    expect(() => build(loadConfig('dev'), file)).toThrow(RulesError);
  });

  it('refuses a bad schedule or address in the config, naming the field', () => {
    const attempt = (detections: unknown) => () => validateConfig('dev', { ...dev, detections });
    expect(attempt({ schedule: 'every 5 minutes' })).toThrow(InvalidConfigError);
    expect(attempt({ schedule: 'rate(3 hours)' })).toThrow(/detections\.schedule/);
    expect(attempt({ alertEmails: ['not-an-address'] })).toThrow(/detections\.alertEmails/);
  });
});
