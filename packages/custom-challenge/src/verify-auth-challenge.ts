/** Lambda entry of the verify auth challenge response trigger. */
import { auditorFromEnv } from '@authwatch/audit';
import { loadChallengeConfig } from './config.js';
import { createVerifyHandler } from './handlers.js';
import { productionKeys } from './runtime.js';

export const handler = createVerifyHandler({
  config: loadChallengeConfig(),
  keys: productionKeys(),
  auditor: auditorFromEnv(),
});
