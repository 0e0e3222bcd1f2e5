/**
 * The detect handler's configuration, read once at cold start from environment
 * variables (names exported as {@link DETECT_ENV}; the CDK app and the local stack set
 * them). A bad value fails the cold start with a message naming the variable.
 */
import {
  ConfigError,
  getBooleanFromEnv,
  getEnumFromEnv,
  getIntFromEnv,
  getOptionalStringFromEnv,
  getStringFromEnv,
} from '@authwatch/kit/env';

export const DETECT_ENV = {
  engine: 'DETECT_ENGINE',
  rulesFile: 'DETECT_RULES_FILE',
  lookbackSeconds: 'DETECT_LOOKBACK_SECONDS',
  maxCatchUpSeconds: 'DETECT_MAX_CATCH_UP_SECONDS',
  athenaWorkGroup: 'DETECT_ATHENA_WORKGROUP',
  athenaDatabase: 'DETECT_ATHENA_DATABASE',
  athenaTimeoutSeconds: 'DETECT_ATHENA_TIMEOUT_SECONDS',
  auditDir: 'DETECT_AUDIT_DIR',
  stateTable: 'DETECT_STATE_TABLE',
  stateFile: 'DETECT_STATE_FILE',
  alertTopicArn: 'DETECT_ALERT_TOPIC_ARN',
  eventBus: 'DETECT_EVENT_BUS',
  responses: 'DETECT_RESPONSES',
  userPoolId: 'DETECT_USER_POOL_ID',
} as const;

/** The live-feed channel findings are published to. */
export const DETECTIONS_CHANNEL = '/auth/detections';

export interface DetectConfig {
  /** `athena` in AWS, `duckdb` offline (the local stack). */
  engine: 'athena' | 'duckdb';
  /** The rules file; a relative path is resolved against LAMBDA_TASK_ROOT (or the cwd). */
  rulesFile?: string;
  /** Each run reads windows ending in the last this many seconds (schedule + Firehose buffer). */
  lookbackSeconds: number;
  /** After failed runs, at most this far back is caught up in one run. */
  maxCatchUpSeconds: number;
  athena?: { workGroup: string; database: string; timeoutMs: number };
  /** DuckDB: the folder of audit objects. */
  auditDir?: string;
  /** Finding state: a DynamoDB table (AWS) or a JSON file (local). */
  state: { table: string } | { file: string };
  alertTopicArn?: string;
  /** EventBridge bus for findings (default bus when unset and events are on). */
  eventBus?: string;
  /** Whether rules' response actions run (off: they are reported as skipped). */
  responses: boolean;
  userPoolId?: string;
}

export function loadDetectConfig(env: NodeJS.ProcessEnv = process.env): DetectConfig {
  const source = { env };
  const engine = getEnumFromEnv(DETECT_ENV.engine, ['athena', 'duckdb'] as const, {
    ...source,
    defaultValue: 'athena',
  });
  const config: DetectConfig = {
    engine,
    lookbackSeconds: getIntFromEnv(DETECT_ENV.lookbackSeconds, {
      ...source,
      min: 10,
      max: 86_400,
      defaultValue: 1_320,
    }),
    maxCatchUpSeconds: getIntFromEnv(DETECT_ENV.maxCatchUpSeconds, {
      ...source,
      min: 60,
      max: 7 * 86_400,
      defaultValue: 21_600,
    }),
    state: { file: '' },
    responses: getBooleanFromEnv(DETECT_ENV.responses, { ...source, defaultValue: false }),
  };
  const rulesFile = getOptionalStringFromEnv(DETECT_ENV.rulesFile, source);
  if (rulesFile) config.rulesFile = rulesFile;
  if (engine === 'athena') {
    config.athena = {
      workGroup: getStringFromEnv(DETECT_ENV.athenaWorkGroup, source),
      database: getStringFromEnv(DETECT_ENV.athenaDatabase, source),
      timeoutMs:
        1000 *
        getIntFromEnv(DETECT_ENV.athenaTimeoutSeconds, {
          ...source,
          min: 5,
          max: 840,
          defaultValue: 120,
        }),
    };
  } else {
    config.auditDir = getStringFromEnv(DETECT_ENV.auditDir, source);
  }
  const table = getOptionalStringFromEnv(DETECT_ENV.stateTable, source);
  const file = getOptionalStringFromEnv(DETECT_ENV.stateFile, source);
  if (table && file)
    throw new ConfigError(DETECT_ENV.stateFile, `cannot be set with ${DETECT_ENV.stateTable}`);
  if (!table && !file)
    throw new ConfigError(DETECT_ENV.stateTable, `is required (or ${DETECT_ENV.stateFile})`);
  config.state = table ? { table } : { file: file as string };
  const topic = getOptionalStringFromEnv(DETECT_ENV.alertTopicArn, source);
  if (topic) {
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(topic)) {
      throw new ConfigError(DETECT_ENV.alertTopicArn, `must be an SNS topic ARN, got "${topic}"`);
    }
    config.alertTopicArn = topic;
  }
  const bus = getOptionalStringFromEnv(DETECT_ENV.eventBus, source);
  if (bus) config.eventBus = bus;
  const pool = getOptionalStringFromEnv(DETECT_ENV.userPoolId, source);
  if (pool) {
    if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(pool)) {
      throw new ConfigError(
        DETECT_ENV.userPoolId,
        `must be a user pool id such as us-east-1_Example1, got "${pool}"`,
      );
    }
    config.userPoolId = pool;
  }
  if (config.responses && !config.userPoolId) {
    throw new ConfigError(
      DETECT_ENV.userPoolId,
      `is required when ${DETECT_ENV.responses} is true`,
    );
  }
  return config;
}
