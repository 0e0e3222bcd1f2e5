/**
 * The X-Ray SDK (which Powertools' Tracer imports) keeps its trace context with
 * cls-hooked, whose async hook has a `destroy` callback: once it is installed, every
 * promise in the thread is tracked until it is garbage-collected. Measured here, an
 * `await` went from about 0.13 µs to about 2.9 µs, which was a tenth of a local sign-in.
 * Locally there is no X-Ray daemon and the stack runs handlers with tracing off
 * (POWERTOOLS_TRACE_ENABLED=false), so nothing ever reads that context: this keeps the
 * hook from being installed. Deployed functions are not affected (they do not load
 * this file).
 *
 * Two ways, one per kind of bundle: `skipTraceContextHook` recognises the installed
 * cls-hooked by its path in the caller's stack (bundles that import installed packages
 * from where they are, as the in-process handlers do); in a complete bundle (a worker's)
 * that path is gone from the stack, so `INERT_TRACE_CONTEXT` removes cls-hooked's
 * `hook.enable()` as the bundle is built.
 */
import asyncHooks from 'node:async_hooks';
import type { FileRewrite } from './bundle.js';

/** Bundles cls-hooked without enabling its async hook (complete bundles; see above). */
export const INERT_TRACE_CONTEXT: FileRewrite = {
  id: 'cls-hooked-inert-1',
  file: /\/cls-hooked\/context\.js$/,
  rewrite: (text) =>
    text.replace('hook.enable();', '/* authwatch: not enabled locally (tracing.ts) */'),
};

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
