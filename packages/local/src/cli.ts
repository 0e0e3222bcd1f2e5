/**
 * The slow path of `pnpm start` (bin/start.mjs runs a current cached bundle itself and
 * comes here, through tsx, only when it must be built first; the options are in main.ts).
 *
 * The stack's own code and the workspace packages it imports are bundled with esbuild
 * (cached in node_modules/.cache/authwatch-local/main, rebuilt when a source changes)
 * and the bundle runs in a worker thread, where tsx's module hooks do not reach: one
 * plain file loads in a fraction of the seconds that several hundred modules take
 * through a TypeScript loader on a busy 2-core machine. This thread only relays
 * Ctrl-C. `AUTHWATCH_LOCAL_NO_BUNDLE=1` runs the sources in this thread instead.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MAIN_BUNDLE_BUILDERS, MAIN_BUNDLE_DIR, startFailureText } from './launcher.js';
import { bundleEntries } from './triggers/bundle.js';

const MAIN_SOURCE = fileURLToPath(new URL('./main.ts', import.meta.url));
const DEMO_SOURCE = fileURLToPath(new URL('./demo.ts', import.meta.url));

/**
 * Left to Node: esbuild (it runs its own binary), tsx (registered in handler workers
 * by path) and the SES emulator (CommonJS serving files relative to its own folder).
 */
const EXTERNAL = ['esbuild', 'tsx', 'aws-ses-v2-local'];

const args = process.argv.slice(2);
const startedAt = performance.timeOrigin;

async function runSources(): Promise<void> {
  const { main } = await import('./main.js');
  await main(startedAt, args);
}

async function runBundle(file: string, demo: string): Promise<void> {
  const worker = new Worker(pathToFileURL(file), {
    workerData: { authwatchLocalMain: { startedAt, args, demoModule: pathToFileURL(demo).href } },
  });
  let signals = 0;
  const relay = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    worker.postMessage({ signal });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, relay);
  worker.once('error', (error) => {
    process.stderr.write(`local stack failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
  worker.once('exit', (code) => process.exit(code));
}

async function start(): Promise<void> {
  if (process.env.AUTHWATCH_LOCAL_NO_BUNDLE === '1') return runSources();
  let file: string;
  let demo: string;
  try {
    const bundle = await bundleEntries({ main: MAIN_SOURCE, demo: DEMO_SOURCE }, MAIN_BUNDLE_DIR, {
      external: EXTERNAL,
      extraInputs: MAIN_BUNDLE_BUILDERS,
    });
    file = bundle.files.main as string;
    demo = bundle.files.demo as string;
  } catch (error) {
    process.stderr.write(
      `(could not bundle the stack, running its sources: ${(error as Error).message})\n`,
    );
    return runSources();
  }
  return runBundle(file, demo);
}

start().catch((error: Error) => {
  process.stderr.write(startFailureText(error, args));
  process.exit(1);
});
