export { startFirehoseResponder } from './firehose-responder.js';
export * from './stats.js';
export { prepareTriggerBench } from './trigger-env.js';
