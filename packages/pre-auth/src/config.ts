/**
 * The pre authentication trigger's configuration, read once at cold start. Each policy
 * is off unless configured; a bad value fails the cold start naming the variable.
 */
import {
  ConfigError,
  getBooleanFromEnv,
  getIntFromEnv,
  getJsonFromEnv,
  getStringFromEnv,
} from '@authwatch/kit/env';
// zod's mini build, as the kit's schemas: a lighter cold start (packages/kit/README.md).
import * as z from 'zod/mini';

/** Environment variable names (infra imports them). */
export const PRE_AUTH_ENV = {
  lock: 'PRE_AUTH_LOCK',
  clientRules: 'PRE_AUTH_CLIENT_RULES',
  userHashKey: 'PRE_AUTH_USER_HASH_KEY',
  groupsTimeoutMs: 'PRE_AUTH_GROUPS_TIMEOUT_MS',
} as const;

/** The user attribute that holds a temporary lock: epoch seconds until which sign-in is refused. */
export const LOCK_ATTRIBUTE = 'custom:authwatch_lock_until';

/** Members of any of `groups` may sign in only through one of `clients`. */
export const ClientRuleSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Group names (Cognito groups), at least one. */
    groups: z.array(z.string().check(z.minLength(1), z.maxLength(128))).check(z.minLength(1)),
    /** App client ids the members may use, at least one. */
    clients: z
      .array(z.string().check(z.regex(/^[\w+]{1,128}$/, 'must be an app client id')))
      .check(z.minLength(1)),
  }))();
export type ClientRule = z.output<typeof ClientRuleSchema>;

export interface PreAuthConfig {
  /** Refuse users whose `custom:authwatch_lock_until` is in the future. */
  lock: boolean;
  /** Client restrictions by group; empty: none (and no group lookup). */
  clientRules: ClientRule[];
  /** Key of the HMAC that stands for an entered user name in audit records. */
  userHashKey: string;
  /** Time allowed to the group lookup (AdminListGroupsForUser), never past the deadline. */
  groupsTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration. */
export function loadConfig(env: Env = process.env): PreAuthConfig {
  const source = { env };
  const userHashKey = getStringFromEnv(PRE_AUTH_ENV.userHashKey, source);
  if (userHashKey.length < 16) {
    // Never quote the value: it is a secret.
    throw new ConfigError(PRE_AUTH_ENV.userHashKey, 'must be at least 16 characters');
  }
  return {
    lock: getBooleanFromEnv(PRE_AUTH_ENV.lock, { ...source, defaultValue: false }),
    clientRules: getJsonFromEnv(PRE_AUTH_ENV.clientRules, z.array(ClientRuleSchema), {
      ...source,
      defaultValue: [],
    }),
    userHashKey,
    groupsTimeoutMs: getIntFromEnv(PRE_AUTH_ENV.groupsTimeoutMs, {
      ...source,
      min: 50,
      max: 4_000,
      defaultValue: 1_000,
    }),
  };
}
