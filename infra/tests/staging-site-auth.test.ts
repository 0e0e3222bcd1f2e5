import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FeaturePlan, UserPool } from 'aws-cdk-lib/aws-cognito';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  ListenerAction,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, loadConfig, validateConfig } from '../config/index.js';
import {
  nagFindings,
  StagingSiteAuth,
  stagingSiteAuthFromConfig,
  UserImportRole,
} from '../lib/index.js';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const LISTENER_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/staging/50dc6c495c0c9188/f2f7dc8efc522ab2';
const TARGET_GROUP_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/staging-site/73e2d6bc24d8a067';

function pool(stack: Stack) {
  const userPool = new UserPool(stack, 'Pool', { featurePlan: FeaturePlan.ESSENTIALS });
  const domain = userPool.addDomain('Domain', {
    cognitoDomain: { domainPrefix: 'authwatch-test' },
  });
  return { userPool, domain };
}

/** A stack with a pool and a load balancer of its own (HTTPS listener), and the construct. */
function buildWithOwnAlb(
  options: { onUnauthenticatedRequest?: 'authenticate' | 'allow' | 'deny' } = {},
) {
  const app = new App();
  const stack = new Stack(app, 'StagingSiteAuthTest', { env: ENV });
  const { userPool, domain } = pool(stack);
  const vpc = new Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const listener = alb.addListener('Https', {
    port: 443,
    protocol: ApplicationProtocol.HTTPS,
    certificates: [{ certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc' }],
    defaultAction: ListenerAction.fixedResponse(404),
  });
  const targetGroup = new ApplicationTargetGroup(stack, 'Site', {
    vpc,
    port: 8080,
    protocol: ApplicationProtocol.HTTP,
    targetType: TargetType.IP,
  });
  const auth = new StagingSiteAuth(stack, 'StagingSiteAuth', {
    userPool,
    domain,
    listener,
    targetGroup,
    siteDomain: 'staging.example.com',
    priority: 10,
    scopes: ['openid', 'email', 'profile'],
    sessionCookieName: 'staging-session',
    sessionTimeout: Duration.hours(12),
    ...options,
  });
  return { stack, auth, template: Template.fromStack(stack) };
}

describe('StagingSiteAuth', () => {
  it('gives the load balancer its own app client: a secret, the code grant, the ALB callback URL and the scopes', () => {
    const { template } = buildWithOwnAlb();
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'staging-site-staging.example.com',
      GenerateSecret: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: ['https://staging.example.com/oauth2/idpresponse'],
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  it('adds a listener rule for the site host that authenticates with Cognito, then forwards to the target group', () => {
    const { template } = buildWithOwnAlb();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: Match.arrayWith([
        { Field: 'host-header', HostHeaderConfig: { Values: ['staging.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } },
      ]),
      Actions: [
        {
          Order: 1,
          Type: 'authenticate-cognito',
          AuthenticateCognitoConfig: {
            UserPoolArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Pool'), 'Arn'] },
            UserPoolClientId: { Ref: Match.stringLikeRegexp('^StagingSiteAuthClient') },
            UserPoolDomain: { Ref: Match.stringLikeRegexp('^PoolDomain') },
            Scope: 'openid email profile',
            SessionCookieName: 'staging-session',
            SessionTimeout: 43200,
            OnUnauthenticatedRequest: 'authenticate',
          },
        },
        { Order: 2, Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^Site') } },
      ],
    });
  });

  it('passes on what to do with an unauthenticated request (deny answers 401)', () => {
    const { template } = buildWithOwnAlb({ onUnauthenticatedRequest: 'deny' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Actions: Match.arrayWith([
        Match.objectLike({
          AuthenticateCognitoConfig: Match.objectLike({ OnUnauthenticatedRequest: 'deny' }),
        }),
      ]),
    });
  });

  it('lets the load balancer reach Cognito over HTTPS', () => {
    const { template } = buildWithOwnAlb();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: Match.arrayWith([
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
      ]),
    });
  });

  it('adds no cdk-nag finding of its own', () => {
    const app = new App();
    const stack = new Stack(app, 'NagTest', { env: ENV });
    const { userPool, domain } = pool(stack);
    stagingSiteAuthFromConfig(
      stack,
      validateConfig('dev', { ...loadConfig('dev'), stagingSiteAuth: section() }),
      userPool,
      domain,
    );
    const ours = nagFindings(stack).filter((finding) =>
      finding.resources.some((path) => path.includes('StagingSite')),
    );
    expect(ours).toEqual([]);
  });
});

function section(overrides: Record<string, unknown> = {}) {
  return {
    enabled: true,
    siteDomain: 'staging.example.com',
    listenerArn: LISTENER_ARN,
    loadBalancerSecurityGroupId: 'sg-0123456789abcdef0',
    targetGroupArn: TARGET_GROUP_ARN,
    priority: 5,
    ...overrides,
  };
}

describe('stagingSiteAuth config section', () => {
  it('is off by default: no listener rule and no extra client', () => {
    const config = loadConfig('dev');
    expect(config.stagingSiteAuth).toBeUndefined();
    const stack = new Stack(new App(), 'Off', { env: ENV });
    const { userPool, domain } = pool(stack);
    expect(stagingSiteAuthFromConfig(stack, config, userPool, domain)).toBeUndefined();
    const disabled = validateConfig('dev', {
      ...config,
      stagingSiteAuth: section({ enabled: false }),
    });
    expect(stagingSiteAuthFromConfig(stack, disabled, userPool, domain)).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
  });

  it('puts the rule on the existing listener and target group the section names, with its defaults', () => {
    const stack = new Stack(new App(), 'On', { env: ENV });
    const { userPool, domain } = pool(stack);
    stagingSiteAuthFromConfig(
      stack,
      validateConfig('dev', { ...loadConfig('dev'), stagingSiteAuth: section() }),
      userPool,
      domain,
    );
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: LISTENER_ARN,
      Priority: 5,
      Actions: [
        Match.objectLike({
          AuthenticateCognitoConfig: Match.objectLike({
            Scope: 'openid email',
            SessionCookieName: 'AWSELBAuthSessionCookie',
            SessionTimeout: 28800,
            OnUnauthenticatedRequest: 'authenticate',
          }),
        }),
        { Order: 2, Type: 'forward', TargetGroupArn: TARGET_GROUP_ARN },
      ],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: 'sg-0123456789abcdef0',
      FromPort: 443,
      ToPort: 443,
    });
  });

  it.each([
    [{ siteDomain: 'https://staging.example.com' }, 'stagingSiteAuth.siteDomain'],
    [
      { listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:listener/x' },
      'stagingSiteAuth.listenerArn',
    ],
    [{ sessionTimeoutSeconds: 604_801 }, 'stagingSiteAuth.sessionTimeoutSeconds'],
    [{ scopes: ['email'] }, 'stagingSiteAuth.scopes'],
    [{ onUnauthenticatedRequest: 'redirect' }, 'stagingSiteAuth.onUnauthenticatedRequest'],
    [{ priority: 0 }, 'stagingSiteAuth.priority'],
  ])('refuses %j, naming the field', (overrides, field) => {
    let error: unknown;
    try {
      validateConfig('dev', { ...loadConfig('dev'), stagingSiteAuth: section(overrides) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).fields).toContain(field);
  });
});

describe('UserImportRole', () => {
  function build() {
    const stack = new Stack(new App(), 'ImportRole', { env: ENV });
    const { userPool } = pool(stack);
    const importRole = new UserImportRole(stack, 'UserImport', { userPool });
    return { stack, importRole, template: Template.fromStack(stack) };
  }

  it('is trusted by Cognito for this pool and account only', () => {
    build().template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'cognito-idp.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111122223333' },
              ArnLike: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^Pool'), 'Arn'] },
              },
            },
          },
        ],
      },
    });
  });

  it("writes only to this pool's import log group", () => {
    const { template } = build();
    const roles = template.findResources('AWS::IAM::Role');
    const [role] = Object.values(roles) as { Properties: { Policies: unknown[] } }[];
    const policies = JSON.stringify(role?.Properties.Policies);
    expect(role?.Properties.Policies).toEqual([
      {
        PolicyName: 'ImportJobLog',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:DescribeLogStreams',
                'logs:PutLogEvents',
              ],
              Resource: [expect.any(Object), expect.any(Object)],
            },
          ],
        },
      },
    ]);
    const poolRef = Object.keys(template.findResources('AWS::Cognito::UserPool'))[0];
    expect(policies).toContain(`:log-group:/aws/cognito/userpools/",{"Ref":"${poolRef}"},"/*"]`);
    expect(policies).toContain(`{"Ref":"${poolRef}"},"/*:log-stream:*"`);
    template.hasOutput('*', { Description: 'authwatch-users import --role-arn' });
  });

  it('is cdk-nag clean (the log-group wildcard acknowledged with its reason)', () => {
    const { stack } = build();
    expect(
      nagFindings(stack).filter((f) => f.resources.some((p) => p.includes('UserImport'))),
    ).toEqual([]);
  });
});
