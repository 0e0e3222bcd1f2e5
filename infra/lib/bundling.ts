/**
 * The ONE definition of how a Lambda entry is bundled. `TracedFunction` hands these
 * options to CDK's NodejsFunction, and the bundle benchmark hands the same options to
 * esbuild directly, so what is measured is what is deployed. No aws-cdk-lib import here:
 * the benchmark loads this file without the CDK.
 */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_MAJOR, NODE_TARGET } from './node-runtime.js';

/** The repository root (the folder holding pnpm-lock.yaml). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The lockfile NodejsFunction reads to find the project root. */
export const LOCKFILE = join(REPO_ROOT, 'pnpm-lock.yaml');

/** Lambda's Node.js major version; the runtime in TracedFunction and esbuild's target match. */
export { NODE_MAJOR };

/**
 * Bundling settings, in NodejsFunction's vocabulary. ESM so top-level await works and
 * esbuild can tree-shake ES modules; the banner gives bundled CommonJS dependencies
 * (the X-Ray SDK) a working `require`.
 */
export const BUNDLING = {
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  /**
   * CDK's own default for Node 18+ runtimes: the Lambda runtime ships AWS SDK v3, so it
   * is not bundled. `@duckdb/*`: the protected API's offline history engine (a native
   * module), loaded only when HISTORY_ENGINE=duckdb, never in AWS.
   */
  externalModules: ['@aws-sdk/*', '@duckdb/*'],
  banner:
    "import{createRequire as __authwatchRequire}from'node:module';const require=__authwatchRequire(import.meta.url);",
} as const;

/** File name of the bundled handler; `index.mjs` for ESM, as NodejsFunction writes it. */
export const BUNDLE_FILE = 'index.mjs';

/**
 * The same settings as esbuild `BuildOptions`, for bundling outside the CDK.
 *
 * @example
 * ```ts
 * await esbuild.build(esbuildOptions(entry, '/tmp/out/index.mjs'));
 * ```
 */
export function esbuildOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: BUNDLING.platform,
    format: BUNDLING.format,
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    mainFields: [...BUNDLING.mainFields],
    external: [...BUNDLING.externalModules],
    banner: { js: BUNDLING.banner },
    logLevel: 'warning' as const,
  };
}

/**
 * NodejsFunction bundles with a local esbuild only if `esbuild` is on PATH (pnpm's
 * strict layout hides it from aws-cdk-lib's require); otherwise it falls back to Docker.
 * Putting the workspace's bin folders first makes local bundling deterministic.
 */
export function ensureLocalEsbuild(): void {
  const bins = [
    join(REPO_ROOT, 'infra', 'node_modules', '.bin'),
    join(REPO_ROOT, 'node_modules', '.bin'),
  ].filter((bin) => existsSync(join(bin, 'esbuild')));
  const path = process.env.PATH ?? '';
  const missing = bins.filter((bin) => !path.split(delimiter).includes(bin));
  if (missing.length > 0) process.env.PATH = [...missing, path].join(delimiter);
}
