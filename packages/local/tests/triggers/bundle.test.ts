import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandlers, WORKER_KEY } from '../../src/triggers/bundle.js';

describe('bundleHandlers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authwatch-bundle-'));
  const entry = join(dir, 'handler.mjs');
  writeFileSync(entry, 'export const handler = async () => ({ response: {} });\n');
  const out = join(dir, 'cache');

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reuses the cached bundles while no input changed, and rebuilds when one did', async () => {
    // Act
    const first = await bundleHandlers({ echo: entry }, out);
    const second = await bundleHandlers({ echo: entry }, out);
    const later = new Date(Date.now() + 5_000);
    utimesSync(entry, later, later);
    const third = await bundleHandlers({ echo: entry }, out);

    // Assess
    expect(first.built).toBe(true);
    expect(second.built).toBe(false);
    expect(second.files).toEqual(first.files);
    expect(Object.keys(first.files).sort()).toEqual([WORKER_KEY, 'echo'].sort());
    expect(third.built).toBe(true);
    expect(third.files.echo).not.toBe(first.files.echo);
  });
});
