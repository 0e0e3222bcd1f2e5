export { main as replayMain } from './replay.js';
