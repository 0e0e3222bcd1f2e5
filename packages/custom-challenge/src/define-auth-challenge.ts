/** Lambda entry of the define auth challenge trigger. */
import { auditorFromEnv } from '@authwatch/audit';
import { loadChallengeConfig } from './config.js';
import { createDefineHandler } from './handlers.js';

export const handler = createDefineHandler({
  config: loadChallengeConfig(),
  auditor: auditorFromEnv(),
});
