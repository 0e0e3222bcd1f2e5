export { startFirehoseResponder } from './firehose-responder.js';
export * from './stats.js';
