import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalOutputs, outputsPath, readOutputs, writeOutputs } from '../../src/outputs.js';
import { loadSecrets } from '../../src/stack.js';

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('local secrets', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'aw-secrets-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('makes a 32-byte code key at the first start, readable by the owner only, and keeps it', async () => {
    const dir = tempDir();
    const lines: string[] = [];

    const first = await loadSecrets(dir, (line) => lines.push(line));
    const again = await loadSecrets(dir, (line) => lines.push(line));

    expect(Buffer.from(first.codeKey, 'base64')).toHaveLength(32);
    expect(again).toEqual(first);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(lines).toEqual([]);
  });

  it('replaces a file it cannot read back, and says so without showing its content', async () => {
    const dir = tempDir();
    const file = join(dir, 'secrets.json');
    writeFileSync(file, '{"codeKey":"c2hvcnQ="}');
    const lines: string[] = [];

    const secrets = await loadSecrets(dir, (line) => lines.push(line));

    expect(Buffer.from(secrets.codeKey, 'base64')).toHaveLength(32);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(secrets);
    expect(lines).toEqual([
      `! ${file} could not be read (it holds no code key of 32 bytes): a new code key was made; codes mailed before now no longer verify`,
    ]);
  });

  it('always ends with a usable key, whatever the file holds', async () => {
    const dir = tempDir();
    const file = join(dir, 'secrets.json');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
          fc
            .record({ codeKey: fc.oneof(fc.base64String(), fc.jsonValue({ maxDepth: 0 })) })
            .map((value) => JSON.stringify(value)),
        ),
        async (content) => {
          writeFileSync(file, content);
          const lines: string[] = [];
          const secrets = await loadSecrets(dir, (line) => lines.push(line));
          expect(Buffer.from(secrets.codeKey, 'base64')).toHaveLength(32);
          // Kept exactly when it was already a usable key; else replaced, with one line.
          const kept = content.includes(secrets.codeKey);
          expect(lines).toHaveLength(kept ? 0 : 1);
          // Fixed wording only: nothing of the file's content (a secret) is shown.
          for (const line of lines) {
            expect(line).toBe(
              `! ${file} could not be read (${isJson(content) ? 'it holds no code key of 32 bytes' : 'it is not JSON'}): a new code key was made; codes mailed before now no longer verify`,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('local outputs', () => {
  it('writes outputs.json readable by the owner only: it holds the machine client secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aw-outputs-'));
    try {
      const file = outputsPath(dir);
      await writeOutputs(file, { machineClientSecret: 'local-secret' } as LocalOutputs);

      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await readOutputs(file)).toEqual({ machineClientSecret: 'local-secret' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
