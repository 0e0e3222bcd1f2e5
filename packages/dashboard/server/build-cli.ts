/** `pnpm --filter @authwatch/dashboard build [outDir]`: writes the page to a folder (default dist). */
import { resolve } from 'node:path';
import { PACKAGE_DIR, writePage } from './build.js';

const outDir = resolve(PACKAGE_DIR, process.argv[2] ?? 'dist');
const files = await writePage(outDir);
for (const file of files)
  process.stdout.write(`${outDir}/${file.name}  ${file.body.length} bytes\n`);
