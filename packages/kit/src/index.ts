export * from './after-response.js';
export * from './aws.js';
export * from './env.js';
export * from './errors.js';
export * from './mask.js';
export * from './observability.js';
export * from './schemas/cognito.js';
export * from './trigger.js';
