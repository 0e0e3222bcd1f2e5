/**
 * What the admin-change mapping compares a call with: the pool as the CDK app deployed
 * it (its Authwatch triggers, MFA setting, password policy, the clients' callback URLs
 * and OAuth flows) and which groups are privileged. Read once at cold start from two
 * variables; a bad value fails the cold start naming the variable.
 *
 * - `CLOUDTRAIL_PRIVILEGED_GROUPS`: comma-separated group names (default `admins`);
 * - `CLOUDTRAIL_POOL_BASELINE`: JSON, {@link PoolBaselineSchema} (infra writes it from the
 *   same typed config the pool is deployed from; the local stack from its own pool).
 */
import { ConfigError, getListFromEnv, getOptionalStringFromEnv } from '@authwatch/kit/env';
import * as z from 'zod';

export const MANAGEMENT_ENV = {
  privilegedGroups: 'CLOUDTRAIL_PRIVILEGED_GROUPS',
  baseline: 'CLOUDTRAIL_POOL_BASELINE',
} as const;

export const DEFAULT_PRIVILEGED_GROUPS = ['admins'];

const MfaMode = z.enum(['OFF', 'ON', 'OPTIONAL']);

export const PoolBaselineSchema = z.strictObject({
  /** Trigger name (PreSignUp, PreAuthentication, ...) → the deployed function's ARN. */
  triggers: z.record(z.string().regex(/^[A-Z][A-Za-z]+$/), z.string().min(20)).default({}),
  mfa: MfaMode.optional(),
  passwordPolicy: z
    .strictObject({
      minimumLength: z.int().min(6).max(99),
      requireUppercase: z.boolean(),
      requireLowercase: z.boolean(),
      requireNumbers: z.boolean(),
      requireSymbols: z.boolean(),
    })
    .optional(),
  /** Every callback URL and OAuth flow the deployed clients have. */
  clients: z
    .strictObject({
      callbackURLs: z.array(z.string().min(1)).default([]),
      oauthFlows: z.array(z.enum(['code', 'implicit', 'client_credentials'])).default([]),
    })
    .optional(),
});
export type PoolBaseline = z.output<typeof PoolBaselineSchema>;

export interface ManagementConfig {
  privilegedGroups: string[];
  baseline: PoolBaseline;
}

export const DEFAULT_MANAGEMENT: ManagementConfig = {
  privilegedGroups: DEFAULT_PRIVILEGED_GROUPS,
  baseline: { triggers: {} },
};

type Env = Record<string, string | undefined>;

/** Reads the two variables; a bad value throws a ConfigError naming the variable and field. */
export function loadManagementConfig(env: Env = process.env): ManagementConfig {
  const privilegedGroups = getListFromEnv(MANAGEMENT_ENV.privilegedGroups, {
    env,
    defaultValue: DEFAULT_PRIVILEGED_GROUPS,
  });
  for (const group of privilegedGroups) {
    if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u.test(group)) {
      throw new ConfigError(MANAGEMENT_ENV.privilegedGroups, `holds "${group}", not a group name`);
    }
  }
  const raw = getOptionalStringFromEnv(MANAGEMENT_ENV.baseline, { env });
  if (raw === undefined) return { privilegedGroups, baseline: { triggers: {} } };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(MANAGEMENT_ENV.baseline, 'is not JSON');
  }
  const parsed = PoolBaselineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new ConfigError(MANAGEMENT_ENV.baseline, `field ${path}: ${issue?.message ?? 'invalid'}`);
  }
  return { privilegedGroups, baseline: parsed.data };
}
