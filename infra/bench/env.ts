/**
 * Environment of a benchmarked cold start. Every process gets COMMON_ENV (what the Lambda
 * runtime and TracedFunction set); each entry adds the variables its config requires at
 * cold start, with sample values. An entry missing from ENTRY_ENV runs with COMMON_ENV
 * only, and a config error is then printed in place of its figures.
 */
import { loadConfig } from '../config/index.js';
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

/** Sample values of each entry's own variables, keyed by entry label. */
export const ENTRY_ENV: Record<string, Record<string, string>> = {
  // Filled in as handler packages land: label -> { VARIABLE: 'sample value' }.
};

/** The whole environment of one entry's cold start. */
export function benchEnvironment(label: string): Record<string, string> {
  return {
    ...RUNTIME_ENV,
    ...powertoolsEnvironment(loadConfig('prod'), `authwatch-${label.replace('/', '-')}`),
    ...ENTRY_ENV[label],
  };
}
