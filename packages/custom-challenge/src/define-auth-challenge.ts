/** Lambda entry of the define auth challenge trigger. */
import { auditorFromEnv } from '@authwatch/audit';
import { afterResponse } from '@authwatch/kit';
import { loadChallengeConfig } from './config.js';
import { createDefineHandler } from './handlers.js';

// Audit sends finish after the answer: registers the Lambda extension that holds them.
await afterResponse.start();

export const handler = createDefineHandler({
  config: loadChallengeConfig(),
  auditor: auditorFromEnv(),
});
