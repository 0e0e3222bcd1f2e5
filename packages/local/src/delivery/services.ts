/**
 * The audit's delivery emulators, Firehose and AppSync Events, started together: in the
 * delivery thread (thread.ts, the default) or in the calling thread.
 */
import { createFirehoseServer, type FirehoseServerStats } from '../firehose/index.js';
import { createLiveFeedServer, type LiveFeedServerStats } from '../live-feed/index.js';

/** What the delivery emulators need to start (plain data: it crosses to the thread). */
export interface DeliveryOptions {
  /** Folder the Firehose objects are written under. */
  dir: string;
  /** Stream names that exist. */
  streams: string[];
  region: string;
  /** Ports (0: any free port). */
  firehosePort: number;
  liveFeedPort: number;
  host?: string;
}

/** The Firehose emulator, as the stack hands it out (the same whichever thread it runs in). */
export interface DeliveryFirehose {
  readonly url: string;
  /**
   * Waits for the handlers' after-response work, then writes every buffered record and
   * waits until it is on disk (rejects, naming the object, when the disk refuses it).
   */
  flush(): Promise<void>;
  /** A copy of its counters. */
  stats(): Promise<FirehoseServerStats>;
}

/** The AppSync Events emulator, as the stack hands it out. */
export interface DeliveryLiveFeed {
  readonly url: string;
  /** A copy of its counters. */
  stats(): Promise<LiveFeedServerStats>;
}

export interface Delivery {
  readonly firehose: DeliveryFirehose;
  readonly liveFeed: DeliveryLiveFeed;
  /** Whether they run in the delivery thread (false: in the calling thread). */
  readonly threaded: boolean;
  /** Stops both; Firehose writes what it still buffers first. */
  stop(): Promise<void>;
}

/**
 * Starts both emulators in this thread. `beforeFlush` is awaited first by every flush
 * (the stack's handlers finish their audit sends).
 */
export async function startDeliveryHere(
  options: DeliveryOptions,
  beforeFlush: () => Promise<void>,
): Promise<Delivery> {
  const host = options.host ?? '127.0.0.1';
  const firehose = createFirehoseServer({
    dir: options.dir,
    streams: options.streams,
    region: options.region,
    beforeFlush,
  });
  const liveFeed = createLiveFeedServer({ region: options.region });
  const [firehoseUrl, liveFeedUrl] = await Promise.all([
    firehose.start(options.firehosePort, host),
    liveFeed.start(options.liveFeedPort, host),
  ]).catch(async (error: unknown) => {
    await Promise.allSettled([firehose.stop(), liveFeed.stop()]);
    throw error;
  });
  return {
    firehose: {
      url: firehoseUrl,
      flush: () => firehose.flush(),
      stats: async () => structuredClone(firehose.stats),
    },
    liveFeed: { url: liveFeedUrl, stats: async () => ({ ...liveFeed.stats }) },
    threaded: false,
    async stop() {
      await liveFeed.stop();
      await firehose.stop();
    },
  };
}
