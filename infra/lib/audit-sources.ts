/**
 * The audit stream's storage, one Amazon Security Lake custom source per OCSF class
 * (`OCSF_SOURCES` of `@authwatch/audit`): one Glue table per source with partition
 * projection over `ext/<source>/region=…/accountId=…/eventDay=…/`, the Athena view
 * `authwatch_events` that unions them, and, when the account runs Security Lake, the
 * sources registered in the lake (CreateCustomLogSource through a custom resource, one
 * per class) with the stream's grants on the lake's bucket.
 */
import {
  AUDIT_COLUMNS,
  AUDIT_PARTITION_KEYS,
  AUDIT_S3_ERROR_ROOT,
  AUTHWATCH_EVENTS_VIEW,
  athenaEventsViewColumns,
  athenaEventsViewQuery,
  athenaViewOriginalText,
  OCSF_SOURCE_LIST,
  type OcsfSource,
  sourcePrefix,
} from '@authwatch/audit';
import { Arn, ArnFormat, Aws, CfnOutput, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { SecurityLakeSection } from '../config/sections/security-lake.js';

/** Security Lake's limit on custom sources in one account (the user guide's note). */
export const SECURITY_LAKE_CUSTOM_SOURCE_LIMIT = 50;

export interface AuditTablesProps {
  database: glue.CfnDatabase;
  databaseName: string;
  /** The bucket the sources' folders are in. */
  bucketName: string;
  /** The folder of a source in that bucket, with a trailing slash. */
  folderOf: (source: OcsfSource) => string;
}

/** One Glue table per source, and the `authwatch_events` view over all of them. */
export class AuditTables extends Construct {
  /** By class_uid. */
  readonly tables = new Map<number, glue.CfnTable>();
  readonly view: glue.CfnTable;

  constructor(scope: Construct, id: string, props: AuditTablesProps) {
    super(scope, id);
    const { databaseName } = props;
    for (const source of OCSF_SOURCE_LIST) {
      const root = `s3://${props.bucketName}/${props.folderOf(source)}`;
      const table = new glue.CfnTable(this, `Table${source.classUid}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName,
        tableInput: {
          name: source.table,
          description: `OCSF 1.3.0 ${source.className} (${source.classUid}) events, Security Lake custom source ${source.name}`,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            classification: 'parquet',
            EXTERNAL: 'TRUE',
            'authwatch.class_uid': String(source.classUid),
            'projection.enabled': 'true',
            'projection.region.type': 'enum',
            'projection.region.values': Aws.REGION,
            'projection.accountid.type': 'enum',
            'projection.accountid.values': Aws.ACCOUNT_ID,
            'projection.eventday.type': 'date',
            'projection.eventday.format': 'yyyyMMdd',
            'projection.eventday.range': '20240101,NOW',
            'projection.eventday.interval': '1',
            'projection.eventday.interval.unit': 'DAYS',
            'storage.location.template': `${root}region=\${region}/accountId=\${accountid}/eventDay=\${eventday}/`,
          },
          partitionKeys: AUDIT_PARTITION_KEYS.map(({ name, type, comment }) => ({
            name,
            type,
            comment,
          })),
          storageDescriptor: {
            location: root,
            columns: AUDIT_COLUMNS.map(({ name, type, comment }) => ({ name, type, comment })),
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: {
              serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
              parameters: { 'serialization.format': '1' },
            },
          },
        },
      });
      table.addResourceDependency(props.database);
      this.tables.set(source.classUid, table);
    }

    // Athena keeps a view as a Glue table of type VIRTUAL_VIEW whose original text is the
    // base64 of its definition ("Presto View"); this is what CREATE VIEW would store.
    const query = athenaEventsViewQuery(databaseName);
    this.view = new glue.CfnTable(this, 'EventsView', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName,
      tableInput: {
        name: AUTHWATCH_EVENTS_VIEW,
        description: 'Every Authwatch OCSF event: the union of the per-class source tables',
        tableType: 'VIRTUAL_VIEW',
        parameters: { presto_view: 'true', comment: 'Presto View' },
        viewOriginalText: athenaViewOriginalText(databaseName, query),
        viewExpandedText: '/* Presto View */',
        storageDescriptor: {
          columns: athenaEventsViewColumns().map(({ name, hiveType }) => ({
            name,
            type: hiveType,
          })),
          serdeInfo: {},
        },
      },
    });
    for (const table of this.tables.values()) this.view.addResourceDependency(table);
  }

  /**
   * The table the stream converts records to Parquet with. Firehose takes one schema per
   * stream; every source table has the same columns (`AUDIT_COLUMNS`), so any of them
   * describes every class's records.
   */
  get conversionTable(): glue.CfnTable {
    return this.tables.get(OCSF_SOURCE_LIST[0]?.classUid as number) as glue.CfnTable;
  }
}

/** The folder of a source in the stack's own audit bucket (`ext/<source>/`). */
export const ownBucketFolder = (source: OcsfSource): string => sourcePrefix(source);

export interface SecurityLakeSourcesProps {
  settings: SecurityLakeSection;
}

/**
 * The Authwatch sources registered in an existing Security Lake: one
 * CreateCustomLogSource per class (DeleteCustomLogSource when removed), the Glue
 * crawler role Security Lake runs each source's crawler with, and the lake's bucket as
 * the stream's destination, with grants on the sources' folders only.
 */
export class SecurityLakeSources extends Construct {
  readonly crawlerRole: iam.Role;
  /** The role the registrations (CreateCustomLogSource) run with. */
  readonly registrarRole: iam.Role;
  /** cdk-nag's ids of the grants on the sources' folders of the lake's bucket. */
  readonly folderFindings: string[];
  /** By class_uid. */
  readonly registrations = new Map<number, cr.AwsCustomResource>();
  /** The lake's bucket; `grantReadWrite` grants only the sources' and errors' folders. */
  readonly bucket: s3.IBucket;
  readonly key?: kms.IKey;
  readonly settings: SecurityLakeSection;

  constructor(scope: Construct, id: string, props: SecurityLakeSourcesProps) {
    super(scope, id);
    const { settings } = props;
    this.settings = settings;
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.region)) {
      throw new Error(
        'securityLake needs a stack with an explicit region (env.region): the lake, its bucket and its Glue database are regional',
      );
    }
    const lakeBucket = s3.Bucket.fromBucketName(this, 'LakeBucket', settings.bucketName);
    this.key = settings.kmsKeyArn
      ? kms.Key.fromKeyArn(this, 'LakeKey', settings.kmsKeyArn)
      : undefined;
    const folders = [
      ...OCSF_SOURCE_LIST.map((source) => `${this.folderOf(source)}*`),
      `${AUDIT_S3_ERROR_ROOT}*`,
    ];
    // The Firehose destination grants read-write on its bucket: on the lake's bucket,
    // only under the Authwatch sources' folders and the error prefix.
    this.bucket = new Proxy(lakeBucket, {
      get(target, property, receiver) {
        if (property === 'grantReadWrite') {
          return (grantee: iam.IGrantable) => {
            const [first, ...rest] = folders.map((folder) =>
              target.grantReadWrite(grantee, folder),
            );
            return rest.reduce((all, grant) => all.combine(grant), first as iam.Grant);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });

    this.crawlerRole = new iam.Role(this, 'CrawlerRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: 'Glue crawler of the Authwatch custom sources in Security Lake',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSGlueServiceRole'),
      ],
    });
    this.crawlerRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: OCSF_SOURCE_LIST.map((s) => lakeBucket.arnForObjects(`${this.folderOf(s)}*`)),
      }),
    );
    this.crawlerRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [lakeBucket.bucketArn],
      }),
    );
    if (this.key) this.key.grantDecrypt(this.crawlerRole);
    Validations.of(this.crawlerRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSGlueServiceRole]',
      reason:
        'CreateCustomLogSource asks for a crawler role with the AWSGlueServiceRole managed policy plus access to the lake (Security Lake API reference)',
    });

    const dataLakeArn = Arn.format(
      { service: 'securitylake', resource: 'data-lake', resourceName: 'default' },
      stack,
    );
    const lakeDatabase = `amazon_security_lake_glue_db_${stack.region.replaceAll('-', '_')}`;
    const glueArn = (resource: string, name: string) =>
      Arn.format({ service: 'glue', resource, resourceName: name }, stack);
    // One role for the five registrations (the custom resources' shared function runs
    // with it): what CreateCustomLogSource / DeleteCustomLogSource need of the caller.
    this.registrarRole = new iam.Role(this, 'RegistrarRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Registers the Authwatch custom sources in Security Lake',
    });
    const statements = [
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [
          Arn.format(
            {
              service: 'logs',
              resource: 'log-group',
              resourceName: '/aws/lambda/*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            },
            stack,
          ),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['securitylake:CreateCustomLogSource', 'securitylake:DeleteCustomLogSource'],
        resources: [dataLakeArn],
      }),
      new iam.PolicyStatement({
        actions: [
          'glue:CreateCrawler',
          'glue:DeleteCrawler',
          'glue:StartCrawlerSchedule',
          'glue:StopCrawlerSchedule',
          'glue:CreateDatabase',
          'glue:GetDatabase',
          'glue:CreateTable',
          'glue:GetTable',
          'glue:DeleteTable',
        ],
        resources: [
          Arn.format({ service: 'glue', resource: 'catalog' }, stack),
          glueArn('database', lakeDatabase),
          glueArn('table', `${lakeDatabase}/*`),
          glueArn('crawler', '*'),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['iam:GetRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
        resources: [
          Arn.format(
            {
              service: 'iam',
              region: '',
              resource: 'role',
              resourceName: 'AmazonSecurityLake-Provider-authwatch-*',
            },
            stack,
          ),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.crawlerRole.roleArn],
      }),
      new iam.PolicyStatement({
        actions: ['lakeformation:RegisterResource', 'lakeformation:GrantPermissions'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [lakeBucket.bucketArn] }),
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: OCSF_SOURCE_LIST.map((s) => lakeBucket.arnForObjects(`${this.folderOf(s)}*`)),
      }),
      ...(settings.kmsKeyArn
        ? [
            new iam.PolicyStatement({
              actions: ['kms:CreateGrant', 'kms:DescribeKey'],
              resources: [settings.kmsKeyArn],
            }),
          ]
        : []),
    ];
    for (const statement of statements) this.registrarRole.addToPolicy(statement);
    const folderFindings = (bucketName: string) =>
      OCSF_SOURCE_LIST.map(
        (s) => `Resource::arn:<AWS::Partition>:s3:::${bucketName}/${this.folderOf(s)}*`,
      );
    // cdk-nag names a resource by its resolved text, or `<AWS::Region>` for a token.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    acknowledgeAll(this.registrarRole, [
      [
        `Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/lambda/*`,
        'The custom resources’ shared function has a generated name; it writes its own logs',
      ],
      [
        `Resource::arn:<AWS::Partition>:glue:${region}:${account}:table/${lakeDatabase}/*`,
        'Security Lake creates each source’s table in its own database, under a name it chooses',
      ],
      [
        `Resource::arn:<AWS::Partition>:glue:${region}:${account}:crawler/*`,
        'Security Lake names each source’s crawler itself',
      ],
      [
        `Resource::arn:<AWS::Partition>:iam::${account}:role/AmazonSecurityLake-Provider-authwatch-*`,
        'Security Lake names the provider roles AmazonSecurityLake-Provider-<source>-<region>',
      ],
      ['Resource::*', 'lakeformation:RegisterResource and GrantPermissions take no resource ARN'],
      ...folderFindings(settings.bucketName).map(
        (finding) =>
          [finding, 'CreateCustomLogSource creates the source’s folder in the lake'] as const,
      ),
    ]);
    acknowledgeAll(
      this.crawlerRole,
      folderFindings(settings.bucketName).map((finding) => [
        finding,
        'The crawler reads every object of its source’s folder only',
      ]),
    );
    this.folderFindings = folderFindings(settings.bucketName);

    for (const source of OCSF_SOURCE_LIST) {
      const identity = { sourceName: source.lakeName, sourceVersion: settings.sourceVersion };
      const registration = new cr.AwsCustomResource(this, `Source${source.classUid}`, {
        resourceType: 'Custom::SecurityLakeCustomLogSource',
        installLatestAwsSdk: false,
        timeout: Duration.minutes(2),
        onCreate: {
          service: 'SecurityLake',
          action: 'CreateCustomLogSource',
          parameters: {
            ...identity,
            eventClasses: [source.lakeEventClass],
            configuration: {
              crawlerConfiguration: { roleArn: this.crawlerRole.roleArn },
              providerIdentity: { externalId: settings.externalId, principal: Aws.ACCOUNT_ID },
            },
          },
          physicalResourceId: cr.PhysicalResourceId.of(`${source.lakeName}`),
          outputPaths: ['source.provider.location', 'source.provider.roleArn'],
        },
        onDelete: {
          service: 'SecurityLake',
          action: 'DeleteCustomLogSource',
          parameters: identity,
        },
        role: this.registrarRole,
      });
      registration.node.addDependency(this.crawlerRole);
      this.registrations.set(source.classUid, registration);
      new CfnOutput(this, `Source${source.classUid}Location`, {
        description: `Security Lake location of ${source.name} (class ${source.classUid}); the stream writes ${this.folderOf(source)}`,
        value: registration.getResponseField('source.provider.location'),
      });
      new CfnOutput(this, `Source${source.classUid}ProviderRole`, {
        description: `Provider role Security Lake made for ${source.lakeName} (external id from the config)`,
        value: registration.getResponseField('source.provider.roleArn'),
      });
    }
  }

  /** A source's folder in the lake's bucket: `ext/<registered name>/[<version>/]`. */
  folderOf(source: OcsfSource): string {
    const version = this.settings.sourceVersion ? `${this.settings.sourceVersion}/` : '';
    return `${sourcePrefix(source.lakeName)}${version}`;
  }
}

/** Acknowledges cdk-nag IAM5 findings (`[finding, reason]`) on `scope`. */
export function acknowledgeAll(
  scope: Construct,
  findings: readonly (readonly [string, string])[],
): void {
  for (const [finding, reason] of findings) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}
