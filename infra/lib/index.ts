export { AuthwatchStack, type AuthwatchStackProps, stackNameFor } from './authwatch-stack.js';
export {
  BUNDLE_FILE,
  BUNDLING,
  esbuildOptions,
  LOCKFILE,
  NODE_MAJOR,
  REPO_ROOT,
} from './bundling.js';
export {
  CUSTOM_CHALLENGE_SERVICE,
  CustomAuth,
  type CustomAuthProps,
  customAuthClientOptions,
} from './custom-auth.js';
export { DASHBOARD_CHANNELS, DashboardSite, type DashboardSiteProps } from './dashboard-site.js';
export {
  DETECT_SERVICE,
  Detections,
  type DetectionsAudit,
  type DetectionsProps,
  detectionRulesFileOf,
} from './detections.js';
export { handlerEntry } from './entries.js';
export { nagFindings } from './nag.js';
export {
  CLOUDTRAIL_SERVICE,
  defaultGeoIpFiles,
  PRE_AUTH_SERVICE,
  resolveClientRules,
  SignInWatch,
  type SignInWatchProps,
  USER_GEOIP_DIR,
} from './sign-in-watch.js';
export {
  StagingSiteAuth,
  type StagingSiteAuthProps,
  stagingSiteAuthFromConfig,
} from './staging-site-auth.js';
export { synthesizedAppClients } from './synthesized-clients.js';
export {
  ACCESS_LOG_FORMAT,
  PRE_TOKEN_SERVICE,
  PROTECTED_API_SERVICE,
  RULES_LAYER_DIR,
  rulesFileOf,
  TokenApi,
  type TokenApiAuditGrant,
  type TokenApiProps,
  validateClaimsRules,
} from './token-api.js';
export {
  COGNITO_TRIGGER_TIMEOUT,
  CONFIG_CONTEXT_KEY,
  configOf,
  DEFAULT_MEMORY_MB,
  LAMBDA_RUNTIME,
  powertoolsEnvironment,
  TracedFunction,
  type TracedFunctionProps,
} from './traced-function.js';
export { UserImportRole, type UserImportRoleProps } from './user-import-role.js';
export {
  AuthwatchUserPool,
  type AuthwatchUserPoolProps,
  POST_AUTH_SERVICE,
  PRE_SIGNUP_SERVICE,
} from './user-pool.js';
