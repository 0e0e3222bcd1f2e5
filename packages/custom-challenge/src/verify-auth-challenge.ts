/** Lambda entry of the verify auth challenge response trigger. */
import { auditorFromEnv } from '@authwatch/audit';
import { afterResponse } from '@authwatch/kit';
import { loadChallengeConfig } from './config.js';
import { createVerifyHandler } from './handlers.js';
import { productionKeys } from './runtime.js';

// Audit sends finish after the answer: registers the Lambda extension that holds them.
await afterResponse.start();

export const handler = createVerifyHandler({
  config: loadChallengeConfig(),
  keys: productionKeys(),
  auditor: auditorFromEnv(),
});
