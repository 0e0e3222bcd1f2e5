/**
 * Runs the project's real Lambda handlers for the local stack, each with its own
 * `process.env` (handlers read their config at module load, and each needs different
 * values) and log file: by default in this thread, each from its own bundle, in a scope
 * of its own (in-process.ts); or each in a worker thread. The TypeScript entries the
 * CDK app bundles are the ones that run. Invocations get Cognito's 5-second budget:
 * past it the caller sees a timeout and the handler is replaced by a fresh cold start
 * (a new worker, or a new import of its bundle), as Lambda would start a fresh
 * execution environment.
 */
import { appendFileSync, closeSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { type BundleOptions, bundleHandlers, WORKER_KEY } from './bundle.js';
import { createScope, type HandlerScope, inScope, writeToScope } from './in-process.js';
import { errorMessage, lambdaContext, uncaughtExceptionLine } from './lambda-context.js';
import type { InvokeMessage, WorkerData, WorkerMessage } from './protocol.js';
import { INERT_TRACE_CONTEXT } from './tracing.js';

/** Cognito waits this long for a trigger (developer guide, "Lambda triggers"). */
export const TRIGGER_TIMEOUT_MS = 5_000;

/** Why an invocation failed, in the terms the Cognito emulator maps to exceptions. */
export type InvocationFailureKind = 'error' | 'timeout' | 'invalid-response';

/** A failed invocation; `message` is the handler's own error message for `error`. */
export class HandlerInvocationError extends Error {
  constructor(
    readonly kind: InvocationFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'HandlerInvocationError';
  }
}

/** Where handler logs (Powertools JSON on stdout/stderr) go. */
export type HandlerLogMode = 'file' | 'inherit' | 'ignore';

export interface HandlerSpec {
  /** Short key, e.g. `pre-signup`, `define-auth-challenge`; also the log file name. */
  key: string;
  /** Absolute path of the entry (`packages/<pkg>/src/handler.ts`). */
  entry: string;
  /** Exported function name (default `handler`). */
  exportName?: string;
  /** The worker's whole environment (nothing is inherited from this process). */
  env: Record<string, string>;
  /** Per-invocation limit, ms (default: the runner's). */
  timeoutMs?: number;
}

/**
 * How workers load the TypeScript entries: `bundle` (default) bundles them with esbuild
 * first, as the CDK app does, cached in `bundleDir`; `tsx` registers tsx in each worker
 * and imports the sources directly (no build step, but every module goes through the
 * loader: several seconds per worker on a busy 2-core machine).
 */
export type HandlerLoader = 'bundle' | 'tsx';

/**
 * Where handlers run: `in-process` (default) imports each handler's bundle into this
 * thread, with its own environment and log file (see in-process.ts); `worker` gives each
 * its own worker thread, which can also stop a handler stuck in a busy loop. The `tsx`
 * loader always uses workers (unbundled handlers would share modules in one thread).
 */
export type HandlerIsolation = 'in-process' | 'worker';

export interface HandlerRunnerOptions {
  handlers: HandlerSpec[];
  /** Default `bundle`. */
  loader?: HandlerLoader;
  /** Default `in-process` (with the `bundle` loader). */
  isolation?: HandlerIsolation;
  /** Where bundles are cached (required for `bundle`). */
  bundleDir?: string;
  /** Region shown in the Lambda context's ARN. */
  region: string;
  /** Per-invocation limit, ms (default {@link TRIGGER_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Log destination (default `file`: `<logDir>/<key>.log`). */
  logs?: HandlerLogMode;
  /** Folder of the per-handler log files (required for `file`). */
  logDir?: string;
  /** Called when a worker was replaced (after a timeout or a crash). */
  onRestart?: (key: string, reason: string) => void;
}

export interface WorkerTiming {
  key: string;
  /** From `new Worker` to the handler module loaded and ready, ms. */
  startMs: number;
  /** Of which: importing the handler module (its cold start), ms. */
  loadMs: number;
}

/** Every worker thread started by a runner in this process that has not exited yet. */
const liveWorkers = new Set<Worker>();

/** How many handler worker threads are running in this process (tests assert 0 after stop). */
export function liveWorkerCount(): number {
  return liveWorkers.size;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: HandlerInvocationError): void;
  timer: NodeJS.Timeout;
}

const require = createRequire(import.meta.url);
/** tsx's ESM register API, resolved from here (a worker's data: URL cannot resolve names). */
const TSX_API = ((): string => {
  const manifest = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const file = pkg.exports['./esm/api']?.import.default ?? './dist/esm/api/index.mjs';
  return pathToFileURL(join(dirname(manifest), file)).href;
})();
const WORKER_MODULE = fileURLToPath(new URL('./worker.ts', import.meta.url));

/**
 * The worker's first module with tsx: registers tsx in the worker (module hooks
 * registered in the main thread do not reach workers on Node 20, and `--import` in a
 * worker's execArgv is ignored there) and then loads the TypeScript worker body.
 */
function tsxBootstrapUrl(): URL {
  const code = `import { register } from ${JSON.stringify(TSX_API)};
register();
await import(${JSON.stringify(pathToFileURL(WORKER_MODULE).href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** What a worker runs: its first module and the handler module it imports. */
interface WorkerFiles {
  workerUrl: URL;
  entry: string;
}

/** What the runner needs of a handler's host (a worker, or this thread). */
interface HandlerHost {
  timing: WorkerTiming | undefined;
  files: WorkerFiles | undefined;
  start(): Promise<void>;
  invoke(event: Record<string, unknown>): Promise<unknown>;
  /** Resolves once the work the handler left for after its responses has settled. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

type Handler = ((event: unknown, context: Context) => unknown) & {
  [AFTER_RESPONSE_SETTLED]?: () => Promise<void>;
};

/**
 * The property the kit's handlers carry: waits for their after-response work (audit
 * sends). Handlers in this thread run with AFTER_RESPONSE=host, so the stack answers
 * Cognito calls without waiting for Firehose, as Lambda's extension lets Cognito.
 */
// The kit's AFTER_RESPONSE_SETTLED (a registered symbol), named here rather than imported:
// the kit's index would bring Powertools into the stack's own bundle.
const AFTER_RESPONSE_SETTLED = Symbol.for('authwatch.afterResponse.settled');

/**
 * In-process handlers collect the audit events of this many ms into one send
 * (AUDIT_BATCH_WINDOW_MS): this thread runs every handler of every sign-in, and each
 * send costs it 0.4-1.2 ms of SDK and HTTP work. A Lambda sends per invocation. Measured
 * in steady state, sequential password sign-ins ran at a median of 450/s with 20 ms,
 * 483/s with 50 ms and 481/s with 100 ms (610/s with auditing off): past 50 ms the
 * live feed's five events per publish set the cost, not the window.
 */
export const HOST_AUDIT_BATCH_WINDOW_MS = 50;

/** How in-process handlers are bundled: installed packages imported where they are. */
export const SHARED_BUNDLES: BundleOptions = { shareInstalled: true };

/** How worker handlers are bundled: complete, cls-hooked's hook never enabled (tracing.ts). */
export const COMPLETE_BUNDLES: BundleOptions = { rewrites: [INERT_TRACE_CONTEXT] };

/** Numbers in-process hosts, whose module URLs must never repeat in this process. */
let nextHostId = 1;

/**
 * One handler in this thread: its bundle imported once in its scope, each invocation
 * run in the scope with a deadline. A timed-out handler is replaced by a fresh import
 * of its bundle (a new module instance: a cold start, as Lambda would give it); the
 * old one's pending work is left to finish on its own.
 */
class InProcessHandler implements HandlerHost {
  timing: WorkerTiming | undefined;
  files: WorkerFiles | undefined;
  private readonly scope: HandlerScope;
  private loaded: Promise<Handler> | undefined;
  private generation = 0;
  private readonly hostId = nextHostId++;
  private stopped = false;
  /** Every module instance loaded so far (an old one may still be finishing work). */
  private readonly instances = new Set<Handler>();
  /** How to fail each invocation in flight. */
  private readonly inFlight = new Set<(error: HandlerInvocationError) => void>();

  constructor(
    private readonly spec: HandlerSpec,
    private readonly options: HandlerRunnerOptions,
    logFile: string | null | 'inherit',
  ) {
    this.scope = createScope(spec.env, logFile);
    this.scope.crashed = (error) => this.crash(error);
  }

  /**
   * The handler threw outside its promise or left one rejected: as Lambda's runtime
   * does, log it, fail what is in flight, and give the next invocation a fresh cold
   * start.
   */
  private crash(error: unknown): void {
    const { message } = errorMessage(error);
    writeToScope(this.scope, uncaughtExceptionLine(error));
    const failure = new HandlerInvocationError('error', `handler crashed: ${message}`);
    for (const fail of this.inFlight) fail(failure);
    this.inFlight.clear();
    this.options.onRestart?.(this.spec.key, `crashed: ${message}`);
    if (!this.stopped) void this.start().catch(() => undefined);
  }

  private handler(): Promise<Handler> {
    if (this.loaded === undefined) void this.start().catch(() => undefined);
    return this.loaded as Promise<Handler>;
  }

  start(): Promise<void> {
    const started = performance.now();
    const entry = this.files?.entry;
    if (entry === undefined) {
      this.loaded = Promise.reject(new Error('in-process handlers need bundles'));
      this.loaded.catch(() => undefined);
      return this.loaded.then(() => undefined);
    }
    this.generation += 1;
    // A module URL of its own per host and cold start: a second stack in this process
    // (or a restart) must not get a module instance another one initialised.
    const url = `${pathToFileURL(entry).href}?handler=${encodeURIComponent(this.spec.key)}&host=${this.hostId}&cold=${this.generation}`;
    const exportName = this.spec.exportName ?? 'handler';
    this.loaded = inScope(this.scope, () => import(url)).then(
      (module: Record<string, unknown>) => {
        const exported = module[exportName];
        if (typeof exported !== 'function') {
          throw new Error(`${this.spec.entry} does not export a function "${exportName}"`);
        }
        const loadMs = performance.now() - started;
        this.timing = { key: this.spec.key, startMs: loadMs, loadMs };
        this.instances.add(exported as Handler);
        return exported as Handler;
      },
      (error: Error) => {
        throw new Error(`${this.spec.key}: cannot load ${this.spec.entry}: ${error.message}`);
      },
    );
    this.loaded.catch(() => undefined);
    return this.loaded.then(() => undefined);
  }

  async invoke(event: Record<string, unknown>): Promise<unknown> {
    if (this.stopped) throw new HandlerInvocationError('error', 'the local stack is stopping');
    let handler: Handler;
    try {
      handler = await this.handler();
    } catch (error) {
      throw new HandlerInvocationError('error', (error as Error).message);
    }
    const timeoutMs = this.spec.timeoutMs ?? this.options.timeoutMs ?? TRIGGER_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const context = lambdaContext(
      `authwatch-local-${this.spec.key}`,
      this.options.region,
      deadline,
    );
    // The handler gets its own copy, as it would from Lambda's JSON, and answers one.
    const input = structuredClone(event);
    let timer: NodeJS.Timeout | undefined;
    let fail: ((error: HandlerInvocationError) => void) | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      fail = reject;
      this.inFlight.add(reject);
      timer = setTimeout(() => {
        reject(new HandlerInvocationError('timeout', `timed out after ${timeoutMs} ms`));
        this.options.onRestart?.(this.spec.key, `timed out after ${timeoutMs} ms`);
        if (!this.stopped) void this.start().catch(() => undefined);
      }, timeoutMs);
    });
    const run = inScope(this.scope, () => Promise.resolve().then(() => handler(input, context)));
    try {
      const result = await Promise.race([run, timeout]);
      try {
        return structuredClone(result);
      } catch (error) {
        throw new HandlerInvocationError(
          'invalid-response',
          `response is not plain data: ${errorMessage(error).message}`,
        );
      }
    } catch (error) {
      if (error instanceof HandlerInvocationError) throw error;
      throw new HandlerInvocationError('error', errorMessage(error).message);
    } finally {
      clearTimeout(timer);
      if (fail) this.inFlight.delete(fail);
      run.catch(() => undefined);
    }
  }

  async settled(): Promise<void> {
    await Promise.allSettled(
      [...this.instances].map((handler) =>
        inScope(this.scope, () => handler[AFTER_RESPONSE_SETTLED]?.()),
      ),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Audit sends of answered invocations land before the stack closes Firehose.
    await this.settled();
    // Work the handler left running may still write: to nowhere from now on, never to
    // a closed descriptor (or a file that reuses its number).
    const output = this.scope.output;
    this.scope.output = 'drop';
    if (typeof output === 'number') closeSync(output);
  }
}

/** One handler's worker, replaced when it hangs or dies. */
class HandlerWorker implements HandlerHost {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ready: Promise<void> | undefined;
  /** The log file the worker appends to (`file` mode). */
  private readonly logFile: string | undefined;
  private stopped = false;
  timing: WorkerTiming | undefined;

  /** Set by the runner before the first start. */
  files: WorkerFiles | undefined;

  constructor(
    private readonly spec: HandlerSpec,
    private readonly options: HandlerRunnerOptions,
  ) {
    if ((options.logs ?? 'file') === 'file') {
      if (options.logDir === undefined) throw new Error('logDir is required when logs = file');
      mkdirSync(options.logDir, { recursive: true });
      this.logFile = join(options.logDir, `${spec.key}.log`);
    }
  }

  start(): Promise<void> {
    const started = performance.now();
    const files = this.files ?? { workerUrl: tsxBootstrapUrl(), entry: this.spec.entry };
    const data: WorkerData = {
      entry: files.entry,
      exportName: this.spec.exportName ?? 'handler',
      functionName: `authwatch-local-${this.spec.key}`,
      region: this.options.region,
    };
    // `file` and `ignore` are handled in the worker itself (see worker.ts); only
    // `inherit` goes through this thread.
    const mode = this.options.logs ?? 'file';
    if (mode !== 'inherit') data.logFile = mode === 'file' ? (this.logFile as string) : null;
    const worker = new Worker(files.workerUrl, {
      workerData: data,
      env: this.spec.env,
      stdout: mode === 'inherit',
      stderr: mode === 'inherit',
      name: this.spec.key,
    });
    this.worker = worker;
    liveWorkers.add(worker);
    worker.once('exit', () => liveWorkers.delete(worker));
    if (mode === 'inherit') {
      for (const stream of [worker.stdout, worker.stderr]) {
        stream.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      }
    }
    let loaded = false;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: WorkerMessage): void => {
        if (message.type === 'ready') {
          loaded = true;
          this.timing = {
            key: this.spec.key,
            startMs: performance.now() - started,
            loadMs: message.loadMs,
          };
          resolve();
        } else if (message.type === 'load-failed') {
          reject(new Error(`${this.spec.key}: cannot load ${this.spec.entry}: ${message.message}`));
        } else {
          this.settle(message);
        }
      };
      worker.on('message', onMessage);
      worker.once('error', (error) => {
        reject(error);
        if (this.worker === worker) {
          if (this.logFile) appendFileSync(this.logFile, uncaughtExceptionLine(error));
          this.failAll(new HandlerInvocationError('error', `handler crashed: ${error.message}`));
          // The next invocation gets a fresh worker, not this dying one.
          if (!this.stopped && loaded) this.restart(`crashed: ${error.message}`);
        }
      });
      worker.once('exit', (code) => {
        reject(new Error(`${this.spec.key}: worker exited with code ${code} while loading`));
        if (this.worker === worker) {
          this.worker = undefined;
          this.failAll(new HandlerInvocationError('error', 'handler process exited'));
          // A handler that never loaded would fail the same way again: invocations
          // then fail with its load error instead of restarting forever.
          if (!this.stopped && loaded) this.restart(`exited with code ${code}`);
        }
      });
    });
    // Callers await `whenReady()`; an unobserved rejection must not crash the process.
    this.ready.catch(() => undefined);
    return this.ready;
  }

  whenReady(): Promise<void> {
    return this.ready ?? this.start();
  }

  private settle(message: Extract<WorkerMessage, { type: 'result' }>): void {
    const pending = this.pending.get(message.id);
    if (!pending) return; // already timed out
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.result);
    else if (message.name === 'InvalidResponse') {
      pending.reject(new HandlerInvocationError('invalid-response', message.message));
    } else pending.reject(new HandlerInvocationError('error', message.message));
  }

  private failAll(error: HandlerInvocationError): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(error);
    }
  }

  private restart(reason: string): void {
    const old = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (old) {
      void old.terminate();
    }
    this.options.onRestart?.(this.spec.key, reason);
    if (!this.stopped) void this.start().catch(() => undefined);
  }

  async invoke(event: Record<string, unknown>): Promise<unknown> {
    // The budget starts once the handler is loaded: a cold start on a busy laptop is
    // not what the 5-second limit is meant to catch.
    try {
      await this.whenReady();
    } catch (error) {
      throw new HandlerInvocationError('error', (error as Error).message);
    }
    const timeoutMs = this.spec.timeoutMs ?? this.options.timeoutMs ?? TRIGGER_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const worker = this.worker;
    if (!worker) throw new HandlerInvocationError('error', 'handler is not running');
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.pending.delete(id);
          reject(new HandlerInvocationError('timeout', `timed out after ${timeoutMs} ms`));
          // A handler past its limit may be stuck for good: start a fresh one. Other
          // invocations in flight on it fail as they would with a killed sandbox.
          this.failAll(new HandlerInvocationError('timeout', 'handler was restarted'));
          this.restart(`timed out after ${timeoutMs} ms`);
        },
        Math.max(0, deadline - Date.now()),
      );
      this.pending.set(id, { resolve, reject, timer });
      const message: InvokeMessage = { type: 'invoke', id, event, deadline };
      worker.postMessage(message);
    });
  }

  /** Workers run handlers with AFTER_RESPONSE=inline: their work ends before the answer. */
  async settled(): Promise<void> {}

  async stop(): Promise<void> {
    this.stopped = true;
    this.failAll(new HandlerInvocationError('error', 'the local stack is stopping'));
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      await worker.terminate();
    }
  }
}

/**
 * A set of handlers, each in its own worker.
 *
 * @example
 * ```ts
 * const runner = new HandlerRunner({ handlers, region: 'eu-west-1', logDir: '.local/logs' });
 * await runner.start();                       // all workers load in parallel
 * const event = await runner.invoke('pre-signup', preSignUpEvent);
 * await runner.stop();
 * ```
 */
export class HandlerRunner {
  private readonly workers = new Map<string, HandlerHost>();
  private prepared: Promise<void> | undefined;
  /** How long bundling took (0 with tsx), and whether cached bundles were reused. */
  bundling = { ms: 0, cached: false };

  constructor(private readonly options: HandlerRunnerOptions) {
    for (const spec of options.handlers) {
      if (this.workers.has(spec.key)) throw new Error(`duplicate handler key ${spec.key}`);
      this.workers.set(spec.key, this.host(spec));
    }
  }

  /** Where handlers run, given the options. */
  get isolation(): HandlerIsolation {
    if ((this.options.loader ?? 'bundle') === 'tsx') return 'worker';
    return this.options.isolation ?? 'in-process';
  }

  private host(given: HandlerSpec): HandlerHost {
    // After-response work: held by this thread's host, or finished inline in a worker
    // (whose protocol has no message for it). A spec's own env wins. Audit sends held by
    // the host are batched; where the answer waits for them, a window would delay it.
    const afterResponse = this.isolation === 'worker' ? 'inline' : 'host';
    const env: Record<string, string> = { AFTER_RESPONSE: afterResponse, ...given.env };
    if (env.AFTER_RESPONSE === 'host' && env.AUDIT_BATCH_WINDOW_MS === undefined) {
      env.AUDIT_BATCH_WINDOW_MS = String(HOST_AUDIT_BATCH_WINDOW_MS);
    }
    const spec = { ...given, env };
    if (this.isolation === 'worker') return new HandlerWorker(spec, this.options);
    const mode = this.options.logs ?? 'file';
    let logFile: string | null | 'inherit' = mode === 'ignore' ? null : 'inherit';
    if (mode === 'file') {
      if (this.options.logDir === undefined) throw new Error('logDir is required when logs = file');
      mkdirSync(this.options.logDir, { recursive: true });
      logFile = join(this.options.logDir, `${spec.key}.log`);
    }
    return new InProcessHandler(spec, this.options, logFile);
  }

  /** Bundles the entries (loader `bundle`) and tells each worker what to load. */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      if ((this.options.loader ?? 'bundle') !== 'bundle') return;
      const bundleDir = this.options.bundleDir;
      if (bundleDir === undefined) throw new Error('bundleDir is required when loader = bundle');
      const entries = Object.fromEntries(
        this.options.handlers.map((spec) => [spec.key, spec.entry]),
      );
      // In one thread, handlers share the installed packages (one AWS SDK, warmed by
      // all of them); each worker keeps complete bundles.
      const shared = this.isolation === 'in-process';
      const result = await bundleHandlers(
        entries,
        shared ? join(bundleDir, 'shared') : bundleDir,
        shared ? SHARED_BUNDLES : COMPLETE_BUNDLES,
      );
      this.bundling = { ms: result.ms, cached: !result.built };
      const workerUrl = pathToFileURL(result.files[WORKER_KEY] as string);
      for (const [key, worker] of this.workers) {
        worker.files = { workerUrl, entry: result.files[key] as string };
      }
    })();
    return this.prepared;
  }

  /** Why handlers failed to load, by key (their invocations fail with it). */
  readonly loadErrors = new Map<string, string>();

  /**
   * Starts every worker in parallel; resolves with each loaded one's start time. A
   * handler that fails to load does not stop the others: see {@link loadErrors}.
   */
  async start(): Promise<WorkerTiming[]> {
    await this.prepare();
    const results = await Promise.allSettled(
      [...this.workers.values()].map((worker) => worker.start()),
    );
    const keys = [...this.workers.keys()];
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        this.loadErrors.set(keys[index] as string, (result.reason as Error).message);
      }
    });
    return this.timings();
  }

  /** Start timings of the workers that are ready. */
  timings(): WorkerTiming[] {
    return [...this.workers.values()].flatMap((worker) => (worker.timing ? [worker.timing] : []));
  }

  has(key: string): boolean {
    return this.workers.has(key);
  }

  keys(): string[] {
    return [...this.workers.keys()];
  }

  /**
   * Runs handler `key` on `event` (waiting for its worker if it is still loading).
   * Rejects with a {@link HandlerInvocationError}.
   */
  async invoke(key: string, event: Record<string, unknown>): Promise<unknown> {
    const worker = this.workers.get(key);
    if (!worker) throw new HandlerInvocationError('error', `no handler ${key}`);
    try {
      await this.prepare();
    } catch (error) {
      throw new HandlerInvocationError(
        'error',
        `cannot bundle handlers: ${(error as Error).message}`,
      );
    }
    const started = performance.now();
    try {
      return await worker.invoke(event);
    } finally {
      const stat = this.stats.get(key) ?? { invocations: 0, totalMs: 0 };
      stat.invocations += 1;
      stat.totalMs += performance.now() - started;
      this.stats.set(key, stat);
    }
  }

  /** Invocations and their total time per handler, for benchmarks. */
  readonly stats = new Map<string, { invocations: number; totalMs: number }>();

  /**
   * Resolves once every handler's after-response work (audit sends of invocations that
   * have answered) has settled: what a flush of the Firehose fake waits for first.
   */
  async settled(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.settled()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
  }
}
