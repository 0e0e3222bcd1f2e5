import { firehosePartitionQuery, OCSF_SOURCE_LIST } from '@authwatch/audit';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { dev } from '../config/dev.js';
import { InvalidConfigError, loadConfig, validateConfig } from '../config/index.js';
import { SECURITY_LAKE_CUSTOM_SOURCE_LIMIT } from '../lib/audit-sources.js';
import { AuditStream } from '../lib/audit-stream.js';
import { nagFindings } from '../lib/index.js';

const LAKE_BUCKET = 'aws-security-data-lake-eu-west-1-abcdef123456';
const lakeConfig = (extra: Record<string, unknown> = {}) =>
  validateConfig('dev', {
    ...dev,
    securityLake: { bucketName: LAKE_BUCKET, externalId: 'authwatch-dev-8c1f2a', ...extra },
  });

function synth(config = lakeConfig()) {
  const app = new App();
  const stack = new Stack(app, 'LakeTest', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const audit = new AuditStream(stack, 'Audit', { config });
  return { audit, template: Template.fromStack(stack) };
}

interface SdkCall {
  service: string;
  action: string;
  parameters: { sourceName: string; eventClasses?: string[] };
  outputPaths?: string[];
}

/** The JSON of an AwsCustomResource call (its tokens shown as `<token>`). */
function callOf(value: unknown): SdkCall {
  if (typeof value === 'string') return JSON.parse(value);
  const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : '<token>')).join(''));
}

describe('AuditStream with securityLake', () => {
  let audit: AuditStream;
  let template: Template;
  beforeAll(() => {
    ({ audit, template } = synth());
  });

  it('registers one custom source per OCSF class with the provider identity and a crawler role', () => {
    const registrations = Object.values(
      template.findResources('Custom::SecurityLakeCustomLogSource'),
    );
    const creates = registrations.map((r) => callOf(r.Properties.Create));

    expect(creates).toHaveLength(OCSF_SOURCE_LIST.length);
    expect(creates.map((c) => [c.parameters.sourceName, c.parameters.eventClasses])).toEqual(
      OCSF_SOURCE_LIST.map((s) => [s.lakeName, [s.lakeEventClass]]),
    );
    for (const create of creates) {
      expect(create).toMatchObject({
        service: 'SecurityLake',
        action: 'CreateCustomLogSource',
        parameters: {
          configuration: {
            crawlerConfiguration: { roleArn: '<token>' },
            providerIdentity: { externalId: 'authwatch-dev-8c1f2a', principal: '<token>' },
          },
        },
        outputPaths: ['source.provider.location', 'source.provider.roleArn'],
      });
      expect(create.parameters.sourceName.length).toBeLessThanOrEqual(20);
    }
    expect(registrations.map((r) => callOf(r.Properties.Delete).action)).toEqual(
      Array(OCSF_SOURCE_LIST.length).fill('DeleteCustomLogSource'),
    );
    expect(OCSF_SOURCE_LIST.length).toBeLessThanOrEqual(SECURITY_LAKE_CUSTOM_SOURCE_LIMIT);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'glue.amazonaws.com' } })],
      }),
      ManagedPolicyArns: [
        Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/service-role/AWSGlueServiceRole'])],
        }),
      ],
    });
  });

  it('delivers into the lake’s bucket under the registered names, keyed on class and record day', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${LAKE_BUCKET}`]],
        },
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
        ProcessingConfiguration: Match.objectLike({
          Processors: [
            Match.objectLike({
              Parameters: Match.arrayWith([
                {
                  ParameterName: 'MetadataExtractionQuery',
                  ParameterValue: firehosePartitionQuery((s) => s.lakeName),
                },
              ]),
            }),
          ],
        }),
      }),
    });
  });

  it('grants the stream the sources’ folders and the error prefix of the lake’s bucket, not the bucket', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^AuditStreamS3DestinationRole') }] },
    });
    const objects = JSON.stringify(Object.values(policies)[0]?.Properties.PolicyDocument);
    const granted = [...objects.matchAll(new RegExp(`:s3:::${LAKE_BUCKET}/([^"]*)"`, 'g'))].map(
      (m) => m[1],
    );

    expect(new Set(granted)).toEqual(
      new Set([...OCSF_SOURCE_LIST.map((s) => `ext/${s.lakeName}/*`), 'errors/authwatch/*']),
    );
    expect(objects).not.toContain(`${LAKE_BUCKET}/*"`);
  });

  it('points each source table at its folder of the lake', () => {
    for (const source of OCSF_SOURCE_LIST) {
      template.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({
          Name: source.table,
          StorageDescriptor: Match.objectLike({
            Location: `s3://${LAKE_BUCKET}/ext/${source.lakeName}/`,
          }),
        }),
      });
    }
  });

  it('puts the source version folder in the prefix and the tables when one is set', () => {
    const { template: versioned } = synth(lakeConfig({ sourceVersion: '1.0' }));
    versioned.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: {
          'Fn::Join': ['', Match.arrayWith(['ext/!{partitionKeyFromQuery:source}/1.0/region='])],
        },
      }),
    });
    versioned.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        StorageDescriptor: Match.objectLike({
          Location: `s3://${LAKE_BUCKET}/ext/authwatch-auth/1.0/`,
        }),
      }),
    });
  });

  it('passes the AwsSolutions checks with every acknowledgement reasoned', () => {
    expect(nagFindings(audit)).toEqual([]);
  });
});

describe('AuditStream without securityLake', () => {
  it('registers nothing and delivers into its own bucket', () => {
    const { template } = synth(loadConfig('dev'));
    template.resourceCountIs('Custom::SecurityLakeCustomLogSource', 0);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditBucket'), 'Arn'] },
      }),
    });
  });

  it('refuses a stack without an explicit region, naming why', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(() => new AuditStream(stack, 'Audit', { config: lakeConfig() })).toThrow(
      /securityLake needs a stack with an explicit region/,
    );
  });
});

describe('securityLake config section', () => {
  it('names the field of a bad value', () => {
    expect(() => lakeConfig({ bucketName: 'Not_A_Bucket' })).toThrow(InvalidConfigError);
    expect(() => lakeConfig({ bucketName: 'Not_A_Bucket' })).toThrow(
      /securityLake\.bucketName: must be an S3 bucket name/,
    );
    expect(() => lakeConfig({ externalId: 'x' })).toThrow(/securityLake\.externalId/);
    expect(() => lakeConfig({ kmsKeyArn: 'alias/lake' })).toThrow(/securityLake\.kmsKeyArn/);
    expect(() => lakeConfig({ sourceVersion: '1 0' })).toThrow(/securityLake\.sourceVersion/);
    expect(() => lakeConfig({ region: 'eu-west-1' })).toThrow(/securityLake\.region/);
  });
});
