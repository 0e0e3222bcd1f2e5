export { createPreAuthHandler, type PreAuthHandlerDeps } from './app.js';
export {
  type ClientRule,
  ClientRuleSchema,
  LOCK_ATTRIBUTE,
  loadConfig,
  PRE_AUTH_ENV,
  type PreAuthConfig,
} from './config.js';
export { cognitoGroups, type GroupDirectory } from './groups.js';
export {
  type Groups,
  hashUserName,
  lockedUntil,
  type PreAuthPlan,
  planPreAuth,
  REFUSAL_MESSAGE,
  refusalOf,
} from './policy.js';
