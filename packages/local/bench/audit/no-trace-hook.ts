/**
 * Preloaded (`--import`) before the audit package, so the X-Ray SDK's cls-hooked hook
 * is not installed: the emitter as the local stack runs it in triggers (tracing off).
 */
import { skipTraceContextHook } from '../../src/triggers/tracing.js';

skipTraceContextHook();
