/** Lambda entry of the create auth challenge trigger: issues the email code. */
import { auditorFromEnv } from '@authwatch/audit';
import { afterResponse, captureClient, sdkClientConfig, withCallSignals } from '@authwatch/kit';
import { SESClient } from '@aws-sdk/client-ses';
import { loadChallengeConfig, loadMailConfig } from './config.js';
import { createCreateHandler } from './handlers.js';
import { productionKeys } from './runtime.js';

// Audit sends finish after the answer: registers the Lambda extension that holds them.
await afterResponse.start();

const mail = loadMailConfig();

export const handler = createCreateHandler({
  config: loadChallengeConfig(),
  mail,
  keys: productionKeys(),
  auditor: auditorFromEnv(),
  // One attempt only: a second would risk a second mail; the deadline bounds the first.
  ses: withCallSignals(
    captureClient(
      new SESClient(sdkClientConfig({ requestTimeoutMs: mail.sesTimeoutMs, maxAttempts: 1 })),
    ),
  ),
});
