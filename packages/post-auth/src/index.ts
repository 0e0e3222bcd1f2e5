export { createPostAuthHandler, type PostAuthHandlerDeps } from './app.js';
export { loadConfig, type MailConfig, POST_AUTH_ENV, type PostAuthConfig } from './config.js';
export {
  beforeDeadline,
  DeadlineError,
  MAIL_FALLBACK_MARKER,
  type MailFacts,
  type MailLogger,
  type NotifyDeps,
  POST_AUTH_METRICS,
  sendNewDeviceMail,
} from './notify.js';
export {
  authMethodOf,
  formatTime,
  type MailSkipReason,
  mfaOf,
  newDeviceMail,
  type PostAuthPlan,
  planPostAuth,
} from './post-auth.js';
export { DEFAULT_NEW_DEVICE_MAIL, MAIL_PLACEHOLDERS, type MailPlaceholder } from './templates.js';
