/**
 * The README's map of the emulator (area → file → operations), rendered from the
 * operation table in `src/cognito/operations.ts`. `operations-map.test.ts` checks that
 * the README holds exactly this text; after a change to the table, rewrite it with
 *
 *   npx tsx tests/cognito/operations-map.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AREAS } from '../../src/cognito/operations.js';

export const README = fileURLToPath(new URL('../../src/cognito/README.md', import.meta.url));
export const START =
  '<!-- operations-map: generated from operations.ts, see tests/cognito/operations-map.ts -->';
export const END = '<!-- /operations-map -->';

/** The generated block, markers included. */
export function renderOperationsMap(): string {
  const rows = AREAS.map(
    (area) =>
      `| ${area.area} | [\`${area.file}\`](${area.file}) | ${Object.keys(area.operations).join(', ')} |`,
  );
  return [START, '| area | file | operations |', '| --- | --- | --- |', ...rows, END].join('\n');
}

/** The block the README holds now, or undefined when it has no markers. */
export function readmeOperationsMap(text: string): string | undefined {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return text.slice(start, end + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = readFileSync(README, 'utf8');
  const current = readmeOperationsMap(text);
  if (current === undefined) throw new Error(`${README} has no ${START} ... ${END} block`);
  writeFileSync(README, text.replace(current, renderOperationsMap()));
  console.log(`wrote the operations map of ${README}`);
}
