/**
 * Bundles the handler entries for the workers with esbuild, as the CDK app does
 * (ESM, Node platform, `module` before `main`, a `require` for bundled CommonJS), so a
 * worker loads one file instead of resolving hundreds of modules through a TypeScript
 * loader: about ten times faster on a 2-core laptop. Unlike the deployed bundle, the
 * AWS SDK is bundled in (there is no Lambda runtime to provide it) and nothing is
 * minified, so stack traces read like the source. Bundles are cached in the state
 * folder and rebuilt when any input file changes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NODE_TARGET } from '@authwatch/infra/node-runtime';
import { build, version as esbuildVersion, type Plugin } from 'esbuild';
import { REPO_ROOT } from '../paths.js';
import { currentBuild, fingerprint, type Manifest } from './bundle-cache.js';

/**
 * Keeps `import.meta.url` of the workspace's own TypeScript files pointing at the
 * source file, not at the bundle: paths computed from it (the repository root, a
 * package's rules file, the worker body) stay right wherever the bundle is cached.
 */
const keepImportMetaUrl: Plugin = {
  name: 'authwatch-keep-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
};

/**
 * Gives bundled CommonJS dependencies a working `require` (as the CDK bundling does).
 * Spelled in two parts so the plugin above does not rewrite it in this very file.
 */
const REQUIRE_BANNER = `import{createRequire as __authwatchRequire}from'node:module';const require=__authwatchRequire(${'import.meta'}.url);`;

/** A change made to an installed file as it is bundled (see `BundleOptions.rewrites`). */
export interface FileRewrite {
  /** Names the rewrite in the cache key: change it when the rewrite changes. */
  id: string;
  /** Which installed files it applies to. */
  file: RegExp;
  /** The new text; the same text when there is nothing to change. */
  rewrite(text: string): string;
}

/**
 * Rewrites installed CommonJS files as they are bundled: `__dirname` kept pointing at
 * the installed folder (for a package that serves files relative to itself, as
 * aws-ses-v2-local serves its web page), and any `rewrites`.
 */
function rewriteInstalled(keepDirname: boolean, rewrites: FileRewrite[]): Plugin {
  return {
    name: 'authwatch-rewrite-installed',
    setup(builder) {
      builder.onLoad({ filter: /node_modules\/.*\.c?js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        let contents = text;
        if (keepDirname && contents.includes('__dirname')) {
          contents = contents.replaceAll('__dirname', JSON.stringify(dirname(args.path)));
        }
        for (const rewrite of rewrites) {
          if (rewrite.file.test(args.path)) contents = rewrite.rewrite(contents);
        }
        return contents === text ? undefined : { contents, loader: 'js' };
      });
    },
  };
}

export interface BundleOptions {
  /** Packages left to Node's resolution from the bundle's folder (default none). */
  external?: string[];
  /**
   * Leave every installed package (anything under node_modules) out of the bundles and
   * import it from where it is installed, by absolute path (default false). Bundles
   * loaded into one thread then share one instance of the AWS SDK, Powertools and the
   * X-Ray SDK (whose async hook would otherwise be installed once per bundle and run
   * for every promise), while the workspace's own modules stay private to each bundle.
   */
  shareInstalled?: boolean;
  /** Keep `__dirname` of installed CommonJS files pointing at where they are installed. */
  keepDirname?: boolean;
  /** Changes to installed files as they are bundled. */
  rewrites?: FileRewrite[];
  /** More files whose change makes the cached build stale (e.g. the script that builds it). */
  extraInputs?: string[];
}

/**
 * Imports of installed packages become imports of the file Node's `require` resolves
 * them to: the published CommonJS build, which Node loads as one file (an ES build's
 * extensionless relative imports would not resolve without a loader). A package that
 * `require` cannot resolve (ES-only) stays in the bundle.
 */
const shareInstalledPackages: Plugin = {
  name: 'authwatch-share-installed',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return undefined;
      let path: string;
      try {
        path = createRequire(join(args.resolveDir, 'index.js')).resolve(args.path);
      } catch {
        return undefined;
      }
      return path.includes('/node_modules/') ? { path, external: true } : undefined;
    });
  },
};

/** The worker body, bundled alongside the handlers. */
export const WORKER_KEY = '__worker';
const WORKER_SOURCE = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface BundleResult {
  /** Bundle file by key (including {@link WORKER_KEY}). */
  files: Record<string, string>;
  /** Whether esbuild ran (false: the cached bundles were still current). */
  built: boolean;
  ms: number;
}

/** Removes builds older than an hour that the manifest no longer names. */
async function pruneBuilds(buildsDir: string, keep: string): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of await readdir(buildsDir).catch(() => [] as string[])) {
    if (name === keep) continue;
    const info = await stat(join(buildsDir, name)).catch(() => undefined);
    if (info && info.mtimeMs < hourAgo) {
      await rm(join(buildsDir, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

/**
 * Bundles `entries` (key → absolute entry path) into `outDir/builds/<id>/<key>.mjs`, or
 * reuses the current build when no input changed. Each build goes to a folder of its
 * own and the manifest is replaced atomically, so stacks starting at the same time
 * (parallel test files) never load a half-written bundle.
 */
export function bundleHandlers(
  entries: Record<string, string>,
  outDir: string,
  options: BundleOptions = {},
): Promise<BundleResult> {
  return bundleEntries({ ...entries, [WORKER_KEY]: WORKER_SOURCE }, outDir, options);
}

/** Bundles any entries (key → absolute path) with the same settings and cache. */
export async function bundleEntries(
  all: Record<string, string>,
  outDir: string,
  options: BundleOptions = {},
): Promise<BundleResult> {
  const started = performance.now();
  const filesOf = (dir: string) =>
    Object.fromEntries(Object.keys(all).map((key) => [key, join(dir, `${key}.mjs`)]));
  const manifestFile = join(outDir, 'manifest.json');
  const buildsDir = join(outDir, 'builds');
  const settings = {
    __target: NODE_TARGET,
    __external: (options.external ?? []).join(','),
    __shareInstalled: String(options.shareInstalled ?? false),
    __keepDirname: String(options.keepDirname ?? false),
    __rewrites: (options.rewrites ?? []).map((rewrite) => rewrite.id).join(','),
  };
  const current = await currentBuild(manifestFile, esbuildVersion, { ...all, ...settings });
  if (current !== undefined) {
    return {
      files: filesOf(join(buildsDir, current)),
      built: false,
      ms: performance.now() - started,
    };
  }
  const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const buildDir = join(buildsDir, id);
  await mkdir(buildDir, { recursive: true });
  const result = await build({
    entryPoints: Object.entries(all).map(([key, entry]) => ({ in: entry, out: key })),
    absWorkingDir: REPO_ROOT,
    outdir: buildDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Lambda's runtime, whatever Node runs the stack (infra/lib/bundling.ts).
    target: NODE_TARGET,
    mainFields: ['module', 'main'],
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      ...(options.shareInstalled ? [shareInstalledPackages] : []),
      ...(options.keepDirname || options.rewrites?.length
        ? [rewriteInstalled(options.keepDirname ?? false, options.rewrites ?? [])]
        : []),
      keepImportMetaUrl,
    ],
    ...(options.external ? { external: options.external } : {}),
    banner: { js: REQUIRE_BANNER },
  });
  // The workspace's own files are checked one by one; installed packages change only
  // with the lockfile, so it stands for all of them (a thousand fewer stat calls at
  // every start).
  const sources = Object.keys(result.metafile.inputs)
    .map((input) => resolve(REPO_ROOT, input))
    .filter((path) => !path.includes('/node_modules/'));
  const inputs: Record<string, string> = {};
  await Promise.all(
    [...sources, ...(options.extraInputs ?? []), join(REPO_ROOT, 'pnpm-lock.yaml')].map(
      async (path) => {
        const print = await fingerprint(path);
        if (print !== undefined) inputs[path] = print;
      },
    ),
  );
  const manifest: Manifest = {
    build: id,
    esbuild: esbuildVersion,
    entries: { ...all, ...settings },
    inputs,
  };
  const temp = `${manifestFile}.${id}.tmp`;
  await writeFile(temp, JSON.stringify(manifest));
  await rename(temp, manifestFile);
  await pruneBuilds(buildsDir, id);
  return { files: filesOf(buildDir), built: true, ms: performance.now() - started };
}
