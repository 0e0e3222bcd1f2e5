/**
 * Where Lambda entries live: `packages/<pkg>/src/<file>.ts`, exporting `handler`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './bundling.js';

/**
 * The absolute path of a package's Lambda entry, failing clearly if it does not exist.
 *
 * @example
 * ```ts
 * handlerEntry('pre-signup'); // <repo>/packages/pre-signup/src/handler.ts
 * handlerEntry('custom-challenge', 'verify-auth-challenge');
 * ```
 */
export function handlerEntry(pkg: string, file = 'handler'): string {
  if (!/^[a-z0-9-]+$/.test(pkg) || !/^[a-z0-9-]+$/.test(file)) {
    throw new Error(`handlerEntry: "${pkg}", "${file}" must be kebab-case names`);
  }
  const entry = join(REPO_ROOT, 'packages', pkg, 'src', `${file}.ts`);
  if (!existsSync(entry)) {
    throw new Error(
      `Lambda entry packages/${pkg}/src/${file}.ts does not exist (expected a file exporting "handler")`,
    );
  }
  return entry;
}
