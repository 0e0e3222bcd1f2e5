/**
 * The local Firehose in a worker thread, so that the benchmark's client and server do
 * not share one event loop. Messages in: `{ faults }`, `{ stats: true }` (answers
 * `{ stats }`), `{ elu: true }` (answers `{ elu, cpuMs }`, this thread's event-loop
 * utilisation and CPU time since the previous `elu` message); out: `{ url }` once
 * listening.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createFirehoseServer, type FirehoseFaults } from '../../src/firehose/index.js';
import { threadCpuMs } from './thread-cpu.js';

const { dir, stream } = workerData as { dir: string; stream: string };
const fake = createFirehoseServer({ dir, streams: [stream], keepLostRecords: false });
const url = await fake.start();
let lastElu = performance.eventLoopUtilization();
let lastCpu = threadCpuMs();
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
      const cpu = threadCpuMs();
      const cpuMs = cpu === undefined || lastCpu === undefined ? undefined : cpu - lastCpu;
      lastCpu = cpu;
      parentPort?.postMessage({ elu, cpuMs });
    }
  },
);
parentPort?.postMessage({ url });
