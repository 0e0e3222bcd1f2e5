/**
 * The pre token generation Lambda's configuration, read once at cold start. Names are
 * exported so infra and the local stack set the same variables.
 */
import { getEnumFromEnv, getIntFromEnv, getOptionalStringFromEnv } from '@authwatch/kit/env';
import { TRIGGER_VERSIONS, type TriggerVersion } from './reserved.js';

// What infra's config needs, without the engine (`@authwatch/pre-token-generation/config`).
export { TRIGGER_VERSIONS, type TriggerVersion };

import { DEFAULT_TOKEN_SIZE_BUDGET } from './token.js';

/** Environment variables of the pre token generation Lambda. */
export const PRE_TOKEN_ENV = {
  /**
   * The rules file (YAML or JSON): absolute, or relative to LAMBDA_TASK_ROOT (the
   * current directory outside Lambda). Default {@link DEFAULT_RULES_FILE_NAME}.
   */
  rulesFile: 'CLAIMS_RULES_FILE',
  /**
   * The rules compiled at synth (`rules.compiled.json` in the rules layer); when set,
   * read instead of CLAIMS_RULES_FILE, without YAML parsing or schema validation at
   * cold start. Unset: the rules file is read and validated at cold start.
   */
  compiledRulesFile: 'CLAIMS_RULES_COMPILED',
  /** The user pool's LambdaVersion for this trigger: V1_0, V2_0 (default) or V3_0. */
  triggerVersion: 'CLAIMS_TRIGGER_VERSION',
  /** Warn when a token is estimated longer than this many characters (default: the file's setting, else 4096). */
  tokenSizeBudget: 'CLAIMS_TOKEN_SIZE_BUDGET',
} as const;

/** Where the deployed function finds its rules when CLAIMS_RULES_FILE is unset. */
export const DEFAULT_RULES_FILE_NAME = 'claims-rules.yaml';

export interface PreTokenConfig {
  /** The rules file as configured. */
  rulesFile: string;
  /** The rules compiled at synth, when configured (read instead of `rulesFile`). */
  compiledRulesFile?: string;
  /** What a relative rules path is resolved against. */
  baseDir: string;
  /** The LambdaVersion the rules are checked against. */
  triggerVersion: TriggerVersion;
  /** Explicit budget from the environment; undefined defers to the rules file's setting. */
  tokenSizeBudget?: number;
}

/** Reads the config; each bad variable is a ConfigError naming it. */
export function loadPreTokenConfig(
  env: Record<string, string | undefined> = process.env,
): PreTokenConfig {
  const budget = getOptionalStringFromEnv(PRE_TOKEN_ENV.tokenSizeBudget, { env });
  const compiledRulesFile = getOptionalStringFromEnv(PRE_TOKEN_ENV.compiledRulesFile, { env });
  return {
    rulesFile:
      getOptionalStringFromEnv(PRE_TOKEN_ENV.rulesFile, { env }) ?? DEFAULT_RULES_FILE_NAME,
    ...(compiledRulesFile === undefined ? {} : { compiledRulesFile }),
    baseDir: getOptionalStringFromEnv('LAMBDA_TASK_ROOT', { env }) ?? process.cwd(),
    triggerVersion: getEnumFromEnv(PRE_TOKEN_ENV.triggerVersion, TRIGGER_VERSIONS, {
      env,
      defaultValue: 'V2_0',
    }),
    tokenSizeBudget:
      budget === undefined
        ? undefined
        : getIntFromEnv(PRE_TOKEN_ENV.tokenSizeBudget, { env, min: 256, max: 65_536 }),
  };
}

/** The budget in force: the environment's, else the rules file's, else 4096. */
export function effectiveBudget(
  config: Pick<PreTokenConfig, 'tokenSizeBudget'>,
  fileBudget?: number,
): number {
  return config.tokenSizeBudget ?? fileBudget ?? DEFAULT_TOKEN_SIZE_BUDGET;
}
