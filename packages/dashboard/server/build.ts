/**
 * Bundles the page with esbuild: `src/main.ts` (and the CSS it imports, uPlot's with
 * ours) into `app.js` and `app.css`, next to `static/index.html`. In memory for the
 * local stack; to a folder for infra's deployment (`pnpm --filter @authwatch/dashboard build`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, buildSync } from 'esbuild';

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One file of the page: its name (no folders) and bytes. */
export interface PageFile {
  name: string;
  body: Buffer;
  contentType: string;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
};

export const contentTypeOf = (name: string) =>
  TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream';

const options = (minify: boolean): BuildOptions & { write: false } => ({
  entryPoints: { app: join(PACKAGE_DIR, 'src', 'main.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox121', 'safari17'],
  minify,
  legalComments: 'none',
  outdir: '/page',
  write: false,
  logLevel: 'warning',
});

function pageFiles(outputs: { path: string; contents: Uint8Array }[], html: Buffer): PageFile[] {
  const files: PageFile[] = outputs.map((file) => {
    const name = file.path.split('/').pop() ?? file.path;
    return { name, body: Buffer.from(file.contents), contentType: contentTypeOf(name) };
  });
  files.push({ name: 'index.html', body: html, contentType: contentTypeOf('index.html') });
  return files;
}

const INDEX = join(PACKAGE_DIR, 'static', 'index.html');

/** The page's files: index.html, app.js, app.css. */
export async function buildPage(settings: { minify?: boolean } = {}): Promise<PageFile[]> {
  const result = await build(options(settings.minify ?? true));
  return pageFiles(result.outputFiles, await readFile(INDEX));
}

/** The same, synchronously (the CDK app builds the page while it synthesises). */
export function writePageSync(outDir: string): PageFile[] {
  const result = buildSync(options(true));
  const files = pageFiles(result.outputFiles, readFileSync(INDEX));
  mkdirSync(outDir, { recursive: true });
  for (const file of files) writeFileSync(join(outDir, file.name), file.body);
  return files;
}

/** Writes the page into a folder (infra's BucketDeployment source). */
export async function writePage(
  outDir: string,
  options: { minify?: boolean } = {},
): Promise<PageFile[]> {
  const files = await buildPage(options);
  await mkdir(outDir, { recursive: true });
  for (const file of files) await writeFile(join(outDir, file.name), file.body);
  return files;
}
