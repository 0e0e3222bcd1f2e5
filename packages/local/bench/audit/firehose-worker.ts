/**
 * The local Firehose in a worker thread, so that the benchmark's client and server do
 * not share one event loop. Messages in: `{ faults }`; out: `{ url }` once listening.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createFirehoseServer, type FirehoseFaults } from '../../src/firehose/index.js';

const { dir, stream } = workerData as { dir: string; stream: string };
const fake = createFirehoseServer({ dir, streams: [stream], keepLostRecords: false });
const url = await fake.start();
parentPort?.on('message', (message: { faults?: FirehoseFaults; stats?: boolean }) => {
  if (message.faults) fake.setFaults(message.faults);
  if (message.stats) {
    const { lostRecords: _l, objects: _o, ...counts } = fake.stats;
    parentPort?.postMessage({ stats: counts });
  }
});
parentPort?.postMessage({ url });
