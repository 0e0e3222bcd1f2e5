/**
 * Module-scope Powertools singletons, so warm invocations reuse them. Both read their
 * settings from the environment the CDK app sets: POWERTOOLS_SERVICE_NAME (one per
 * trigger), POWERTOOLS_LOG_LEVEL, POWERTOOLS_LOGGER_SAMPLE_RATE, and for the tracer
 * POWERTOOLS_TRACE_ENABLED (tracing is off outside Lambda).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { redactingReplacer } from './mask.js';

/** The namespace every Authwatch metric is published under. */
export const METRICS_NAMESPACE = 'Authwatch';

/** Structured JSON logger; secrets are redacted and PII masked by the replacer. */
export const logger = new Logger({ jsonReplacerFn: redactingReplacer });

/** X-Ray tracer; wrap AWS SDK clients with `tracer.captureAWSv3Client(client)`. */
export const tracer = new Tracer();

let metricsInstance: Metrics | undefined;

/** The Powertools Metrics behind {@link metrics}, constructed on first use. */
function metricsNow(): Metrics {
  metricsInstance ??= new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  });
  return metricsInstance;
}

/**
 * CloudWatch metrics in Embedded Metric Format (flushed by the trigger wrapper). The
 * Powertools instance is constructed when a metric is first added (~3 ms of CPU that a
 * cold start need not spend: most invocations add none); until then it has nothing to
 * publish.
 */
export const metrics: Metrics = new Proxy({} as Metrics, {
  get(_target, key) {
    if (key === 'hasStoredMetrics' && metricsInstance === undefined) return () => false;
    const instance = metricsNow();
    const value = Reflect.get(instance, key, instance) as unknown;
    return typeof value === 'function' ? value.bind(instance) : value;
  },
  set(_target, key, value) {
    return Reflect.set(metricsNow(), key, value);
  },
});

/**
 * Wraps an AWS SDK v3 client for X-Ray, a no-op when tracing is disabled.
 *
 * @example
 * ```ts
 * const ses = captureClient(new SESClient({}));
 * ```
 */
export function captureClient<T>(client: T): T {
  return tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client;
}
