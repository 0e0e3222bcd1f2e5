/** A handler in a worker thread of its own, replaced when it hangs or dies. */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type HandlerHost,
  HandlerInvocationError,
  type HandlerRunnerOptions,
  type HandlerSpec,
  TRIGGER_TIMEOUT_MS,
  type WorkerFiles,
  type WorkerTiming,
} from './handler-host.js';
import { uncaughtExceptionLine } from './lambda-context.js';
import type { InvokeMessage, WorkerData, WorkerMessage } from './protocol.js';

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

/** One handler's worker, replaced when it hangs or dies. */
export class HandlerWorker implements HandlerHost {
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
