export * from './code.js';
export * from './config.js';
export * from './create.js';
export * from './define.js';
export * from './handlers.js';
export * from './keys.js';
export * from './metadata.js';
export * from './templates.js';
export * from './verify.js';

/** Lambda entry files (packages/custom-challenge/src/<name>.ts), for infra and the local stack. */
export const CUSTOM_CHALLENGE_ENTRIES = {
  define: 'define-auth-challenge',
  create: 'create-auth-challenge',
  verify: 'verify-auth-challenge',
} as const;
