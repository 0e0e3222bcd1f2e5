/**
 * The audit's delivery emulators (Firehose and AppSync Events) for the local stack: in
 * a worker thread of their own by default (thread.ts, loaded from a cached bundle, as
 * the handlers are), so the work of receiving the handlers' audit sends runs on the
 * other core. The stack talks to them through `Delivery`, the same object in either
 * placement. With no bundle (esbuild unusable) they run in the calling thread.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DELIVERY_BUNDLE_DIR } from '../launcher.js';
import { bundleEntries } from '../triggers/bundle.js';
import { type Delivery, type DeliveryOptions, startDeliveryHere } from './services.js';
import type { DeliveryCall, FromThread, ToThread } from './thread.js';

export type { Delivery, DeliveryFirehose, DeliveryLiveFeed, DeliveryOptions } from './services.js';

/** Where the delivery emulators run. */
export type DeliveryPlacement = 'thread' | 'in-process';

const THREAD_SOURCE = fileURLToPath(new URL('./thread.ts', import.meta.url));

export interface StartDeliveryOptions extends DeliveryOptions {
  /** Awaited first by every flush: the stack's handlers finish their audit sends. */
  beforeFlush: () => Promise<void>;
  /** Default `thread`. */
  placement?: DeliveryPlacement;
  /** A thread the launcher started on the cached bundle, already loading (launcher.js). */
  preloaded?: Worker;
  /**
   * Called once if the thread fails or exits after it started and before `stop()`:
   * the handlers' audit sends fail from then on (their events go to the fallback log).
   */
  onFailure?: (error: Error) => void;
}

/** The thread's bundle (built or found current), or undefined when it cannot be built. */
export async function threadModule(): Promise<URL | undefined> {
  try {
    const bundle = await bundleEntries({ delivery: THREAD_SOURCE }, DELIVERY_BUNDLE_DIR);
    return pathToFileURL(bundle.files.delivery as string);
  } catch {
    return undefined;
  }
}

/** Starts Firehose and the live feed; resolves once both listen. */
export async function startDelivery(options: StartDeliveryOptions): Promise<Delivery> {
  const { beforeFlush, placement = 'thread', preloaded, onFailure, ...serverOptions } = options;
  if (placement === 'in-process') {
    void preloaded?.terminate();
    return startDeliveryHere(serverOptions, beforeFlush);
  }
  if (preloaded) {
    preloaded.ref();
    return connect(preloaded, serverOptions, beforeFlush, onFailure).catch((error: Error) => {
      // A listen failure (a port in use) is the answer; a thread that could not load its
      // bundle is not: start one from a fresh build.
      if ((error as NodeJS.ErrnoException).code !== undefined) throw error;
      return startDelivery({ ...options, preloaded: undefined });
    });
  }
  const module = await threadModule();
  if (!module) return startDeliveryHere(serverOptions, beforeFlush);
  return connect(new Worker(module), serverOptions, beforeFlush, onFailure);
}

function connect(
  worker: Worker,
  options: DeliveryOptions,
  beforeFlush: () => Promise<void>,
  onFailure?: (error: Error) => void,
): Promise<Delivery> {
  const post = (message: ToThread) => worker.postMessage(message);
  const calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextCall = 0;
  let broken: Error | undefined;
  let started = false;
  let stopping: Promise<void> | undefined;

  const call = <T>(op: DeliveryCall): Promise<T> => {
    if (broken) return Promise.reject(broken);
    nextCall += 1;
    const id = nextCall;
    return new Promise<T>((resolve, reject) => {
      calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      post({ type: 'call', id, op });
    });
  };

  return new Promise<Delivery>((resolve, reject) => {
    const fail = (error: Error) => {
      if (broken) return;
      broken = error;
      for (const pending of calls.values()) pending.reject(error);
      calls.clear();
      if (started) onFailure?.(error);
      else reject(error);
    };
    worker.on('error', (error) => fail(new Error(`delivery thread failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`delivery thread exited with code ${code}`)));
    worker.on('message', (message: FromThread) => {
      if (message.type === 'settle') {
        beforeFlush()
          .catch(() => undefined)
          .then(() => post({ type: 'settled', id: message.id }));
      } else if (message.type === 'result') {
        const pending = calls.get(message.id);
        calls.delete(message.id);
        if (message.error !== undefined) pending?.reject(new Error(message.error));
        else pending?.resolve(message.value);
      } else if (message.type === 'failed') {
        // Listening failed (a port in use): the error as the server gave it.
        worker.removeAllListeners('exit');
        void worker.terminate();
        reject(Object.assign(new Error(message.message), { code: message.code }));
      } else if (message.type === 'started') {
        started = true;
        resolve({
          firehose: {
            url: message.firehose,
            flush: () => call<void>('flush'),
            stats: () => call('firehose-stats'),
          },
          liveFeed: { url: message.liveFeed, stats: () => call('live-feed-stats') },
          threaded: true,
          stop() {
            // A thread that is already gone has nothing left to stop.
            stopping ??= (broken ? Promise.resolve() : call<void>('stop')).finally(async () => {
              broken = new Error('the delivery thread has stopped');
              worker.removeAllListeners('exit');
              worker.on('error', () => undefined);
              await worker.terminate();
            });
            return stopping;
          },
        });
      }
    });
    post({ type: 'start', options });
  });
}
