/** Where things are, relative to this package. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above packages/local). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The default state folder: `.local/` at the repository root. */
export const DEFAULT_STATE_DIR = join(REPO_ROOT, '.local');

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
