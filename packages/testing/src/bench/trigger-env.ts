import { startFirehoseResponder } from './firehose-responder.js';

/**
 * Prepares `process.env` for an in-process trigger benchmark, before the trigger's
 * modules are imported (they read their config at load): Powertools quiet, dummy AWS
 * credentials, and audit going to a Firehose-compatible responder on loopback.
 * Returns the responder, to close at the end.
 */
export async function prepareTriggerBench(): Promise<{ url: string; close(): Promise<void> }> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_TRACE_ENABLED = 'false';
  const firehose = await startFirehoseResponder();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_FIREHOSE: firehose.url,
    AUDIT_STREAM_NAME: 'authwatch-bench',
  });
  return firehose;
}
