/**
 * The delivery thread's body: the Firehose and AppSync Events emulators, off the thread
 * that runs the Cognito emulator and the handlers. Every audit send is an HTTP request
 * to one of them; answered here, their parsing, disk writes and WebSocket fan-out run
 * on the machine's other core instead of between sign-ins.
 *
 * Messages (index.ts is the other end):
 * - in: `{ type: 'start', options }` → out: `{ type: 'started', firehose, liveFeed }` or
 *   `{ type: 'failed', message, code }`;
 * - in: `{ type: 'call', id, op: 'flush' | 'firehose-stats' | 'live-feed-stats' | 'stop' }`
 *   → out: `{ type: 'result', id, value }` or `{ type: 'result', id, error }`;
 * - out: `{ type: 'settle', id }` before each flush → in: `{ type: 'settled', id }` once
 *   the stack's handlers have sent what they hold.
 */
import { parentPort } from 'node:worker_threads';
import { type Delivery, type DeliveryOptions, startDeliveryHere } from './services.js';

export type DeliveryCall = 'flush' | 'firehose-stats' | 'live-feed-stats' | 'stop';

export type ToThread =
  | { type: 'start'; options: DeliveryOptions }
  | { type: 'call'; id: number; op: DeliveryCall }
  | { type: 'settled'; id: number };

export type FromThread =
  | { type: 'started'; firehose: string; liveFeed: string }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'result'; id: number; value?: unknown; error?: string }
  | { type: 'settle'; id: number };

const port = parentPort;
if (port) {
  const post = (message: FromThread) => port.postMessage(message);
  const settling = new Map<number, () => void>();
  let nextSettle = 0;
  const beforeFlush = () =>
    new Promise<void>((resolve) => {
      nextSettle += 1;
      settling.set(nextSettle, resolve);
      post({ type: 'settle', id: nextSettle });
    });
  let delivery: Delivery | undefined;

  const run = async (op: DeliveryCall, services: Delivery): Promise<unknown> => {
    switch (op) {
      case 'flush':
        return services.firehose.flush();
      case 'firehose-stats':
        return services.firehose.stats();
      case 'live-feed-stats':
        return services.liveFeed.stats();
      case 'stop':
        return services.stop();
    }
  };

  port.on('message', (message: ToThread) => {
    if (message.type === 'settled') {
      settling.get(message.id)?.();
      settling.delete(message.id);
    } else if (message.type === 'start') {
      startDeliveryHere(message.options, beforeFlush).then(
        (started) => {
          delivery = started;
          post({ type: 'started', firehose: started.firehose.url, liveFeed: started.liveFeed.url });
        },
        (error: NodeJS.ErrnoException) =>
          post({
            type: 'failed',
            message: error.message,
            ...(error.code !== undefined ? { code: error.code } : {}),
          }),
      );
    } else if (message.type === 'call') {
      const { id, op } = message;
      if (!delivery) {
        post({ type: 'result', id, error: 'the delivery emulators have not started' });
        return;
      }
      run(op, delivery).then(
        (value) => post({ type: 'result', id, value }),
        (error: Error) => post({ type: 'result', id, error: error.message }),
      );
    }
  });
}
