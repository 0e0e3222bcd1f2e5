import { MANAGEMENT_ENV } from '@authwatch/cloudtrail/management-config';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { SignInWatchSectionSchema } from '../config/sections/sign-in-watch.js';
import { DETECT_POOL_BASELINE, poolBaseline } from '../lib/admin-changes.js';
import { AuthwatchStack, nagFindings, stackNameFor } from '../lib/index.js';

describe('admin-change baseline', () => {
  let stack: AuthwatchStack;
  let template: Template;

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    stack = new AuthwatchStack(app, stackNameFor({ envName: 'dev' }), {
      config: loadConfig('dev'),
    });
    template = Template.fromStack(stack);
  });

  it('is the deployed pool: every trigger function, MFA, password policy, the web client’s URLs', () => {
    const baseline = poolBaseline({
      config: loadConfig('dev'),
      userPool: stack.userPool,
      customAuth: stack.customAuth,
      tokenApi: stack.tokenApi,
      signInWatch: stack.signInWatch,
      detections: stack.detections,
    });

    expect(Object.keys(baseline.triggers).sort()).toEqual(
      expect.arrayContaining([
        'PostAuthentication',
        'PreAuthentication',
        'PreSignUp',
        'PreTokenGeneration',
      ]),
    );
    const arn = Stack.of(stack).resolve(baseline.triggers.PreAuthentication);
    expect(arn).toEqual({
      'Fn::GetAtt': [
        stack.getLogicalId(stack.signInWatch.preAuthFunction.node.defaultChild as never),
        'Arn',
      ],
    });
    expect(baseline.passwordPolicy?.minimumLength).toBeGreaterThanOrEqual(8);
    expect(baseline.clients?.callbackURLs.length).toBeGreaterThan(0);
  });

  it('is given to the CloudTrail consumer and the detect function, which may read this pool only', () => {
    const withBaseline = (name: string) =>
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: Match.objectLike({ [name]: Match.anyValue() }) } },
      });

    expect(Object.keys(withBaseline(MANAGEMENT_ENV.baseline))).toHaveLength(
      stack.signInWatch.cloudTrailFunction ? 1 : 0,
    );
    expect(Object.keys(withBaseline(DETECT_POOL_BASELINE))).toHaveLength(stack.detections ? 1 : 0);
    if (stack.detections) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: [
                'cognito-idp:DescribeUserPool',
                'cognito-idp:ListUserPoolClients',
                'cognito-idp:DescribeUserPoolClient',
              ],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('UserPool'), 'Arn'] },
            }),
          ]),
        },
      });
    }
    expect(nagFindings(stack)).toEqual([]);
  });

  it('gives the CloudTrail consumer the privileged groups of the config', () => {
    const config = loadConfig('dev');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const custom = new AuthwatchStack(app, 'Authwatch-groups', {
      config: {
        ...config,
        signInWatch: SignInWatchSectionSchema.parse({
          cloudTrail: { privilegedGroups: ['admins', 'billing-admins'] },
        }),
      },
    });
    Template.fromStack(custom).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [MANAGEMENT_ENV.privilegedGroups]: 'admins,billing-admins' }),
      },
    });
  });

  it('refuses a privileged group that is not a Cognito group name, naming the field', () => {
    expect(() =>
      SignInWatchSectionSchema.parse({ cloudTrail: { privilegedGroups: ['has space'] } }),
    ).toThrow(/privilegedGroups/);
  });
});
