export * from './api.js';
/** Environment variables of the protected API (the history routes'). */
export { HISTORY_ENV as PROTECTED_API_ENV } from './history/config.js';
export * from './history/index.js';
export * from './routes.js';
export * from './schema.js';
