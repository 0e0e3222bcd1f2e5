/**
 * Delivers CloudTrail records to the real `packages/cloudtrail` handler the way AWS
 * does: each record wrapped as its EventBridge event, put on a queue, and handed over in
 * SQS batches (the event source mapping's shape), with the messages the handler lists in
 * `batchItemFailures` received again, up to `maxReceiveCount` times, then kept as the
 * dead-letter queue's (counted, never dropped silently).
 */
import { randomUUID } from 'node:crypto';
import { eventBridgeEvent } from './record.js';

/** The handler as the stack runs it: an SQS event in, a partial batch response out. */
export type SqsHandler = (event: { Records: unknown[] }) => Promise<unknown>;

export interface TrailDeliveryOptions {
  handler: SqsHandler;
  /** Messages per invocation (default 10, SQS's default). */
  batchSize?: number;
  /** How long a record waits for others before its batch goes (default 50 ms). */
  windowMs?: number;
  /** Receives before a message goes to the dead-letter list (default 5). */
  maxReceiveCount?: number;
  /**
   * Delay before a failed message is received again, times its receive count (SQS's
   * visibility timeout): 0 retries at once; the stack waits, so that a busy moment is
   * not five failures in a row and a dead letter.
   */
  retryDelayMs?: number;
  region: string;
  accountId: string;
  /** A handler failure (the whole batch is received again). */
  onError?(error: unknown): void;
}

interface Message {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: number;
}

export interface TrailDelivery {
  /** Queues the record of one API call. */
  record(record: Record<string, unknown>): void;
  /** Resolves once every queued record has been handed over (and retried as needed). */
  drain(): Promise<void>;
  /** Messages given up after maxReceiveCount receives. */
  readonly deadLetters: readonly string[];
  /** Stops the timer; queued records are dropped. */
  stop(): void;
}

export function createTrailDelivery(options: TrailDeliveryOptions): TrailDelivery {
  const batchSize = options.batchSize ?? 10;
  const windowMs = options.windowMs ?? 50;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 0;
  const waiting = new Set<Promise<void>>();
  const queue: Message[] = [];
  const deadLetters: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const sqsRecord = (message: Message) => ({
    messageId: message.messageId,
    receiptHandle: `local-${message.messageId}-${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'AROAEVENTBRIDGE:local',
      ApproximateFirstReceiveTimestamp: String(message.sentAt),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${options.region}:${options.accountId}:authwatch-local-cloudtrail`,
    awsRegion: options.region,
  });

  const deliverBatch = async (batch: Message[]): Promise<void> => {
    for (const message of batch) message.receiveCount += 1;
    let failed: Set<string>;
    try {
      const answer = (await options.handler({ Records: batch.map(sqsRecord) })) as {
        batchItemFailures?: { itemIdentifier?: string }[];
      } | null;
      failed = new Set(
        (answer?.batchItemFailures ?? []).map((item) => String(item.itemIdentifier)),
      );
    } catch (error) {
      options.onError?.(error);
      failed = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      if (!failed.has(message.messageId)) continue;
      if (message.receiveCount >= maxReceiveCount) deadLetters.push(message.body);
      else if (retryDelayMs === 0) queue.push(message);
      else {
        const back = new Promise<void>((resolve) => {
          setTimeout(resolve, retryDelayMs * message.receiveCount).unref?.();
        }).then(() => {
          waiting.delete(back);
          if (stopped) return;
          queue.push(message);
          running = running.then(pump);
        });
        waiting.add(back);
      }
    }
  };

  const pump = async (): Promise<void> => {
    while (queue.length > 0 && !stopped) {
      await deliverBatch(queue.splice(0, batchSize));
    }
  };

  const schedule = () => {
    if (timer !== undefined || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = running.then(pump);
    }, windowMs);
    timer.unref?.();
  };

  return {
    record(record) {
      if (stopped) return;
      queue.push({
        messageId: randomUUID(),
        body: JSON.stringify(eventBridgeEvent(record, randomUUID())),
        receiveCount: 0,
        sentAt: Date.now(),
      });
      if (queue.length >= batchSize) {
        running = running.then(pump);
      } else schedule();
    },
    async drain() {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      running = running.then(pump);
      await running;
      // Messages waiting out their retry delay are delivered too.
      while (waiting.size > 0) {
        await Promise.all([...waiting]);
        await running;
      }
    },
    deadLetters,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
