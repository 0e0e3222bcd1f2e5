export * from './read.js';
export * from './server.js';
