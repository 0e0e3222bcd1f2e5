/**
 * Lambda entry of the post authentication trigger. Module scope holds what warm
 * invocations reuse: the config (templates checked at cold start), the auditor and
 * the SES client (endpoint from AWS_ENDPOINT_URL_SES when set). The SES client is built
 * on the first new-device mail, which is sent after the trigger's answer: the cold
 * start does not load the SDK's SES package, and no sign-in waits for it.
 */
import { auditorFromEnv } from '@authwatch/audit';
import {
  afterResponse,
  captureClient,
  lazy,
  sdkClientConfig,
  withCallSignals,
} from '@authwatch/kit';
import { createPostAuthHandler } from './app.js';
import { loadConfig } from './config.js';

// Audit sends finish after the answer: registers the Lambda extension that holds them.
await afterResponse.start();

const config = loadConfig();
const ses = lazy(async () => {
  const { SESClient } = await import('@aws-sdk/client-ses');
  return withCallSignals(
    captureClient(
      new SESClient(sdkClientConfig({ requestTimeoutMs: config.mail?.timeoutMs ?? 1_500 })),
    ),
  );
});

export const handler = createPostAuthHandler({ config, auditor: auditorFromEnv(), ses });
