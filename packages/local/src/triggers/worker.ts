/**
 * The body of one handler's worker thread: it imports the handler's entry once (its
 * cold start, reading `process.env` set for this worker only) and runs it for every
 * invocation the runner posts, with a Lambda-like context whose remaining time counts
 * down to the invocation's deadline.
 */
import { openSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { errorMessage, lambdaContext } from './lambda-context.js';
import { interceptWrites, writeChunk } from './output.js';
import type { InvokeMessage, WorkerData, WorkerMessage } from './protocol.js';
import { skipTraceContextHook } from './tracing.js';

type Handler = (event: unknown, context: Context) => Promise<unknown> | unknown;

const data = workerData as WorkerData;
const port = parentPort;
if (port === null) throw new Error('worker.ts must run in a worker thread');

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

/**
 * Sends this thread's stdout and stderr (Powertools' JSON lines, warnings) straight to
 * the handler's log file, or nowhere. Left alone, a worker's output travels to the main
 * thread as messages and is written there: work for the thread that serves every
 * emulator, on the path of every sign-in. Each line is written synchronously, so the
 * last lines of a handler that hangs and is replaced are on disk to read.
 */
function redirectOutput(logFile: string | null): void {
  const fd = logFile === null ? undefined : openSync(logFile, 'a');
  for (const stream of [process.stdout, process.stderr]) {
    interceptWrites(stream, (chunk) => {
      if (fd !== undefined) writeChunk(fd, chunk);
      return true;
    });
  }
}

if (data.logFile !== undefined) redirectOutput(data.logFile);
skipTraceContextHook();

const started = performance.now();
let handler: Handler;
try {
  const module = (await import(pathToFileURL(data.entry).href)) as Record<string, unknown>;
  const exported = module[data.exportName];
  if (typeof exported !== 'function') {
    throw new Error(`${data.entry} does not export a function "${data.exportName}"`);
  }
  handler = exported as Handler;
} catch (error) {
  post({ type: 'load-failed', message: errorMessage(error).message });
  throw error;
}

port.on('message', (message: InvokeMessage) => {
  if (message.type !== 'invoke') return;
  const { id, event, deadline } = message;
  Promise.resolve()
    .then(() => handler(event, lambdaContext(data.functionName, data.region, deadline)))
    .then(
      (result) => {
        try {
          post({ type: 'result', id, ok: true, result });
        } catch (error) {
          // A result that cannot be cloned is not a response Cognito could read either.
          post({ type: 'result', id, ok: false, name: 'InvalidResponse', ...pick(error) });
        }
      },
      (error: unknown) => post({ type: 'result', id, ok: false, ...errorMessage(error) }),
    );
});

function pick(error: unknown): { message: string } {
  return { message: `response is not plain data: ${errorMessage(error).message}` };
}

post({ type: 'ready', loadMs: performance.now() - started });
