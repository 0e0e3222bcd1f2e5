/**
 * Running handler bundles in the stack's own thread, each still with its own
 * environment and log file. A worker thread per handler isolates completely but costs
 * two thread hand-offs per invocation and keeps every SDK call a handler makes on a
 * thread the emulators do not share: on a 2-core machine that was most of a sign-in's
 * time. Here each handler is a separate bundle (its own copy of every dependency, so no
 * module state is shared) imported once, and an AsyncLocalStorage scope carries "which
 * handler is running" through everything it awaits:
 *
 * - `process.env` becomes a view that answers from the running handler's environment
 *   (read at cold start and at any later point, e.g. by the SDK's credential chain),
 *   and from this process's own outside any handler;
 * - what a handler writes to `process.stdout` / `process.stderr` or through the global
 *   `console` goes to its log file (or nowhere), synchronously, like the worker does.
 *
 * What this cannot do is stop a handler that blocks its thread for good (a busy loop):
 * the stack would stop with it. The 5-second limit still holds for everything a
 * handler awaits. `isolation: 'worker'` keeps the thread-per-handler behaviour.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { openSync, writeSync } from 'node:fs';
import { format } from 'node:util';
import { interceptWrites, writeChunk } from './output.js';
import { skipTraceContextHook } from './tracing.js';

/** What the running handler sees instead of this process's environment and output. */
export interface HandlerScope {
  env: Record<string, string | undefined>;
  /** Where its output goes: a log file descriptor, nowhere, or this process's stderr. */
  output: number | 'drop' | 'inherit';
  /**
   * Called with an exception the handler threw outside its promise (in a timer, an
   * event) or a promise it left rejected: what would end its Lambda sandbox.
   */
  crashed?: (error: unknown) => void;
}

/** What Node does with an error nobody claims: print it and exit. */
function unclaimed(event: 'uncaughtException' | 'unhandledRejection', error: unknown): void {
  // Another listener (a test runner's) deals with it.
  if (process.listenerCount(event) > 1) return;
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
}

/** Writes a line to a handler's output, as Lambda's runtime logs an uncaught error. */
export function writeToScope(scope: HandlerScope, line: string): void {
  if (scope.output === 'drop') return;
  if (scope.output === 'inherit') process.stderr.write(line);
  else writeSync(scope.output, line);
}

const scopes = new AsyncLocalStorage<HandlerScope>();
let installed = false;

/** Makes `process.env` and the output streams answer per handler scope (once). */
function install(): void {
  if (installed) return;
  installed = true;
  skipTraceContextHook();
  // An error a handler leaves behind ends that handler's sandbox, not the stack.
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (error: unknown) => {
      const crashed = scopes.getStore()?.crashed;
      if (crashed) crashed(error);
      else unclaimed(event, error);
    });
  }
  const own = process.env;
  const current = (): Record<string, string | undefined> => scopes.getStore()?.env ?? own;
  const view = new Proxy(own, {
    get: (_target, key) => (typeof key === 'string' ? current()[key] : undefined),
    set: (_target, key, value) => {
      if (typeof key !== 'string') return false;
      // process.env stores strings only; so does this view.
      current()[key] = String(value);
      return true;
    },
    has: (_target, key) => typeof key === 'string' && Object.hasOwn(current(), key),
    deleteProperty: (_target, key) => {
      if (typeof key === 'string') delete current()[key];
      return true;
    },
    ownKeys: () => Object.keys(current()),
    getOwnPropertyDescriptor: (_target, key) => {
      const env = current();
      if (typeof key !== 'string' || !Object.hasOwn(env, key)) return undefined;
      return { value: env[key], writable: true, enumerable: true, configurable: true };
    },
  });
  Object.defineProperty(process, 'env', { value: view, writable: true, configurable: true });

  // The global console may not write through process.stdout (a test runner replaces
  // it), so its methods are routed too.
  const methods = ['log', 'info', 'debug', 'warn', 'error', 'trace'] as const;
  for (const method of methods) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]): void => {
      const output = scopes.getStore()?.output;
      if (output === undefined || output === 'inherit') original(...args);
      else if (output !== 'drop') writeSync(output, `${format(...args)}\n`);
    };
  }

  for (const stream of [process.stdout, process.stderr]) {
    interceptWrites(stream, (chunk) => {
      const output = scopes.getStore()?.output;
      if (output === undefined) return false;
      if (output === 'inherit') {
        if (stream === process.stderr) return false;
        process.stderr.write(chunk);
      } else if (output !== 'drop') writeChunk(output, chunk);
      return true;
    });
  }
}

/**
 * A handler's scope: a private copy of its environment (nothing of this process's is
 * inherited, as with a worker) and where its output goes: a log file (opened for
 * appending), `null` to drop it, `'inherit'` for this process's stderr.
 */
export function createScope(
  env: Record<string, string>,
  logFile: string | null | 'inherit',
): HandlerScope {
  install();
  const output =
    logFile === null ? 'drop' : logFile === 'inherit' ? 'inherit' : openSync(logFile, 'a');
  return { env: { ...env }, output };
}

/** Runs `work` (and everything it awaits) as the handler of `scope`. */
export function inScope<T>(scope: HandlerScope, work: () => T): T {
  return scopes.run(scope, work);
}
