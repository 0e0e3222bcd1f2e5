export * from '../watch.js';
export { main as migrateMain } from './migrate.js';
export { type CliIo, main as replayMain } from './replay.js';
export { startWatch, type WatchCli } from './watch.js';
