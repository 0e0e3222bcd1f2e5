/** Where things are, relative to this package. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above packages/local). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The default state folder: `AUTHWATCH_LOCAL_DIR` when set (a second stack, the README
 * tests), else `.local/` at the repository root. `pnpm start`, `pnpm demo`, `pnpm watch`
 * and `pnpm replay` all read it.
 */
export const DEFAULT_STATE_DIR = process.env.AUTHWATCH_LOCAL_DIR
  ? resolve(process.env.AUTHWATCH_LOCAL_DIR)
  : join(REPO_ROOT, '.local');

/** A Lambda entry file, as the CDK app bundles it: `packages/<pkg>/src/<file>.ts`. */
export function entryPath(pkg: string, file = 'handler'): string {
  return join(REPO_ROOT, 'packages', pkg, 'src', `${file}.ts`);
}

/**
 * Where handler bundles are cached, shared by every stack of this checkout whatever its
 * state folder (tests start several): node_modules/.cache, as other build tools do.
 */
export const DEFAULT_BUNDLE_DIR = join(
  REPO_ROOT,
  'packages',
  'local',
  'node_modules',
  '.cache',
  'authwatch-local',
);
