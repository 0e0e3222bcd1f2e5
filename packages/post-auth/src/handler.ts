/**
 * Lambda entry of the post authentication trigger. Module scope holds what warm
 * invocations reuse: the config (templates checked at cold start), the auditor and
 * the SES client (endpoint from AWS_ENDPOINT_URL_SES when set).
 */
import { auditorFromEnv } from '@authwatch/audit';
import { afterResponse, captureClient, sdkClientConfig, withCallSignals } from '@authwatch/kit';
import { SESClient } from '@aws-sdk/client-ses';
import { createPostAuthHandler } from './app.js';
import { loadConfig } from './config.js';

// Audit sends finish after the answer: registers the Lambda extension that holds them.
await afterResponse.start();

const config = loadConfig();
const ses = withCallSignals(
  captureClient(
    new SESClient(sdkClientConfig({ requestTimeoutMs: config.mail?.timeoutMs ?? 1_500 })),
  ),
);

export const handler = createPostAuthHandler({ config, auditor: auditorFromEnv(), ses });
