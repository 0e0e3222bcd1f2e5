import {
  AUDIT_COLUMNS,
  AUDIT_ENV,
  athenaEventsViewQuery,
  firehosePartitionQuery,
  OCSF_SOURCE_LIST,
} from '@authwatch/audit';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { AuditStream, auditNamedQueries, subscribeHandlerCode } from '../lib/audit-stream.js';
import { nagFindings } from '../lib/index.js';

describe('AuditStream', () => {
  let stack: Stack;
  let audit: AuditStream;
  let template: Template;

  beforeAll(() => {
    const app = new App();
    stack = new Stack(app, 'AuditTest', { env: { account: '123456789012', region: 'eu-west-1' } });
    const config = loadConfig('dev');
    audit = new AuditStream(stack, 'Audit', { config });
    const pool = new cognito.UserPool(stack, 'Pool');
    audit.allowSubscribers(pool, { createGroup: true });
    const fn = new lambda.Function(stack, 'Emitter', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
    audit.grantEmit(fn);
    audit.grantSubscribe(
      new iam.Role(stack, 'Watchers', { assumedBy: new iam.AccountRootPrincipal() }),
    );
    template = Template.fromStack(stack);
  });

  it('creates a Direct PUT stream with server-side encryption under a customer key', () => {
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: {
        KeyType: 'CUSTOMER_MANAGED_CMK',
        KeyARN: Match.anyValue(),
      },
    });
  });

  it('writes Parquet keyed on the class’s source and the record’s own day, with an error prefix', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: {
          'Fn::Join': [
            '',
            [
              'ext/!{partitionKeyFromQuery:source}/region=',
              { Ref: 'AWS::Region' },
              '/accountId=',
              { Ref: 'AWS::AccountId' },
              '/eventDay=!{partitionKeyFromQuery:eventDay}/',
            ],
          ],
        },
        ErrorOutputPrefix:
          'errors/authwatch/!{firehose:error-output-type}/eventDay=!{timestamp:yyyyMMdd}/',
        DynamicPartitioningConfiguration: { Enabled: true },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'MetadataExtraction',
              Parameters: Match.arrayWith([
                {
                  ParameterName: 'MetadataExtractionQuery',
                  ParameterValue: firehosePartitionQuery(),
                },
                { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' },
              ]),
            },
          ],
        },
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 },
        DataFormatConversionConfiguration: Match.objectLike({
          Enabled: true,
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: Match.anyValue() } },
          OutputFormatConfiguration: {
            Serializer: { ParquetSerDe: Match.objectLike({ Compression: 'SNAPPY' }) },
          },
          SchemaConfiguration: Match.objectLike({
            DatabaseName: 'authwatch_audit_dev',
            TableName: { Ref: Match.stringLikeRegexp('^AuditTablesTable') },
          }),
        }),
      }),
    });
  });

  it('stores into a KMS-encrypted, versioned, TLS-only bucket with access logs and a Glacier transition', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
          }),
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'audit-bucket/' }),
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }],
            ExpirationInDays: 90,
          }),
        ],
      },
    });
    const policies = template.findResources('AWS::S3::BucketPolicy');
    const denies = Object.values(policies).filter((policy) =>
      JSON.stringify(policy).includes('"aws:SecureTransport":"false"'),
    );
    expect(denies.length).toBe(3);
  });

  it('maps every class the project emits to exactly one source, each with its own table', () => {
    const stream = Object.values(template.findResources('AWS::KinesisFirehose::DeliveryStream'))[0];
    const parameters = stream?.Properties.ExtendedS3DestinationConfiguration.ProcessingConfiguration
      .Processors[0].Parameters as { ParameterName: string; ParameterValue: string }[];
    const query = parameters.find((p) => p.ParameterName === 'MetadataExtractionQuery');
    const mapping = JSON.parse(
      /\((\{.*?\})\[\.class_uid/.exec(query?.ParameterValue ?? '')?.[1] ?? '{}',
    );
    const tables = Object.values(template.findResources('AWS::Glue::Table')).map(
      (t) => t.Properties.TableInput.Name,
    );

    expect(Object.keys(mapping).map(Number).sort()).toEqual([2004, 3001, 3002, 3005, 6003]);
    expect(new Set(Object.values(mapping)).size).toBe(Object.keys(mapping).length);
    for (const [classUid, name] of Object.entries(mapping)) {
      const source = OCSF_SOURCE_LIST.find((s) => s.classUid === Number(classUid));
      expect(source?.name).toBe(name);
      expect(tables).toContain(source?.table);
    }
  });

  it('declares one Glue table per source with a column per OCSF field and projected partitions', () => {
    for (const source of OCSF_SOURCE_LIST) {
      template.hasResourceProperties('AWS::Glue::Table', {
        DatabaseName: 'authwatch_audit_dev',
        TableInput: Match.objectLike({
          Name: source.table,
          PartitionKeys: [
            Match.objectLike({ Name: 'region' }),
            Match.objectLike({ Name: 'accountid' }),
            Match.objectLike({ Name: 'eventday' }),
          ],
          Parameters: Match.objectLike({
            'projection.enabled': 'true',
            'projection.eventday.format': 'yyyyMMdd',
            'authwatch.class_uid': String(source.classUid),
            'storage.location.template': {
              'Fn::Join': [
                '',
                [
                  's3://',
                  { Ref: Match.stringLikeRegexp('^AuditBucket') },
                  `/ext/${source.name}/region=\${region}/accountId=\${accountid}/eventDay=\${eventday}/`,
                ],
              ],
            },
          }),
          StorageDescriptor: Match.objectLike({
            Columns: AUDIT_COLUMNS.map((column) =>
              Match.objectLike({ Name: column.name, Type: column.type }),
            ),
            SerdeInfo: Match.objectLike({
              SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            }),
          }),
        }),
      });
    }
    // The tables plus the view.
    template.resourceCountIs('AWS::Glue::Table', OCSF_SOURCE_LIST.length + 1);
  });

  it('unions the source tables in the authwatch_events view the named queries read', () => {
    const view = Object.values(template.findResources('AWS::Glue::Table')).find(
      (table) => table.Properties.TableInput.TableType === 'VIRTUAL_VIEW',
    );
    const input = view?.Properties.TableInput;
    const encoded = /^\/\* Presto View: (.+) \*\/$/.exec(input?.ViewOriginalText)?.[1] ?? '';
    const definition = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));

    expect(input?.Name).toBe('authwatch_events');
    expect(input?.Parameters).toEqual({ presto_view: 'true', comment: 'Presto View' });
    expect(definition.originalSql).toBe(athenaEventsViewQuery('authwatch_audit_dev'));
    for (const source of OCSF_SOURCE_LIST) {
      expect(definition.originalSql).toContain(`FROM "authwatch_audit_dev"."${source.table}"`);
    }
    for (const query of Object.values(template.findResources('AWS::Athena::NamedQuery'))) {
      expect(query.Properties.QueryString).toContain(
        'FROM "authwatch_audit_dev"."authwatch_events"',
      );
    }
  });

  it('alarms on stale, failed, unconverted and throttled deliveries', () => {
    for (const metric of [
      'DeliveryToS3.DataFreshness',
      'DeliveryToS3.Success',
      'FailedConversion.Records',
      'ThrottledRecords',
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Firehose',
        MetricName: metric,
        Dimensions: [{ Name: 'DeliveryStreamName', Value: Match.anyValue() }],
      });
    }
  });

  it('has an Athena workgroup with KMS-encrypted results and the first queries an analyst runs', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'authwatch-audit-dev',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: Match.objectLike({ EncryptionOption: 'SSE_KMS' }),
        }),
      }),
    });
    const names = Object.keys(auditNamedQueries('t'));
    expect(names).toEqual([
      'failed-sign-ins-per-user-24h',
      'failed-sign-ins-per-ip-24h',
      'sign-ins-per-country-7d',
      'sign-ins-from-new-devices-7d',
      'sign-ups-denied-by-policy-7d',
      'challenge-lockouts-7d',
    ]);
    template.resourceCountIs('AWS::Athena::NamedQuery', names.length);
    template.hasResourceProperties('AWS::Athena::NamedQuery', {
      Name: 'challenge-lockouts-7d',
      Database: 'authwatch_audit_dev',
      QueryString: Match.stringLikeRegexp("metadata.log_name = 'challenge-locked-out'"),
    });
  });

  it('queries only columns the table has', () => {
    const columns = new Set(AUDIT_COLUMNS.map((c) => c.name));
    for (const { sql } of Object.values(auditNamedQueries('t'))) {
      const used = [
        ...sql.matchAll(
          /\b(class_uid|activity_id|status_id|status_detail|is_new_logon|is_mfa|src_endpoint|metadata|unmapped|time)\b/g,
        ),
      ];
      for (const [name] of used) expect(columns.has(name)).toBe(true);
    }
  });

  it('serves the live feed from an Events API: IAM publishers, user-pool subscribers in the group', () => {
    template.hasResourceProperties('AWS::AppSync::Api', {
      EventConfig: Match.objectLike({
        AuthProviders: [
          { AuthType: 'AWS_IAM' },
          Match.objectLike({
            AuthType: 'AMAZON_COGNITO_USER_POOLS',
            CognitoConfig: Match.anyValue(),
          }),
        ],
        DefaultPublishAuthModes: [{ AuthType: 'AWS_IAM' }],
      }),
    });
    template.hasResourceProperties('AWS::AppSync::ChannelNamespace', {
      Name: 'auth',
      PublishAuthModes: [{ AuthType: 'AWS_IAM' }],
      SubscribeAuthModes: [{ AuthType: 'AWS_IAM' }, { AuthType: 'AMAZON_COGNITO_USER_POOLS' }],
      CodeHandlers: subscribeHandlerCode('security'),
    });
  });

  it('lets a watcher role connect to the API and subscribe to the namespace only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Watchers') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'appsync:EventConnect',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLiveFeed'), 'ApiArn'] },
          }),
          Match.objectLike({
            Action: 'appsync:EventSubscribe',
            Resource: {
              'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLiveFeedAuth'), 'ChannelNamespaceArn'],
            },
          }),
        ],
      },
    });
  });

  it('creates the subscriber group in the pool when asked', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: 'security',
      UserPoolId: { Ref: Match.stringLikeRegexp('^Pool') },
    });
  });

  it('grants an emitter exactly PutRecord/PutRecordBatch on the stream and EventPublish on the namespace', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('EmitterServiceRole') }] },
    });
    const statements = Object.values(policies).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties
          .PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      {
        Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AuditStream/), 'Arn'] },
      },
      {
        Action: 'appsync:EventPublish',
        Effect: 'Allow',
        Resource: {
          'Fn::GetAtt': [expect.stringMatching(/^AuditLiveFeedAuth/), 'ChannelNamespaceArn'],
        },
      },
    ]);
  });

  it('sets the emitter AUDIT_* variables from the shared names', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          [AUDIT_ENV.enabled]: 'true',
          [AUDIT_ENV.streamName]: { Ref: Match.stringLikeRegexp('^AuditStream') },
          [AUDIT_ENV.includeEmail]: 'false',
          [AUDIT_ENV.liveFeedEndpoint]: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLiveFeed'), 'Dns.Http'],
          },
          [AUDIT_ENV.liveFeedChannel]: '/auth/sign-in',
        },
      },
    });
  });

  it('passes the AwsSolutions checks with every acknowledgement reasoned', () => {
    expect(nagFindings(audit)).toEqual([]);
  });
});

describe('audit config section', () => {
  it('names the field of a bad audit value', async () => {
    const { validateConfig, InvalidConfigError } = await import('../config/index.js');
    const { dev } = await import('../config/dev.js');

    const bad = (audit: Record<string, unknown>) => () =>
      validateConfig('dev', { ...dev, audit: { ...dev.audit, ...audit } });

    expect(bad({ glacierAfterDays: 0 })).toThrow(InvalidConfigError);
    expect(bad({ glacierAfterDays: 0 })).toThrow(/audit\.glacierAfterDays/);
    expect(bad({ expireAfterDays: 10 })).toThrow(/audit\.expireAfterDays: must be later/);
    expect(bad({ bufferSizeMiB: 8 })).toThrow(/audit\.bufferSizeMiB/);
    expect(bad({ colour: 'blue' })).toThrow(/audit\.colour/);
  });
});
