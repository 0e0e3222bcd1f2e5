/**
 * The audit stream: a Firehose Direct PUT stream (SSE with a customer key) that
 * converts the OCSF events to Parquet and writes them to an encrypted, versioned,
 * TLS-only S3 bucket as Amazon Security Lake custom sources, one per OCSF class
 * (`ext/<source>/region=../accountId=../eventDay=<the record's day>/`, by dynamic
 * partitioning; `audit-sources.ts` has the per-source tables, the `authwatch_events`
 * view and the optional registration in an existing Security Lake); alarms on
 * delivery failures; an Athena workgroup with the queries an analyst runs first; and
 * the AppSync Events API of the live feed (Lambdas publish with IAM, members of the
 * security group subscribe with their user-pool token).
 */
import {
  AUDIT_ENV,
  AUDIT_METRICS,
  AUTHWATCH_EVENTS_VIEW,
  DEFAULT_LIVE_FEED_CHANNEL,
  FIREHOSE_ERROR_PREFIX,
  firehoseDataPrefix,
  firehosePartitionQuery,
  LIVE_FEED_NAMESPACE,
  PARTITION_KEYS,
} from '@authwatch/audit';
import { Aws, CfnOutput, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { AuthwatchConfig } from '../config/index.js';
import { type AuditSection, AuditSectionSchema } from '../config/sections/audit.js';
import {
  AuditTables,
  acknowledgeAll,
  ownBucketFolder,
  SecurityLakeSources,
} from './audit-sources.js';
import { METRICS_NAMESPACE } from './environment.js';
import { signInQueries } from './sign-in-queries.js';
import { TracedFunction } from './traced-function.js';

/** What every query reads: the view over the per-source tables (`audit-sources.ts`). */
export const AUDIT_EVENTS_VIEW = AUTHWATCH_EVENTS_VIEW;

/** Glue database name of an environment (`authwatch_audit_dev`). */
export function auditDatabaseName(envName: string): string {
  return `authwatch_audit_${envName.replaceAll('-', '_')}`;
}

/** Named queries of the workgroup, by name: SQL over `<database>.authwatch_events`. */
export function auditNamedQueries(
  table: string,
): Record<string, { description: string; sql: string }> {
  const last = (days: number) =>
    `time > to_unixtime(current_timestamp - interval '${days}' day) * 1000 AND eventday >= date_format(current_date - interval '${days}' day, '%Y%m%d')`;
  return {
    ...signInQueries(table, last),
    'sign-ins-from-new-devices-7d': {
      description: 'Successful sign-ins from a device not seen before, last 7 days',
      sql: `SELECT from_unixtime(time / 1000) AS time, "user".name AS user_name, src_endpoint.ip AS source_ip, unmapped.clientid AS client_id,
  is_mfa
FROM ${table}
WHERE class_uid = 3002 AND activity_id = 1 AND status_id = 1 AND is_new_logon = true AND ${last(7)}
ORDER BY time DESC
LIMIT 500`,
    },
    'sign-ups-denied-by-policy-7d': {
      description: 'Sign-ups refused by the pre sign-up policy, with the reason, last 7 days',
      sql: `SELECT from_unixtime(time / 1000) AS time, "user".name AS user_name, status_detail AS reason, src_endpoint.ip AS source_ip,
  unmapped.clientid AS client_id
FROM ${table}
WHERE class_uid = 3001 AND metadata.log_name = 'sign-up-denied' AND ${last(7)}
ORDER BY time DESC
LIMIT 500`,
    },
    'challenge-lockouts-7d': {
      description: 'Sign-ins locked out after too many wrong challenge answers, last 7 days',
      sql: `SELECT from_unixtime(time / 1000) AS time, "user".name AS user_name, src_endpoint.ip AS source_ip, unmapped.mode AS challenge,
  unmapped.attempt AS attempts, unmapped.clientid AS client_id
FROM ${table}
WHERE class_uid = 3002 AND metadata.log_name = 'challenge-locked-out' AND ${last(7)}
ORDER BY time DESC
LIMIT 500`,
    },
  };
}

/**
 * The live feed's subscribe handler (APPSYNC_JS): a subscriber who signed in with the
 * user pool must be in the subscriber group; IAM subscribers are authorised by IAM.
 */
export function subscribeHandlerCode(group: string): string {
  return `import { util } from '@aws-appsync/utils';

export function onSubscribe(ctx) {
  const identity = ctx.identity;
  if (identity && identity.issuer) {
    const groups = identity.groups || [];
    if (!groups.includes(${JSON.stringify(group)})) {
      util.unauthorized();
    }
  }
}
`;
}

export interface AuditStreamProps {
  config: AuthwatchConfig;
  /** The user pool whose security group may watch the live feed (or `allowSubscribers` later). */
  subscriberPool?: cognito.IUserPool;
}

export class AuditStream extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly resultsBucket: s3.Bucket;
  readonly stream: firehose.DeliveryStream;
  readonly database: glue.CfnDatabase;
  /** The per-source Glue tables and the `authwatch_events` view. */
  readonly tables: AuditTables;
  /** The sources registered in Security Lake, when the config has `securityLake`. */
  readonly securityLake?: SecurityLakeSources;
  readonly workGroup: athena.CfnWorkGroup;
  readonly eventApi: appsync.EventApi;
  readonly namespace: appsync.ChannelNamespace;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly settings: AuditSection;

  constructor(scope: Construct, id: string, props: AuditStreamProps) {
    super(scope, id);
    const { config } = props;
    const settings = config.audit ?? AuditSectionSchema.parse({});
    this.settings = settings;
    const removalPolicy =
      config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.key = new kms.Key(this, 'Key', {
      description: `Authwatch ${config.envName} audit stream, bucket and query results`,
      enableKeyRotation: true,
      removalPolicy,
    });

    // Server access logs (the target cannot use SSE-KMS, so SSE-S3).
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      lifecycleRules: [
        { expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket; logging it into itself would loop',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'audit-bucket/',
      lifecycleRules: [
        {
          id: 'archive',
          transitions: [
            {
              storageClass: s3.StorageClass.GLACIER,
              transitionAfter: Duration.days(settings.glacierAfterDays),
            },
          ],
          ...(settings.expireAfterDays
            ? { expiration: Duration.days(settings.expireAfterDays) }
            : {}),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
    });

    // One Glue table per Security Lake source (one OCSF class each) and the view over
    // them; with a Security Lake, the sources are registered there and the stream
    // delivers into the lake's bucket instead.
    const databaseName = auditDatabaseName(config.envName);
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: databaseName, description: 'Authwatch OCSF audit events' },
    });
    this.securityLake = config.securityLake
      ? new SecurityLakeSources(this, 'SecurityLake', { settings: config.securityLake })
      : undefined;
    const lake = this.securityLake;
    const destinationBucket: s3.IBucket = lake ? lake.bucket : this.bucket;
    this.tables = new AuditTables(this, 'Tables', {
      database: this.database,
      databaseName,
      bucketName: destinationBucket.bucketName,
      folderOf: lake ? (source) => lake.folderOf(source) : ownBucketFolder,
    });

    const destination = new firehose.S3Bucket(destinationBucket, {
      // Dynamic partitioning: the source from each record's class_uid and the day from its
      // own time (jq 1.6 inline parsing), so one stream writes one class per object.
      dynamicPartitioning: { enabled: true },
      processors: [
        new firehose.MetadataExtractionProcessor(
          {
            jsonParsingEngine: firehose.JsonParsingEngine.JQ_1_6,
            metadataExtractionQuery: firehosePartitionQuery(
              lake ? (source) => source.lakeName : undefined,
            ),
          },
          Object.values(PARTITION_KEYS),
        ),
      ],
      dataOutputPrefix: firehoseDataPrefix(Aws.REGION, Aws.ACCOUNT_ID, {
        sourceVersion: lake?.settings.sourceVersion,
      }),
      errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
      bufferingInterval: Duration.seconds(settings.bufferIntervalSeconds),
      bufferingSize: Size.mebibytes(settings.bufferSizeMiB),
      encryptionKey: lake ? lake.key : this.key,
      dataFormatConversion: {
        schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(this.tables.conversionTable),
        // Case-insensitive keys: `unmapped.clientId` fills the `clientid` struct field.
        inputFormat: new firehose.OpenXJsonInputFormat({ lowercaseColumnNames: true }),
        outputFormat: new firehose.ParquetOutputFormat({
          compression: firehose.ParquetCompression.SNAPPY,
        }),
      },
    });
    this.stream = new firehose.DeliveryStream(this, 'Stream', {
      destination,
      encryption: firehose.StreamEncryption.customerManagedKey(this.key),
    });
    // The L2 grants Firehose's roles the standard S3 destination and KMS action groups
    // on this bucket and key only, and glue:GetSchemaVersion (no resource-level
    // permissions; the Glue Schema Registry is not used, the table is named).
    const streamGrants: [string, string][] = [
      ['Action::kms:ReEncrypt*', 'KMS re-encrypt actions for this stream key only'],
      ['Action::kms:GenerateDataKey*', 'KMS data-key actions for this stream key only'],
      ['Action::s3:GetObject*', 'Firehose S3 destination reads on this bucket only'],
      ['Action::s3:GetBucket*', 'Firehose S3 destination bucket reads on this bucket only'],
      ['Action::s3:List*', 'Firehose S3 destination listing of this bucket only'],
      [
        'Action::s3:DeleteObject*',
        'Firehose cleans up failed multipart writes in this bucket only',
      ],
      ['Action::s3:Abort*', 'Firehose aborts its own multipart uploads in this bucket only'],
      [
        `Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`,
        'Firehose writes objects anywhere under its prefixes of this bucket',
      ],
      ['Resource::*', 'glue:GetSchemaVersion supports no resource-level permissions'],
    ];
    for (const [finding, reason] of streamGrants) {
      Validations.of(this.stream).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
    if (lake) {
      acknowledgeAll(this.stream, [
        ...lake.folderFindings.map(
          (finding) => [finding, 'Firehose writes the objects of its source in the lake'] as const,
        ),
        [
          `Resource::arn:<AWS::Partition>:s3:::${lake.settings.bucketName}/${FIREHOSE_ERROR_PREFIX.split('!')[0]}*`,
          'Firehose writes the records it could not partition or convert under its error prefix',
        ],
      ]);
    }

    this.createAlarms(settings);

    // Athena: results encrypted with the same key, kept a limited time.
    this.resultsBucket = new s3.Bucket(this, 'QueryResults', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'query-results/',
      lifecycleRules: [
        {
          expiration: Duration.days(settings.athenaResultsDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy,
    });
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `authwatch-audit-${config.envName}`,
      description: 'Authwatch audit queries',
      recursiveDeleteOption: config.removalPolicy === 'destroy',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.key.keyArn },
        },
      },
    });
    for (const [name, query] of Object.entries(
      auditNamedQueries(`"${databaseName}"."${AUDIT_EVENTS_VIEW}"`),
    )) {
      const named = new athena.CfnNamedQuery(this, `Query-${name}`, {
        name,
        description: query.description,
        database: databaseName,
        workGroup: this.workGroup.name,
        queryString: query.sql,
      });
      named.addResourceDependency(this.workGroup);
      named.addResourceDependency(this.tables.view);
    }

    // Live feed.
    this.eventApi = new appsync.EventApi(this, 'LiveFeed', {
      apiName: `authwatch-${config.envName}-live-feed`,
      authorizationConfig: {
        authProviders: [{ authorizationType: appsync.AppSyncAuthorizationType.IAM }],
        connectionAuthModeTypes: [appsync.AppSyncAuthorizationType.IAM],
        defaultPublishAuthModeTypes: [appsync.AppSyncAuthorizationType.IAM],
        defaultSubscribeAuthModeTypes: [appsync.AppSyncAuthorizationType.IAM],
      },
    });
    this.namespace = this.eventApi.addChannelNamespace('Auth', {
      channelNamespaceName: LIVE_FEED_NAMESPACE,
      authorizationConfig: {
        publishAuthModeTypes: [appsync.AppSyncAuthorizationType.IAM],
        subscribeAuthModeTypes: [appsync.AppSyncAuthorizationType.IAM],
      },
      code: appsync.Code.fromInline(subscribeHandlerCode(settings.subscriberGroup)),
    });
    if (props.subscriberPool) this.allowSubscribers(props.subscriberPool);

    new CfnOutput(this, 'LiveFeedApiId', {
      value: this.eventApi.apiId,
      description: 'authwatch-watch <this id>',
    });
    new CfnOutput(this, 'AuditBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.workGroup.name });
  }

  private createAlarms(settings: AuditSection): void {
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Firehose',
        metricName,
        dimensionsMap: { DeliveryStreamName: this.stream.deliveryStreamName },
        statistic,
        period: Duration.minutes(5),
      });
    const alarm = (
      id: string,
      description: string,
      m: cloudwatch.Metric,
      threshold: number,
      comparisonOperator: cloudwatch.ComparisonOperator,
    ) =>
      this.alarms.push(
        new cloudwatch.Alarm(this, id, {
          alarmDescription: description,
          metric: m,
          threshold,
          comparisonOperator,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    alarm(
      'DeliveryFreshnessAlarm',
      'Audit records wait too long for delivery to S3',
      metric('DeliveryToS3.DataFreshness', 'Maximum'),
      settings.freshnessAlarmSeconds,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
    alarm(
      'DeliveryFailureAlarm',
      'Audit records failed to reach S3',
      metric('DeliveryToS3.Success', 'Minimum'),
      1,
      cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    );
    alarm(
      'ConversionFailureAlarm',
      'Audit records failed Parquet conversion (see the errors/ prefix)',
      metric('FailedConversion.Records', 'Sum'),
      0,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
    alarm(
      'ThrottledAlarm',
      'Audit records were throttled by Firehose (they are retried, then land in the fallback log)',
      metric('ThrottledRecords', 'Sum'),
      0,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
  }

  /** Alarms when `fn` writes audit events to its fallback log instead of the stream. */
  private alarmOnFallback(fn: TracedFunction): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, `${fn.node.id}AuditFallbackAlarm`, {
        alarmDescription:
          `Audit events of ${fn.serviceName} could not be delivered and were written to its ` +
          'log as fallback lines: replay them with authwatch-replay (CloudWatch Logs export)',
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: AUDIT_METRICS.fallback,
          dimensionsMap: { service: fn.serviceName },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * Lets a role (e.g. the identity-pool role of the user pool's security group) watch
   * the live feed with SigV4: `appsync:EventConnect` on this API and
   * `appsync:EventSubscribe` on the namespace.
   */
  grantSubscribe(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['appsync:EventConnect'],
      resourceArns: [this.eventApi.apiArn],
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['appsync:EventSubscribe'],
      resourceArns: [this.namespace.channelNamespaceArn],
    });
  }

  /**
   * NOTE: not for the pool whose triggers emit to this stream: the API would depend on
   * the pool, the pool on its trigger functions and those on the API (a cycle). For
   * that pool, give the security group an identity-pool role and `grantSubscribe` it.
   *
   * Lets members of the subscriber group of `userPool` subscribe with their token:
   * adds the pool as an auth provider of the API and a subscribe mode of the namespace
   * (the subscribe handler checks the group). With `createGroup`, also creates the
   * group in the pool (leave it false when the pool's own config declares the group).
   */
  allowSubscribers(userPool: cognito.IUserPool, options: { createGroup?: boolean } = {}): void {
    if (options.createGroup) {
      new cognito.CfnUserPoolGroup(this, 'SubscriberGroup', {
        userPoolId: userPool.userPoolId,
        groupName: this.settings.subscriberGroup,
        description: 'May watch the Authwatch audit live feed',
      });
    }
    const api = this.eventApi.node.defaultChild as appsync.CfnApi;
    const iamMode = { AuthType: 'AWS_IAM' };
    const poolMode = { AuthType: 'AMAZON_COGNITO_USER_POOLS' };
    api.addPropertyOverride('EventConfig.AuthProviders', [
      iamMode,
      {
        ...poolMode,
        CognitoConfig: { UserPoolId: userPool.userPoolId, AwsRegion: userPool.env.region },
      },
    ]);
    api.addPropertyOverride('EventConfig.ConnectionAuthModes', [iamMode, poolMode]);
    api.addPropertyOverride('EventConfig.DefaultSubscribeAuthModes', [iamMode, poolMode]);
    const namespace = this.namespace.node.defaultChild as appsync.CfnChannelNamespace;
    namespace.addPropertyOverride('SubscribeAuthModes', [iamMode, poolMode]);
  }

  /**
   * Lets `fn` emit audit events: exactly `firehose:PutRecord` and `PutRecordBatch` on
   * this stream and `appsync:EventPublish` on the live feed's namespace, and sets its
   * AUDIT_* environment variables.
   */
  grantEmit(fn: lambda.Function): void {
    // A traced function counts the events it could not deliver (AuditFallback, under
    // its service name): each is one line in its log to replay with authwatch-replay.
    if (fn instanceof TracedFunction) this.alarmOnFallback(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        resources: [this.stream.deliveryStreamArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['appsync:EventPublish'],
        resources: [this.namespace.channelNamespaceArn],
      }),
    );
    fn.addEnvironment(AUDIT_ENV.enabled, 'true');
    fn.addEnvironment(AUDIT_ENV.streamName, this.stream.deliveryStreamName);
    fn.addEnvironment(AUDIT_ENV.includeEmail, String(this.settings.includeEmail));
    fn.addEnvironment(AUDIT_ENV.liveFeedEndpoint, this.eventApi.httpDns);
    fn.addEnvironment(AUDIT_ENV.liveFeedChannel, DEFAULT_LIVE_FEED_CHANNEL);
  }
}
