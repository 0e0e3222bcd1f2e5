// What `pnpm start` (bin/start.mjs) needs before any TypeScript can load: where the
// local stack's bundle is cached and whether it is current. Plain JavaScript, so a
// current bundle starts without a TypeScript loader in the way (about half a second on
// a 2-core machine, the start-up target's third).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentBuild } from './triggers/bundle-cache.js';

/** The main bundle's cache folder (paths.ts: DEFAULT_BUNDLE_DIR/main). */
export const MAIN_BUNDLE_DIR = fileURLToPath(
  new URL('../node_modules/.cache/authwatch-local/main', import.meta.url),
);

/** Files that decide how the main bundle is built, besides its own sources. */
export const MAIN_BUNDLE_BUILDERS = [
  fileURLToPath(new URL('./cli.ts', import.meta.url)),
  fileURLToPath(new URL('./launcher.js', import.meta.url)),
];

/** The cached bundle of the stack when it is current, else undefined. */
export async function currentMainBundle() {
  let esbuildVersion;
  try {
    esbuildVersion = createRequire(import.meta.url)('esbuild/package.json').version;
  } catch {
    return undefined;
  }
  const build = await currentBuild(join(MAIN_BUNDLE_DIR, 'manifest.json'), esbuildVersion);
  return build === undefined ? undefined : join(MAIN_BUNDLE_DIR, 'builds', build, 'main.mjs');
}
