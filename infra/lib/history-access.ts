/**
 * What the protected API's history routes (the security page's) need in AWS: the
 * security group's name, Athena as their engine on the audit workgroup and database,
 * and exactly the grants those queries use (start, poll, read results and stop in the
 * one workgroup; the catalog, database and tables; the audit objects and the results
 * bucket; the audit key). Variable names are the protected API's own (HISTORY_ENV).
 */
import { HISTORY_ENV } from '@authwatch/protected-api';
import { Aws, Stack, Validations } from 'aws-cdk-lib';
import type { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';

export interface HistoryAccessProps {
  /** The audit stream's query side. */
  audit: {
    workGroup: CfnWorkGroup;
    bucket: IBucket;
    resultsBucket: IBucket;
    key: IKey;
    settings: { subscriberGroup: string };
  };
  databaseName: string;
}

/** Sets the history variables of `fn` and grants it the history queries. */
export function grantHistory(fn: LambdaFunction, props: HistoryAccessProps): void {
  const { audit, databaseName } = props;
  fn.addEnvironment(HISTORY_ENV.securityGroup, audit.settings.subscriberGroup);
  fn.addEnvironment(HISTORY_ENV.engine, 'athena');
  fn.addEnvironment(HISTORY_ENV.athenaWorkGroup, audit.workGroup.name);
  fn.addEnvironment(HISTORY_ENV.athenaDatabase, databaseName);
  grantAuditQueries(fn, audit, databaseName);
}

/**
 * Grants `fn` exactly what running SQL on the audit database through Athena needs (the
 * history routes and the detect function alike): start, poll, read results and stop in
 * the one workgroup; the catalog, database and tables; the audit objects under `ext/` and
 * the results bucket; the audit key. Acknowledges cdk-nag's wildcard findings with reasons.
 */
export function grantAuditQueries(
  fn: LambdaFunction,
  audit: Omit<HistoryAccessProps['audit'], 'settings'>,
  databaseName: string,
): void {
  const arn = (service: string, resource: string) =>
    `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
      ],
      resources: [arn('athena', `workgroup/${audit.workGroup.name}`)],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      resources: [
        arn('glue', 'catalog'),
        arn('glue', `database/${databaseName}`),
        arn('glue', `table/${databaseName}/*`),
      ],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [audit.bucket.arnForObjects('ext/*')],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [audit.bucket.bucketArn, audit.resultsBucket.bucketArn],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      resources: [audit.resultsBucket.arnForObjects('*')],
    }),
  );
  audit.key.grant(fn, 'kms:Decrypt', 'kms:GenerateDataKey');
  const stack = Stack.of(fn);
  const logicalId = (bucket: IBucket) => stack.getLogicalId(bucket.node.defaultChild as CfnBucket);
  for (const [finding, reason] of [
    [
      `Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${databaseName}/*`,
      "Athena reads the audit database's tables (the events view and its sources) and nothing else",
    ],
    [
      `Resource::<${logicalId(audit.bucket)}.Arn>/ext/*`,
      'Athena reads the delivered audit objects under ext/ of the audit bucket only',
    ],
    [
      `Resource::<${logicalId(audit.resultsBucket)}.Arn>/*`,
      'Athena writes and reads its query results in the workgroup results bucket only',
    ],
  ] as const) {
    if (fn.role)
      Validations.of(fn.role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
}
