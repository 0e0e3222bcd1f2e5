/**
 * Environment of a benchmarked cold start. Every process gets COMMON_ENV (what the Lambda
 * runtime and TracedFunction set); each entry adds the variables its config requires at
 * cold start, with sample values. An entry missing from ENTRY_ENV runs with COMMON_ENV
 * only, and a config error is then printed in place of its figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  COMPILED_RULES_FILE_NAME,
  loadRulesFile,
  precompileRules,
} from '@authwatch/pre-token-generation';
import { loadConfig } from '../config/index.js';
import { REPO_ROOT } from '../lib/bundling.js';
import { powertoolsEnvironment } from '../lib/environment.js';

/** The variables the Lambda runtime sets, with dummy credentials (nothing is called). */
export const RUNTIME_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIABENCHMARK0000000',
  AWS_SECRET_ACCESS_KEY: 'benchmark-secret-not-used',
  AWS_SESSION_TOKEN: 'benchmark-session-not-used',
  AWS_LAMBDA_FUNCTION_NAME: 'authwatch-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
};

type EnvNames = Record<string, string>;

/**
 * A package's exported env-name constants, or an empty object while the package (or
 * the constant) has not landed: the bench then shows that entry's config error.
 */
async function envNames(pkg: string, constant: string): Promise<EnvNames> {
  try {
    const module = (await import(pkg)) as Record<string, unknown>;
    return (module[constant] as EnvNames | undefined) ?? {};
  } catch {
    return {};
  }
}

/** `{ [names[field]]: value }` for each field whose name the package exports. */
function sample(names: EnvNames, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([field]) => names[field] !== undefined)
      .map(([field, value]) => [names[field] as string, value]),
  );
}

const AUDIT_ENV = await envNames('@authwatch/audit', 'AUDIT_ENV');
const CUSTOM_CHALLENGE_ENV = await envNames('@authwatch/custom-challenge', 'CUSTOM_CHALLENGE_ENV');
const PRE_TOKEN_ENV = await envNames('@authwatch/pre-token-generation', 'PRE_TOKEN_ENV');
const PRE_SIGNUP_ENV = await envNames('@authwatch/pre-signup', 'PRE_SIGNUP_ENV');
const POST_AUTH_ENV = await envNames('@authwatch/post-auth', 'POST_AUTH_ENV');
const PRE_AUTH_ENV = await envNames('@authwatch/pre-auth', 'PRE_AUTH_ENV');
const CLOUDTRAIL_ENV = await envNames('@authwatch/cloudtrail', 'CLOUDTRAIL_ENV');
const DETECT_ENV = await envNames('@authwatch/detections', 'DETECT_ENV');
/** The GeoIP database the layer holds in Lambda: the registry package's file here. */
const countryDb = await import('@authwatch/cloudtrail')
  .then((module) => module.packagedCountryDb()?.database ?? '')
  .catch(() => '');

/** Every trigger audits: a stream name is all the auditor needs at cold start. */
const AUDIT = sample(AUDIT_ENV, { streamName: 'authwatch-bench-audit' });

/**
 * As deployed (TokenApi): the demo rules file, and beside it the rules compiled at synth,
 * which the trigger reads instead.
 */
const RULES_FILE = join(REPO_ROOT, 'packages', 'pre-token-generation', 'rules', 'default.yaml');
const rulesDir = mkdtempSync(join(tmpdir(), 'authwatch-bench-rules-'));
process.once('exit', () => rmSync(rulesDir, { recursive: true, force: true }));
const COMPILED_RULES = join(rulesDir, COMPILED_RULES_FILE_NAME);
writeFileSync(
  COMPILED_RULES,
  precompileRules(loadRulesFile(RULES_FILE, { triggerVersion: 'V2_0' })),
);

/** As deployed: the code key comes from a Secrets Manager secret (the responder's). */
const CHALLENGE = {
  ...AUDIT,
  ...sample(CUSTOM_CHALLENGE_ENV, {
    keySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:authwatch-bench',
    mailFrom: 'Sign-in <no-reply@example.com>',
  }),
};

/** Sample values of each entry's own variables, keyed by entry label. */
export const ENTRY_ENV: Record<string, Record<string, string>> = {
  'pre-signup': { ...AUDIT, ...sample(PRE_SIGNUP_ENV, {}) },
  'post-auth': {
    ...AUDIT,
    ...sample(POST_AUTH_ENV, { mailFrom: 'Security <no-reply@example.com>' }),
  },
  'pre-token-generation': {
    ...AUDIT,
    ...sample(PRE_TOKEN_ENV, {
      rulesFile: RULES_FILE,
      compiledRulesFile: COMPILED_RULES,
      triggerVersion: 'V2_0',
    }),
  },
  'custom-challenge/define-auth-challenge': CHALLENGE,
  'custom-challenge/create-auth-challenge': CHALLENGE,
  'custom-challenge/verify-auth-challenge': CHALLENGE,
  'protected-api': {},
  'pre-auth': { ...AUDIT, ...sample(PRE_AUTH_ENV, { userHashKey: 'bench-hash-key-0123456789' }) },
  cloudtrail: { ...AUDIT, ...sample(CLOUDTRAIL_ENV, { geoipCountryDb: countryDb }) },
  // As deployed (Detections): Athena, the default rules (copied beside the bundle in AWS).
  detections: {
    ...AUDIT,
    ...sample(DETECT_ENV, {
      engine: 'athena',
      rulesFile: join(REPO_ROOT, 'packages', 'detections', 'rules', 'default.yaml'),
      athenaWorkGroup: 'authwatch-bench',
      athenaDatabase: 'authwatch_audit_bench',
      stateTable: 'authwatch-bench-detections',
      alertTopicArn: 'arn:aws:sns:eu-west-1:123456789012:authwatch-bench-alerts',
      responses: 'false',
    }),
  },
};

/**
 * The first invocation of each entry: a fixture of `@authwatch/testing` (a real event
 * shape) on the path a sign-in takes. Variants (`entry · case`) time a rarer path of the
 * same bundle, e.g. the federated sign-up that calls Cognito.
 */
export const ENTRY_EVENT: Record<string, string> = {
  floor: 'post-auth/authentication',
  kit: 'post-auth/authentication',
  'pre-signup': 'pre-signup/sign-up',
  'pre-signup · federated': 'pre-signup/external-provider',
  'post-auth': 'post-auth/new-device',
  'pre-token-generation': 'pre-token-generation/v2/authentication',
  'custom-challenge/define-auth-challenge': 'custom-challenge/define-first-call',
  'custom-challenge/create-auth-challenge': 'custom-challenge/create',
  'custom-challenge/verify-auth-challenge': 'custom-challenge/verify',
  'protected-api': 'protected-api/me',
  'pre-auth': 'pre-auth/authentication',
};

/**
 * The whole environment of one entry's cold start. `endpoints` points the SDK clients
 * and the live feed at the benchmark's responder; `AFTER_RESPONSE=host` lets the probe
 * time the answer apart from the work that follows it (as Lambda's extension mode does).
 */
export function benchEnvironment(
  label: string,
  endpoints: Record<string, string> = {},
): Record<string, string> {
  const entry = label.split(' · ')[0] as string;
  return {
    ...RUNTIME_ENV,
    ...powertoolsEnvironment(loadConfig('prod'), `authwatch-${entry.replace('/', '-')}`),
    ...endpoints,
    AFTER_RESPONSE: 'host',
    ...ENTRY_ENV[entry],
  };
}
