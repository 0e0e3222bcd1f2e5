/** Messages between the trigger runner (main thread) and a handler's worker thread. */

/** What a worker is started with (`workerData`). */
export interface WorkerData {
  /** Absolute path of the handler's entry file (a package's `src/handler.ts`). */
  entry: string;
  /** The exported function to call (`handler`). */
  exportName: string;
  /** The Lambda function name the context reports. */
  functionName: string;
  /** Region for the context's ARN. */
  region: string;
  /**
   * Where the handler's stdout and stderr go: appended to this file by the worker
   * itself, `null` to drop them, or `undefined` to leave them to the runner (inherited).
   */
  logFile?: string | null;
}

/** Main → worker: run the handler once. */
export interface InvokeMessage {
  type: 'invoke';
  id: number;
  event: Record<string, unknown>;
  /** Epoch ms at which the invocation times out (the context counts down to it). */
  deadline: number;
}

/** Worker → main. */
export type WorkerMessage =
  | { type: 'ready'; loadMs: number }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; name: string; message: string };
