export * from './event.js';
export * from './routes.js';
export * from './server.js';
