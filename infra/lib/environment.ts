/**
 * The environment every Authwatch Lambda gets from the typed config. No aws-cdk-lib
 * import: the bundle benchmark and the local stack use it too.
 */
import type { BaseConfig } from '../config/index.js';

/** The Powertools variables every Authwatch Lambda gets from the typed config. */
/** The CloudWatch namespace of every function's metrics (POWERTOOLS_METRICS_NAMESPACE). */
export const METRICS_NAMESPACE = 'Authwatch';

export function powertoolsEnvironment(
  config: BaseConfig,
  serviceName: string,
): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    POWERTOOLS_LOGGER_SAMPLE_RATE: String(config.logSampleRate),
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    NODE_OPTIONS: '--enable-source-maps',
  };
}
