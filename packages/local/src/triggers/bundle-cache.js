// The bundle cache's manifest check, in plain JavaScript: `bin/start.mjs` uses it to
// run a current bundle of the local stack without loading a TypeScript loader first,
// and bundle.ts uses it for every bundle. Types: bundle-cache.d.ts.
import { readFile, stat } from 'node:fs/promises';

/** `mtimeMs:size` of a file, or undefined when it does not exist. */
export async function fingerprint(path) {
  try {
    const info = await stat(path);
    return `${info.mtimeMs}:${info.size}`;
  } catch {
    return undefined;
  }
}

/** The manifest in `manifestFile`, or undefined when there is none (or it is unreadable). */
export async function readManifest(manifestFile) {
  try {
    return JSON.parse(await readFile(manifestFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The build folder the manifest names when it is current: built by this esbuild
 * version, from these entries (when given), and no input changed since.
 */
export async function currentBuild(manifestFile, esbuildVersion, entries) {
  const manifest = await readManifest(manifestFile);
  if (manifest === undefined || manifest.esbuild !== esbuildVersion) return undefined;
  if (entries !== undefined && JSON.stringify(manifest.entries) !== JSON.stringify(entries)) {
    return undefined;
  }
  const checks = await Promise.all(
    Object.entries(manifest.inputs).map(
      async ([path, print]) => (await fingerprint(path)) === print,
    ),
  );
  return checks.every(Boolean) ? manifest.build : undefined;
}
