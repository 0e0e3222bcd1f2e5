export { createPreSignUpHandler, type PreSignUpHandlerDeps } from './app.js';
export { cognitoDirectory, filterValue, isNativeVerified, type UserDirectory } from './cognito.js';
export {
  LINK_MODES,
  type LinkMode,
  loadConfig,
  PRE_SIGNUP_ENV,
  type PreSignUpConfig,
  SIGN_UP_SOURCES,
  type SignUpSource,
} from './config.js';
export { DISPOSABLE_DOMAINS } from './disposable-domains.js';
export { DomainSet, emailDomain, normalizeDomain } from './domains.js';
export {
  DENIAL_MESSAGES,
  DENIAL_REASONS,
  type DenialReason,
  evaluatePolicy,
  type FederatedIdentity,
  inviteCodeMatches,
  type PolicyDecision,
  type PreSignUpResponse,
  parseFederatedUserName,
  sha256,
  sourceOf,
} from './policy.js';
export { LINK_FAILED_REASON, type PreSignUpOutcome, preSignUp } from './pre-signup.js';
