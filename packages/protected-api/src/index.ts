export * from './api.js';
export * from './routes.js';
export * from './schema.js';

/** Environment variables of the protected API: none of its own (Powertools' only). */
export const PROTECTED_API_ENV = {} as const;
