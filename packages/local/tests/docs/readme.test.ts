/**
 * Every README block marked `doctest` runs, as a user would run it, against a local stack
 * this test starts (its state folder given as AUTHWATCH_LOCAL_DIR, its ports in place of
 * the defaults): a README cannot drift from the code. The runner's own parsing is tested
 * too, over any markdown (fast-check).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocBlock, docBlocks, withPorts } from '../../src/doctest.js';
import { REPO_ROOT } from '../../src/paths.js';
import { type LocalStack, startLocalStack } from '../../src/stack.js';

const READMES = spawnSync('git', ['ls-files', '*README.md', 'README.md'], {
  cwd: REPO_ROOT,
  encoding: 'utf8',
})
  .stdout.split('\n')
  .filter((file) => file.endsWith('README.md'));

const blocks: DocBlock[] = [];
for (const file of READMES) {
  const text = await readFile(join(REPO_ROOT, file), 'utf8');
  blocks.push(...docBlocks(file, text));
}

const stateDir = mkdtempSync(join(tmpdir(), 'authwatch-doctest-'));
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, stateDir, quiet: true });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Runs one block; resolves with its exit code and output. */
function run(block: DocBlock): Promise<{ code: number; output: string }> {
  const o = stack.outputs;
  const ports = [o.endpoint, o.apiUrl, o.sesEndpoint, o.firehoseEndpoint, o.liveFeedHttpUrl].map(
    (url) => Number(new URL(url).port),
  );
  const code = withPorts(block.code, ports);
  const env = { ...process.env, AUTHWATCH_LOCAL_DIR: stateDir, FORCE_COLOR: '0' };
  let file: string | undefined;
  let command: string[];
  if (block.lang === 'sh') {
    command = ['bash', '-e', '-o', 'pipefail', '-c', code];
  } else {
    // Next to the package's dependencies, so its imports resolve as in the README.
    file = join(REPO_ROOT, 'packages', 'local', `.doctest-${process.pid}-${block.line}.mts`);
    writeFileSync(file, code);
    command = [process.execPath, '--import', 'tsx', file];
  }
  return new Promise((resolve) => {
    const child = spawn(command[0] as string, command.slice(1), {
      cwd: block.lang === 'ts' ? join(REPO_ROOT, 'packages', 'local') : REPO_ROOT,
      env,
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.once('close', (exit) => {
      if (file) unlinkSync(file);
      resolve({ code: exit ?? -1, output });
    });
  });
}

describe('README blocks marked doctest', () => {
  it('finds the documented commands to run', () => {
    // The READMEs mark at least: the SDK snippet, the token check, the claims CLI, the demo, the flush.
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(new Set(blocks.map((block) => block.lang))).toEqual(new Set(['sh', 'ts']));
  });

  it.each(blocks.map((block) => [`${block.file}:${block.line}`, block] as const))(
    '%s runs as documented',
    async (_where, block) => {
      const result = await run(block);
      // On a failure, the block's output says why.
      expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({
        code: 0,
        output: '',
      });
    },
    180_000,
  );

  it('ran them against this test’s stack: the demo’s newcomer signed up here', async () => {
    const users = await stack.cognito.call('ListUsers', { UserPoolId: stack.outputs.userPoolId });
    const names = JSON.stringify(users);
    expect(names).toMatch(/newcomer-[a-z0-9]+@example\.com/);
  });
});

describe('docBlocks', () => {
  it('takes only sh and ts blocks marked doctest, with their line and indentation removed', () => {
    const markdown = [
      '# Title',
      '```sh doctest',
      'echo one',
      '```',
      '```sh',
      'echo not marked',
      '```',
      '  ```ts doctest',
      '  const x = 1;',
      '  ```',
      '```json doctest',
      '{}',
      '```',
    ].join('\n');
    expect(docBlocks('R.md', markdown)).toEqual([
      { file: 'R.md', line: 2, lang: 'sh', code: 'echo one' },
      { file: 'R.md', line: 8, lang: 'ts', code: 'const x = 1;' },
    ]);
  });

  it('never throws and returns only marked blocks whose code is in the text, for any markdown', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '```',
        '```sh doctest',
        '```ts doctest',
        '~~~',
        '````',
        '```bash doctest x',
        '\n',
      ),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const markdown = pieces.join('\n');
        for (const block of docBlocks('R.md', markdown)) {
          expect(['sh', 'ts']).toContain(block.lang);
          expect(block.line).toBeGreaterThanOrEqual(1);
          for (const line of block.code.split('\n')) {
            expect(markdown).toContain(line);
          }
        }
      }),
    );
  });

  it('maps the default ports to the running stack’s', () => {
    expect(
      withPorts(
        'curl http://127.0.0.1:4583/x && curl localhost:4580 && echo 45800',
        [1, 2, 3, 4, 5],
      ),
    ).toBe('curl http://127.0.0.1:4/x && curl localhost:1 && echo 45800');
  });
});
