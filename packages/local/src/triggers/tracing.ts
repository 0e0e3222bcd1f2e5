/**
 * The X-Ray SDK (which Powertools' Tracer imports) keeps its trace context with
 * cls-hooked, whose async hook has a `destroy` callback: once it is installed, every
 * promise in the thread is tracked until it is garbage-collected. Measured here, an
 * `await` went from about 0.13 µs to about 2.9 µs, which was a tenth of a local sign-in.
 * Locally there is no X-Ray daemon and the stack runs handlers with tracing off
 * (POWERTOOLS_TRACE_ENABLED=false), so nothing ever reads that context: this keeps the
 * hook from being installed. Deployed functions are not affected (they do not load
 * this file).
 */
import asyncHooks from 'node:async_hooks';

let done = false;

/** Makes cls-hooked's async hook inert in this thread (idempotent). */
export function skipTraceContextHook(): void {
  if (done) return;
  done = true;
  const createHook = asyncHooks.createHook;
  const inert: asyncHooks.AsyncHook = {
    enable: () => inert,
    disable: () => inert,
  };
  asyncHooks.createHook = (callbacks: asyncHooks.HookCallbacks): asyncHooks.AsyncHook => {
    const caller = new Error().stack ?? '';
    return caller.includes('/cls-hooked/') ? inert : createHook(callbacks);
  };
}
