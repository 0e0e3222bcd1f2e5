export { createLambdaContext } from './context.js';
export { EVENTS_DIR, getTestEvent, listTestEvents } from './events.js';
