/**
 * The deployed baseline the CloudTrail handler compares admin changes with
 * (`CLOUDTRAIL_POOL_BASELINE`, `packages/cloudtrail/src/management-config.ts`), for the
 * local pool: the triggers the stack wires (the local functions' ARNs DescribeUserPool
 * shows), MFA off (the local pool has none), the config's password policy, and the
 * clients' OAuth flows (the machine client's client_credentials; no callback URLs).
 */
import type { PoolBaseline } from '@authwatch/cloudtrail/management-config';
import type { AuthwatchConfig } from '@authwatch/infra/config';
import { userPoolSectionOf } from '../../../../infra/config/sections/user-pool.js';
import { LOCAL_ACCOUNT_ID } from '../cognito/cloudtrail.js';
import { entryExists, LAMBDAS } from '../triggers/environment.js';

/** The ARN the emulator shows for a local trigger (`model.ts` `lambdaArn`). */
export function localTriggerArn(region: string, trigger: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:authwatch-local-${trigger}`;
}

export function localPoolBaseline(config: AuthwatchConfig): PoolBaseline {
  const section = userPoolSectionOf(config.userPool);
  const policy = section.passwordPolicy;
  const triggers: Record<string, string> = {};
  for (const lambda of LAMBDAS) {
    if (lambda.trigger && entryExists(lambda)) {
      triggers[lambda.trigger] = localTriggerArn(config.region, lambda.trigger);
    }
  }
  return {
    triggers,
    mfa: 'OFF',
    passwordPolicy: {
      minimumLength: policy.minLength,
      requireUppercase: policy.requireUppercase,
      requireLowercase: policy.requireLowercase,
      requireNumbers: policy.requireDigits,
      requireSymbols: policy.requireSymbols,
    },
    clients: { callbackURLs: [], oauthFlows: ['client_credentials'] },
  };
}
