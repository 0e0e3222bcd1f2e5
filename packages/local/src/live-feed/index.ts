export * from './channels.js';
export * from './server.js';
