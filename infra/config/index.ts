/**
 * Loads and validates the config of one environment. Used by the CDK app at synth and
 * by the local stack; a bad value fails with a message naming the field.
 *
 * @example
 * ```ts
 * const config = loadConfig('dev');
 * config.logRetentionDays; // 14
 * ```
 */
import type * as z from 'zod';
import { dev } from './dev.js';
import { prod } from './prod.js';
import { type AuthwatchConfig, ConfigSchema } from './schema.js';

export { type BaseConfig, BaseConfigSchema, LOG_LEVELS, LOG_RETENTION_DAYS } from './base.js';
export { type AuthwatchConfig, type AuthwatchConfigInput, ConfigSchema } from './schema.js';

/** Every environment's raw config, by name. Add an environment here. */
export const ENVIRONMENTS: Readonly<Record<string, unknown>> = { dev, prod };

/** The environment used when none is named (`AUTHWATCH_ENV`, else `dev`). */
export const DEFAULT_ENVIRONMENT = 'dev';

/** An environment's config is missing or invalid; the message names each bad field. */
export class InvalidConfigError extends Error {
  readonly fields: string[];
  constructor(envName: string, issues: { field: string; message: string }[]) {
    super(
      `Invalid infra config "${envName}": ${issues
        .map((issue) => `${issue.field}: ${issue.message}`)
        .join('; ')}`,
    );
    this.name = 'InvalidConfigError';
    this.fields = issues.map((issue) => issue.field);
  }
}

function describeIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    // An unknown key names the key itself, not its parent.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: base ? `${base}.${key}` : key,
        message: 'is not a known config field',
      }));
    }
    return [{ field: base || '(root)', message: issue.message }];
  });
}

/** Validates a raw config object; throws {@link InvalidConfigError} naming the fields. */
export function validateConfig(envName: string, raw: unknown): AuthwatchConfig {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) throw new InvalidConfigError(envName, describeIssues(result.error));
  if (result.data.envName !== envName) {
    throw new InvalidConfigError(envName, [
      { field: 'envName', message: `must be "${envName}", the name it is registered under` },
    ]);
  }
  return result.data;
}

/** Names of every configured environment. */
export function listEnvironments(): string[] {
  return Object.keys(ENVIRONMENTS).sort();
}

/** Loads and validates the config of `envName`. */
export function loadConfig(
  envName: string = process.env.AUTHWATCH_ENV ?? DEFAULT_ENVIRONMENT,
): AuthwatchConfig {
  const raw = Object.hasOwn(ENVIRONMENTS, envName) ? ENVIRONMENTS[envName] : undefined;
  if (raw === undefined) {
    throw new InvalidConfigError(envName, [
      {
        field: 'envName',
        message: `no environment "${envName}" (known: ${listEnvironments().join(', ')})`,
      },
    ]);
  }
  return validateConfig(envName, raw);
}
