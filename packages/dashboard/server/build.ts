/**
 * Bundles the page with esbuild: `src/main.ts` (and the CSS it imports, uPlot's with
 * ours) into `app.js` and `app.css`, next to `static/index.html`. In memory for the
 * local stack; to a folder for infra's deployment (`pnpm --filter @authwatch/dashboard build`).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

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

/** The page's files: index.html, app.js, app.css. */
export async function buildPage(options: { minify?: boolean } = {}): Promise<PageFile[]> {
  const result = await build({
    entryPoints: { app: join(PACKAGE_DIR, 'src', 'main.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox121', 'safari17'],
    minify: options.minify ?? true,
    legalComments: 'none',
    outdir: '/page',
    write: false,
    logLevel: 'warning',
  });
  const files: PageFile[] = result.outputFiles.map((file) => {
    const name = file.path.split('/').pop() ?? file.path;
    return { name, body: Buffer.from(file.contents), contentType: contentTypeOf(name) };
  });
  const html = await readFile(join(PACKAGE_DIR, 'static', 'index.html'));
  files.push({ name: 'index.html', body: html, contentType: contentTypeOf('index.html') });
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
