/**
 * The history routes' settings, read once at cold start from environment variables
 * (the CDK app sets them from the config; the local stack from its state folder).
 */
import { DEFAULT_SECURITY_GROUP } from '../api.js';

export const HISTORY_ENV = {
  /** `duckdb` (offline: reads HISTORY_AUDIT_DIR) or `athena`; unset: history answers 503. */
  engine: 'HISTORY_ENGINE',
  /** The folder of audit objects DuckDB reads (the local stack's `.local/audit`). */
  auditDir: 'HISTORY_AUDIT_DIR',
  /** DuckDB: `true` loads the history in the background and follows new objects (the local stack). */
  follow: 'HISTORY_FOLLOW',
  /** The group whose members may read history (`audit.liveFeed.subscriberGroup`). */
  securityGroup: 'SECURITY_GROUP',
  /** Athena: the workgroup, database and catalog the `authwatch_events` view is in. */
  athenaWorkGroup: 'HISTORY_ATHENA_WORKGROUP',
  athenaDatabase: 'HISTORY_ATHENA_DATABASE',
} as const;

export type HistoryConfig =
  | { engine: 'none'; securityGroup: string }
  | { engine: 'duckdb'; auditDir: string; follow: boolean; securityGroup: string }
  | { engine: 'athena'; workGroup: string; database: string; securityGroup: string };

/** A history variable with a bad value; the message names it. */
export class HistoryConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Environment variable ${variable} ${problem}`);
    this.name = 'HistoryConfigError';
  }
}

const GROUP = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

export function readHistoryConfig(env: Record<string, string | undefined>): HistoryConfig {
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };
  const required = (name: string) => {
    const raw = value(name);
    if (raw === undefined) throw new HistoryConfigError(name, 'is required');
    return raw;
  };
  const securityGroup = value(HISTORY_ENV.securityGroup) ?? DEFAULT_SECURITY_GROUP;
  if (!GROUP.test(securityGroup)) {
    throw new HistoryConfigError(HISTORY_ENV.securityGroup, 'must be a Cognito group name');
  }
  const engine = value(HISTORY_ENV.engine);
  switch (engine) {
    case undefined:
      return { engine: 'none', securityGroup };
    case 'duckdb': {
      const follow = value(HISTORY_ENV.follow) ?? 'false';
      if (follow !== 'true' && follow !== 'false') {
        throw new HistoryConfigError(HISTORY_ENV.follow, 'must be true or false');
      }
      return {
        engine,
        auditDir: required(HISTORY_ENV.auditDir),
        follow: follow === 'true',
        securityGroup,
      };
    }
    case 'athena':
      return {
        engine,
        workGroup: required(HISTORY_ENV.athenaWorkGroup),
        database: required(HISTORY_ENV.athenaDatabase),
        securityGroup,
      };
    default:
      throw new HistoryConfigError(HISTORY_ENV.engine, 'must be duckdb or athena');
  }
}
