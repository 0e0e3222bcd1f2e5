/**
 * @authwatch/local: the whole system offline. `startLocalStack()` is what `pnpm start`,
 * the end-to-end tests and the benchmarks run.
 */
export * from './api/index.js';
export { loopbackJwksFetcher } from './cognito/index.js';
export * from './dashboard.js';
export { createLiveFeedServer, type LiveFeedServer } from './live-feed/index.js';
export { formatAuditLine, subscribeLiveView, type ViewedEvent } from './live-view.js';
export {
  LocalStackStartError,
  lockPath,
  runningStack,
  type StackLockInfo,
  StackRunningError,
} from './lock.js';
export * from './outputs.js';
export { DEFAULT_STATE_DIR, REPO_ROOT } from './paths.js';
export * from './ses.js';
export * from './stack.js';
export { handlerSpecs, LAMBDAS, LOCAL_AUDIT_STREAM } from './triggers/environment.js';
export { HandlerInvocationError, HandlerRunner, liveWorkerCount } from './triggers/runner.js';
