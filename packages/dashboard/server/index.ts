export * from './build.js';
export * from './headers.js';
export * from './serve.js';
