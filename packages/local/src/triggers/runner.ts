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
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BundleOptions, bundleHandlers, WORKER_KEY } from './bundle.js';
import {
  type HandlerHost,
  HandlerInvocationError,
  type HandlerIsolation,
  type HandlerRunnerOptions,
  type HandlerSpec,
  type WorkerTiming,
} from './handler-host.js';
import { InProcessHandler } from './in-process-host.js';
import { INERT_TRACE_CONTEXT } from './tracing.js';
import { HandlerWorker } from './worker-host.js';

export {
  HandlerInvocationError,
  type HandlerIsolation,
  type HandlerLoader,
  type HandlerLogMode,
  type HandlerRunnerOptions,
  type HandlerSpec,
  type InvocationFailureKind,
  TRIGGER_TIMEOUT_MS,
  type WorkerTiming,
} from './handler-host.js';
export { liveWorkerCount } from './worker-host.js';

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

/**
 * How worker handlers are bundled: complete, cls-hooked's hook never enabled (tracing.ts);
 * DuckDB (the protected API's offline history engine, a native module) loaded from
 * node_modules.
 */
export const COMPLETE_BUNDLES: BundleOptions = {
  rewrites: [INERT_TRACE_CONTEXT],
  external: ['@duckdb/*'],
};

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
