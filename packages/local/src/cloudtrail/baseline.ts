/**
 * The deployed baseline the CloudTrail handler compares admin changes with
 * (`CLOUDTRAIL_POOL_BASELINE`, `packages/cloudtrail/src/management-config.ts`), for the
 * local pool: the triggers the stack wires (the local functions' ARNs DescribeUserPool
 * shows), MFA off (the local pool has none), the config's password policy, and the
 * clients' OAuth flows as the stack creates them (`appClientSpecs`; the emulator's
 * clients have no callback URLs).
 */
import type { PoolBaseline } from '@authwatch/cloudtrail/management-config';
import type { AuthwatchConfig } from '@authwatch/infra/config';
import { appClientSpecs, localPasswordClientSpec } from '../../../../infra/config/clients.js';
import { userPoolSectionOf } from '../../../../infra/config/sections/user-pool.js';
import { LOCAL_ACCOUNT_ID } from '../cognito/cloudtrail.js';
import { entryExists, LAMBDAS } from '../triggers/environment.js';

/** The ARN the emulator shows for a local trigger (`model.ts` `lambdaArn`). */
export function localTriggerArn(region: string, trigger: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:authwatch-local-${trigger}`;
}

/** Every OAuth flow of the clients the stack creates (web, machine, password). */
function clientFlows(config: AuthwatchConfig): ('code' | 'implicit' | 'client_credentials')[] {
  const specs = appClientSpecs(config);
  const all = [specs.web, specs.machine, localPasswordClientSpec(config)].flatMap(
    (spec) => spec?.allowedOAuthFlows ?? [],
  );
  return [...new Set(all)].filter(
    (flow): flow is 'code' | 'implicit' | 'client_credentials' =>
      flow === 'code' || flow === 'implicit' || flow === 'client_credentials',
  );
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
    clients: { callbackURLs: [], oauthFlows: clientFlows(config) },
  };
}
