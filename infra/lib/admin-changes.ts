/**
 * Admin changes (issue 27): the deployed pool as the baseline both the CloudTrail
 * consumer (`CLOUDTRAIL_POOL_BASELINE`: flags a detached trigger, weakened MFA or
 * password policy, widened clients) and the detect function's drift check
 * (`DETECT_POOL_BASELINE`, reading the pool with DescribeUserPool, ListUserPoolClients
 * and DescribeUserPoolClient on this pool only) compare with. Built from the same typed
 * config and the same trigger functions the pool is deployed with, so a redeploy moves
 * the baseline with the pool.
 */
import { MANAGEMENT_ENV, type PoolBaseline } from '@authwatch/cloudtrail/management-config';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { appClientSpecs } from '../config/clients.js';
import type { AuthwatchConfig } from '../config/index.js';
import { userPoolSectionOf } from '../config/sections/user-pool.js';
import type { CustomAuth } from './custom-auth.js';
import type { Detections } from './detections.js';
import type { SignInWatch } from './sign-in-watch.js';
import type { TokenApi } from './token-api.js';
import type { AuthwatchUserPool } from './user-pool.js';

export const DETECT_POOL_BASELINE = 'DETECT_POOL_BASELINE';

export interface AdminChangesProps {
  config: AuthwatchConfig;
  userPool: AuthwatchUserPool;
  customAuth: CustomAuth | undefined;
  tokenApi: TokenApi;
  signInWatch: SignInWatch;
  detections: Detections | undefined;
}

const MFA = { off: 'OFF', optional: 'OPTIONAL', required: 'ON' } as const;

/** The deployed pool: its trigger functions' ARNs, MFA, password policy and clients. */
export function poolBaseline(props: AdminChangesProps): PoolBaseline {
  const section = userPoolSectionOf(props.config.userPool);
  const policy = section.passwordPolicy;
  const specs = appClientSpecs(props.config);
  const flows = [specs.web, specs.machine].flatMap((spec) => spec?.allowedOAuthFlows ?? []);
  const triggers: Record<string, string> = {
    PreSignUp: props.userPool.preSignUpFunction.functionArn,
    PostAuthentication: props.userPool.postAuthFunction.functionArn,
    PreAuthentication: props.signInWatch.preAuthFunction.functionArn,
    PreTokenGeneration: props.tokenApi.preTokenFunction.functionArn,
  };
  if (props.customAuth) {
    triggers.DefineAuthChallenge = props.customAuth.defineFunction.functionArn;
    triggers.CreateAuthChallenge = props.customAuth.createFunction.functionArn;
    triggers.VerifyAuthChallengeResponse = props.customAuth.verifyFunction.functionArn;
  }
  return {
    triggers,
    mfa: MFA[section.mfa],
    passwordPolicy: {
      minimumLength: policy.minLength,
      requireUppercase: policy.requireUppercase,
      requireLowercase: policy.requireLowercase,
      requireNumbers: policy.requireDigits,
      requireSymbols: policy.requireSymbols,
    },
    clients: {
      callbackURLs: [...section.webClient.callbackUrls, ...section.webClient.logoutUrls],
      oauthFlows: [...new Set(flows)].filter(
        (flow): flow is 'code' | 'implicit' | 'client_credentials' =>
          flow === 'code' || flow === 'implicit' || flow === 'client_credentials',
      ),
    },
  };
}

/** Sets the baseline on the CloudTrail consumer and the detect function (with its read grant). */
export function wireAdminChanges(scope: IConstruct, props: AdminChangesProps): void {
  const json = Stack.of(scope).toJsonString(poolBaseline(props));
  props.signInWatch.cloudTrailFunction?.addEnvironment(MANAGEMENT_ENV.baseline, json);
  const groups = props.config.signInWatch?.cloudTrail?.privilegedGroups;
  if (groups) {
    props.signInWatch.cloudTrailFunction?.addEnvironment(
      MANAGEMENT_ENV.privilegedGroups,
      groups.join(','),
    );
  }
  const detect = props.detections?.function;
  if (!detect) return;
  detect.addEnvironment(DETECT_POOL_BASELINE, json);
  detect.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'cognito-idp:DescribeUserPool',
        'cognito-idp:ListUserPoolClients',
        'cognito-idp:DescribeUserPoolClient',
      ],
      resources: [props.userPool.userPool.userPoolArn],
    }),
  );
}
