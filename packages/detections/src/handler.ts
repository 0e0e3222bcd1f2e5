/**
 * Lambda entry of the detect function (EventBridge Scheduler, every 5 minutes by
 * default). Module scope holds what warm invocations reuse: the config and the rules
 * (a bad variable or rules file fails the cold start, naming it), the engine, the
 * store, the auditor (live feed channel `/auth/detections`), the alert and response
 * clients. The local stack invokes this same handler with DETECT_ENGINE=duckdb.
 */
import { auditorFromEnv } from '@authwatch/audit';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createAwsAlerter } from './alerts.js';
import { createDetectHandler, type DetectDeps } from './app.js';
import { loadDetectConfig } from './config.js';
import { checkDrift, loadDriftBaseline } from './drift.js';
import { loadRulesFile } from './load.js';
import { DEFAULT_RULES_FILE } from './paths.js';
import { AthenaEngine } from './query/athena.js';
import { DuckDbEngine } from './query/duckdb.js';
import type { QueryEngine } from './query/engine.js';
import { createCognitoResponder } from './responses.js';
import { FileFindingStore } from './store.js';
import { DynamoDbFindingStore } from './store-dynamodb.js';

const config = loadDetectConfig();
const rules = loadRulesFile(config.rulesFile ?? DEFAULT_RULES_FILE, {
  ...(process.env.LAMBDA_TASK_ROOT ? { baseDir: process.env.LAMBDA_TASK_ROOT } : {}),
});

// DuckDB (offline only) loads its native module on the first query, not here; it keeps
// the objects of the scanned days in a table and parses only the objects that land.
const engine: QueryEngine =
  config.engine === 'athena' && config.athena
    ? new AthenaEngine(config.athena)
    : new DuckDbEngine({ dir: config.auditDir ?? '.', incremental: true });
const engineOf = async () => engine;
const baseline = loadDriftBaseline();

const store =
  'table' in config.state
    ? new DynamoDbFindingStore(config.state.table)
    : new FileFindingStore(config.state.file);
const userPoolId = config.userPoolId;
// The drift check runs when the pool and its deployed baseline are both configured.
const drift =
  userPoolId && baseline
    ? (() => {
        const cognito = new CognitoIdentityProviderClient({
          maxAttempts: 3,
          requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 },
        });
        return (now: number) =>
          checkDrift({
            cognito,
            userPoolId,
            baseline,
            store,
            now,
            ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
          });
      })()
    : undefined;

const deps: DetectDeps = {
  config,
  rules,
  engine: engineOf as DetectDeps['engine'],
  store,
  ...(drift ? { drift } : {}),
  auditor: auditorFromEnv(),
  alerter: createAwsAlerter({
    ...(config.alertTopicArn ? { topicArn: config.alertTopicArn } : {}),
    events: config.eventBus !== 'none',
    ...(config.eventBus && config.eventBus !== 'none' ? { eventBusName: config.eventBus } : {}),
  }),
  ...(config.responses && config.userPoolId
    ? { responder: createCognitoResponder(config.userPoolId) }
    : {}),
  ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
};

export const handler = createDetectHandler(deps);
