import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecrets } from '../../src/stack.js';

describe('local secrets: the pre-auth hash key', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('adds a hash key to a state folder made before it, keeping the code key', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'aw-hash-key-'));
    dirs.push(dir);
    const codeKey = Buffer.alloc(32, 7).toString('base64');
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ codeKey }));

    // Act
    const first = await loadSecrets(dir);
    const again = await loadSecrets(dir);

    // Assess
    expect(first.codeKey).toBe(codeKey);
    expect(Buffer.from(first.userHashKey, 'base64')).toHaveLength(32);
    expect(again).toEqual(first);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toEqual(first);
  });
});
