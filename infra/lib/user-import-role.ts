/**
 * `UserImportRole`: the CloudWatch Logs role Cognito's user import jobs write their log
 * with (Amazon Cognito Developer Guide, "Creating the CloudWatch Logs IAM role"): trusted
 * by cognito-idp.amazonaws.com for this pool only (aws:SourceArn, aws:SourceAccount, the
 * confused-deputy guard), allowed to write to this pool's import log group only:
 * `/aws/cognito/userpools/<pool id>/<pool name>`, one stream per job.
 */
import { ArnFormat, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface UserImportRoleProps {
  userPool: IUserPool;
}

export class UserImportRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: UserImportRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/cognito/userpools/${props.userPool.userPoolId}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role = new Role(this, 'Role', {
      description: 'Cognito user import jobs write their log (this pool only)',
      assumedBy: new ServicePrincipal('cognito-idp.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': props.userPool.userPoolArn },
        },
      }),
      inlinePolicies: {
        ImportJobLog: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:DescribeLogStreams',
                'logs:PutLogEvents',
              ],
              resources: [logGroups, `${logGroups}:log-stream:*`],
            }),
          ],
        }),
      },
    });
    const reason =
      "Cognito names the log group after the pool's id and name, and each import job writes its own stream: the wildcards stay inside this pool's import log group.";
    for (const resource of [logGroups, `${logGroups}:log-stream:*`]) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResource(stack.resolve(resource))}]`,
        reason,
      });
    }
    new CfnOutput(this, 'UserImportRoleArn', {
      value: this.role.roleArn,
      description: 'authwatch-users import --role-arn',
    });
  }
}

/** A resolved ARN as cdk-nag names it in a finding: `arn:<AWS::Partition>:...<PoolId>/*`. */
function nagResource(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(nagResource).join(separator);
  }
  if (typeof object.Ref === 'string') return `<${object.Ref}>`;
  if (Array.isArray(object['Fn::GetAtt']))
    return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}
