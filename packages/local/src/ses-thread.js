// The SES emulator's thread (aws-ses-v2-local's exported server function). It imports
// the package at once and listens when told where: `workerData.listen`, or later a
// `{ host, port }` message, so that `pnpm start` can have the package loading on the
// other core while the stack's own bundle loads. Answers `{ port }` once listening.
// The package is CommonJS with `exports.default`, which an ESM import sees as
// `default.default`.
import { parentPort, workerData } from 'node:worker_threads';

let start;
let loadError;
try {
  const loaded = await import(workerData.module);
  start = typeof loaded.default === 'function' ? loaded.default : loaded.default.default;
} catch (error) {
  // Said when asked to listen: the stack then starts the emulator another way.
  loadError = error instanceof Error ? error.message : String(error);
}

async function listen({ host, port }) {
  if (loadError !== undefined) {
    parentPort.postMessage({ loadError });
    return;
  }
  const server = await start({ host, port });
  parentPort.postMessage({ port: server.address().port });
}

if (workerData.listen) await listen(workerData.listen);
else parentPort.once('message', listen);
