/**
 * The local Firehose in a worker thread, so that the benchmark's client and server do
 * not share one event loop. Messages in: `{ faults }`, `{ stats: true }` (answers
 * `{ stats }`), `{ elu: true }` (answers `{ elu }`, this thread's event-loop utilisation
 * since the previous `elu` message); out: `{ url }` once listening.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createFirehoseServer, type FirehoseFaults } from '../../src/firehose/index.js';

const { dir, stream } = workerData as { dir: string; stream: string };
const fake = createFirehoseServer({ dir, streams: [stream], keepLostRecords: false });
const url = await fake.start();
let lastElu = performance.eventLoopUtilization();
parentPort?.on(
  'message',
  (message: { faults?: FirehoseFaults; stats?: boolean; elu?: boolean }) => {
    if (message.faults) fake.setFaults(message.faults);
    if (message.stats) {
      const { lostRecords: _l, objects: _o, ...counts } = fake.stats;
      parentPort?.postMessage({ stats: counts });
    }
    if (message.elu) {
      const elu = performance.eventLoopUtilization(lastElu).utilization;
      lastElu = performance.eventLoopUtilization();
      parentPort?.postMessage({ elu });
    }
  },
);
parentPort?.postMessage({ url });
