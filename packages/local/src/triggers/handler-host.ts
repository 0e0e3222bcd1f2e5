/**
 * What the handler runner and its two kinds of host share: the handler spec and runner
 * options, the invocation error, and the interface of a handler's host (a worker thread,
 * `worker-host.ts`, or this thread, `in-process-host.ts`).
 */
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

/** What a worker runs: its first module and the handler module it imports. */
export interface WorkerFiles {
  workerUrl: URL;
  entry: string;
}

/** What the runner needs of a handler's host (a worker, or this thread). */
export interface HandlerHost {
  timing: WorkerTiming | undefined;
  files: WorkerFiles | undefined;
  start(): Promise<void>;
  invoke(event: Record<string, unknown>): Promise<unknown>;
  /** Resolves once the work the handler left for after its responses has settled. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}
