/**
 * `Detections`: the scheduled detect function and what it needs.
 *
 * - The rules file, LOADED AND VALIDATED AT SYNTH with the package's own loader (a bad
 *   file fails `pnpm synth`, listing every problem), copied next to the bundle.
 * - An EventBridge Scheduler schedule (config `detections.schedule`, every 5 minutes by
 *   default) invoking the function with the scheduled time, so a retried invocation
 *   reads the same range; the function runs the rules on Athena in the audit
 *   workgroup with a lookback covering the schedule and Firehose's buffer.
 * - A DynamoDB table of finding states (conditional writes, TTL, point-in-time recovery).
 * - A KMS-encrypted, TLS-only SNS topic for the alert mails (`detections.alertEmails`),
 *   and the finding events on the default EventBridge bus.
 * - Least privilege: Athena on the workgroup only, Glue reads on the audit database's
 *   tables, reads of the audit objects, writes of query results, the table's two item
 *   calls, Publish on the topic, PutEvents on the default bus, and, only when
 *   `detections.responses` is on, the three Cognito admin calls on this pool.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { AUDIT_ENV } from '@authwatch/audit';
import {
  BASELINES_COLUMNS,
  BASELINES_PARTITION_KEYS,
  BASELINES_PREFIX,
  BASELINES_TABLE,
  DETECT_ENV,
  DETECTIONS_CHANNEL,
  type LoadedRules,
  loadRulesFile,
} from '@authwatch/detections';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AuthwatchConfig } from '../config/index.js';
import {
  type DetectionsSection,
  detectionLookbackSeconds,
  detectionsSectionOf,
} from '../config/sections/detections.js';
import { auditDatabaseName } from './audit-stream.js';
import { REPO_ROOT } from './bundling.js';
import { handlerEntry } from './entries.js';
import { grantAuditQueries } from './history-access.js';
import { TracedFunction } from './traced-function.js';

/** POWERTOOLS_SERVICE_NAME of the detect function. */
export const DETECT_SERVICE = 'detect';

/** What Detections needs of the audit stream. */
export interface DetectionsAudit {
  key: kms.IKey;
  bucket: s3.IBucket;
  resultsBucket: s3.IBucket;
  workGroup: athena.CfnWorkGroup;
  /** The audit Glue database (the baselines table is created in it). */
  database?: glue.CfnDatabase;
  settings: { bufferIntervalSeconds: number };
  grantEmit(fn: lambda.Function): void;
}

export interface DetectionsProps {
  config: AuthwatchConfig;
  audit: DetectionsAudit;
  /** The pool responses act on. */
  userPool: cognito.IUserPool;
  /** An absolute rules file instead of the section's (tests). */
  rulesFile?: string;
}

/** The rules file's absolute path: the override, else the section's (relative to the repository). */
export function detectionRulesFileOf(section: DetectionsSection, override?: string): string {
  const file = override ?? section.rulesFile;
  return isAbsolute(file) ? file : resolve(REPO_ROOT, file);
}

export class Detections extends Construct {
  readonly section: DetectionsSection;
  readonly rules: LoadedRules;
  readonly function: TracedFunction;
  readonly table: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly schedule: scheduler.Schedule;
  readonly errorsAlarm: cloudwatch.Alarm;
  /** The first_seen rules' baseline snapshots (Glue table). */
  readonly baselines: glue.CfnTable;

  constructor(scope: Construct, id: string, props: DetectionsProps) {
    super(scope, id);
    const { config, audit } = props;
    this.section = detectionsSectionOf(config.detections);
    const removalPolicy =
      config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // ── The rules: validated now, so a bad file fails the synth, not a run.
    const rulesFile = detectionRulesFileOf(this.section, props.rulesFile);
    this.rules = loadRulesFile(rulesFile);
    const rulesName = `detection-rules${extname(rulesFile).toLowerCase()}`;
    // Copied at synth into a folder of its own, so the bundling hook copies a file that
    // cannot change between the validation above and the bundle.
    const staging = mkdtempSync(join(tmpdir(), 'authwatch-detections-'));
    copyFileSync(rulesFile, join(staging, rulesName));

    this.table = new dynamodb.Table(this, 'Findings', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy,
    });

    this.topicKey = new kms.Key(this, 'AlertsKey', {
      description: `Authwatch ${config.envName} detection alerts topic`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.topic = new sns.Topic(this, 'Alerts', {
      displayName: `Authwatch ${config.envName} detections`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    for (const email of this.section.alertEmails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const databaseName = auditDatabaseName(config.envName);
    const bufferSeconds = audit.settings.bufferIntervalSeconds;
    this.function = new TracedFunction(this, 'Function', {
      entry: handlerEntry('detections'),
      serviceName: DETECT_SERVICE,
      description: 'Detections: the rules on Athena, findings, alerts and responses',
      memorySize: this.section.memorySize,
      timeout: Duration.minutes(5),
      // One run at a time: a slow run and the next one never race on the same findings.
      reservedConcurrentExecutions: 1,
      environment: {
        [DETECT_ENV.engine]: 'athena',
        [DETECT_ENV.rulesFile]: rulesName,
        [DETECT_ENV.lookbackSeconds]: String(detectionLookbackSeconds(this.section, bufferSeconds)),
        [DETECT_ENV.athenaWorkGroup]: audit.workGroup.name,
        [DETECT_ENV.athenaDatabase]: databaseName,
        [DETECT_ENV.athenaTimeoutSeconds]: String(this.section.athenaTimeoutSeconds),
        [DETECT_ENV.stateTable]: this.table.tableName,
        [DETECT_ENV.alertTopicArn]: this.topic.topicArn,
        [DETECT_ENV.eventBus]: this.section.events ? 'default' : 'none',
        [DETECT_ENV.responses]: String(this.section.responses),
        [DETECT_ENV.userPoolId]: props.userPool.userPoolId,
      },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_input, output) => [
          `cp "${join(staging, rulesName)}" "${output}/${rulesName}"`,
        ],
      },
    });
    const fn = this.function;
    audit.grantEmit(fn);
    // Findings go to their own live-feed channel (the grant set the triggers' one).
    fn.addEnvironment(AUDIT_ENV.liveFeedChannel, DETECTIONS_CHANNEL);
    this.grant(fn, props, databaseName);
    this.baselines = this.baselinesTable(props, databaseName, fn);

    // The schedule's own role (not the stack-wide one the target would create), so its
    // one grant is acknowledged here: InvokeFunction on this function and its versions.
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'EventBridge Scheduler: invokes the detect function',
    });
    const functionId = Stack.of(this).getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the detect function and its versions only (the grant CDK makes for a Scheduler target)',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Authwatch ${config.envName}: run the detection rules`,
      schedule: scheduler.ScheduleExpression.expression(this.section.schedule),
      enabled: this.section.enabled,
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(fn, {
        role: scheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: 2,
        maxEventAge: Duration.minutes(10),
      }),
    });

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: 'The detect function failed (no detection ran)',
      metric: fn.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    new CfnOutput(this, 'AlertTopicArn', {
      value: this.topic.topicArn,
      description: 'Detection alerts (SNS)',
    });
  }

  /**
   * The first_seen rules' baseline snapshots (`authwatch_baselines`): a Glue table of
   * Parquet under `detections/baselines/` of the audit bucket, partitioned by rule and
   * day, that the detect function fills with Athena `INSERT INTO` (Athena writes the
   * objects and registers each new partition) and reads. Only its own prefix and table
   * are writable.
   */
  private baselinesTable(
    props: DetectionsProps,
    databaseName: string,
    fn: TracedFunction,
  ): glue.CfnTable {
    const { audit } = props;
    const location = `s3://${audit.bucket.bucketName}/${BASELINES_PREFIX}`;
    const table = new glue.CfnTable(this, 'BaselinesTable', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName,
      tableInput: {
        name: BASELINES_TABLE,
        description:
          "Detections: the first_seen rules' baseline snapshots (one row per rule, day, group and value)",
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'parquet.compression': 'SNAPPY',
        },
        partitionKeys: BASELINES_PARTITION_KEYS.map(({ name, type }) => ({ name, type })),
        storageDescriptor: {
          location,
          columns: BASELINES_COLUMNS.map(({ name, type }) => ({ name, type })),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            parameters: { 'serialization.format': '1' },
          },
        },
      },
    });
    if (audit.database) table.addResourceDependency(audit.database);
    const arn = (resource: string) =>
      `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:CreatePartition',
          'glue:BatchCreatePartition',
        ],
        resources: [
          arn('catalog'),
          arn(`database/${databaseName}`),
          arn(`table/${databaseName}/${BASELINES_TABLE}`),
        ],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [audit.bucket.arnForObjects(`${BASELINES_PREFIX}*`)],
      }),
    );
    const bucketId = Stack.of(this).getLogicalId(audit.bucket.node.defaultChild as s3.CfnBucket);
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${BASELINES_PREFIX}*]`,
        reason:
          'Athena INSERT INTO writes and reads the baseline snapshots under their own prefix of the audit bucket only',
      });
    }
    return table;
  }

  private grant(fn: TracedFunction, props: DetectionsProps, databaseName: string): void {
    const { audit } = props;
    const arn = (service: string, resource: string) =>
      `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    grantAuditQueries(fn, audit, databaseName);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.table.tableArn],
      }),
    );
    // Not topic.grantPublish: it grants kms:GenerateDataKey* where publishing needs one action.
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    this.topicKey.grant(fn, 'kms:Decrypt', 'kms:GenerateDataKey');
    if (this.section.events) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [arn('events', 'event-bus/default')],
        }),
      );
    }
    if (this.section.responses) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [
            'cognito-idp:AdminUpdateUserAttributes',
            'cognito-idp:AdminUserGlobalSignOut',
            'cognito-idp:AdminDisableUser',
          ],
          resources: [props.userPool.userPoolArn],
        }),
      );
    }
  }
}
