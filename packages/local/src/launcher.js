// What `pnpm start` (bin/start.mjs) needs before any TypeScript can load: where the
// local stack's bundle is cached and whether it is current. Plain JavaScript, so a
// current bundle starts without a TypeScript loader in the way (about half a second on
// a 2-core machine, the start-up target's third).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { currentBuild } from './triggers/bundle-cache.js';

const CACHE = new URL('../node_modules/.cache/authwatch-local/', import.meta.url);

/** The main bundle's cache folder (paths.ts: DEFAULT_BUNDLE_DIR/main). */
export const MAIN_BUNDLE_DIR = fileURLToPath(new URL('main', CACHE));

/** The SES emulator bundle's cache folder (ses.ts). */
export const SES_BUNDLE_DIR = fileURLToPath(new URL('ses', CACHE));

/** The delivery thread's bundle cache folder (delivery/index.ts). */
export const DELIVERY_BUNDLE_DIR = fileURLToPath(new URL('delivery', CACHE));

/** Files that decide how the main bundle is built, besides its own sources. */
export const MAIN_BUNDLE_BUILDERS = [
  fileURLToPath(new URL('./cli.ts', import.meta.url)),
  fileURLToPath(new URL('./launcher.js', import.meta.url)),
];

/** `<dir>/builds/<build>/<key>.mjs` of a cache folder when current, else undefined. */
async function currentBundle(dir, key) {
  let esbuildVersion;
  try {
    esbuildVersion = createRequire(import.meta.url)('esbuild/package.json').version;
  } catch {
    return undefined;
  }
  const build = await currentBuild(join(dir, 'manifest.json'), esbuildVersion);
  return build === undefined ? undefined : join(dir, 'builds', build, `${key}.mjs`);
}

/** The cached bundle of the stack when it is current, else undefined. */
export function currentMainBundle() {
  return currentBundle(MAIN_BUNDLE_DIR, 'main');
}

/** The demo's bundle, built with the stack's (`--demo` loads it). */
export function demoBundleOf(mainBundle) {
  return join(mainBundle, '..', 'demo.mjs');
}

/**
 * Starts the SES emulator's thread on its cached bundle, so that the package loads on
 * the other core while the stack's bundle does; undefined without a current bundle. The
 * thread does not keep the process alive until the stack claims it (ses.ts).
 */
export async function preloadSes() {
  const bundle = await currentBundle(SES_BUNDLE_DIR, 'ses');
  if (bundle === undefined) return undefined;
  return preloaded(new URL('./ses-thread.js', import.meta.url), {
    workerData: { module: pathToFileURL(bundle).href },
  });
}

/**
 * Starts the delivery thread (Firehose and the live feed, delivery/thread.ts) on its
 * cached bundle, so that it loads on the other core while the stack's bundle does;
 * undefined without a current bundle. It does not keep the process alive until the
 * stack claims it.
 */
export async function preloadDelivery() {
  const bundle = await currentBundle(DELIVERY_BUNDLE_DIR, 'delivery');
  return bundle === undefined ? undefined : preloaded(pathToFileURL(bundle));
}

/** A thread that does not keep the process alive until the stack claims it (`ref()`). */
function preloaded(url, options) {
  const worker = new Worker(url, options);
  worker.unref();
  // Until the stack claims it, a failure is the stack's to report (it listens then).
  worker.on('error', () => undefined);
  return worker;
}

/** Failures whose message says what to do: no stack trace unless asked for. */
const EXPLAINED = new Set([
  'LocalStackStartError',
  'StackRunningError',
  'InvalidConfigError',
  'StateFileError',
]);

/**
 * What a user reads when the stack cannot start: the problem and the next step; the
 * stack trace only with `--verbose`.
 */
export function startFailureText(error, args) {
  const message = error instanceof Error ? error.message : String(error);
  if (args.includes('--verbose') && error instanceof Error && error.stack) {
    return `local stack failed to start: ${error.stack}\n`;
  }
  const hint =
    error instanceof Error && EXPLAINED.has(error.name)
      ? ''
      : '(run again with --verbose for the stack trace)\n';
  return `local stack failed to start: ${message}\n${hint}`;
}
