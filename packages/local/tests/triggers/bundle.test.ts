import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN_BUNDLE_DIR } from '../../src/launcher.js';
import { DEFAULT_BUNDLE_DIR } from '../../src/paths.js';
import { bundleEntries, bundleHandlers, WORKER_KEY } from '../../src/triggers/bundle.js';
import { currentBuild } from '../../src/triggers/bundle-cache.js';

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

  it('leaves installed packages out of shared bundles, imported from where they are installed', async () => {
    // Prepare: an entry of this package that uses an installed package (ws)
    const user = fileURLToPath(new URL('./fixtures/uses-ws.ts', import.meta.url));

    // Act
    const shared = await bundleEntries({ user }, join(dir, 'shared'), { shareInstalled: true });
    const whole = await bundleEntries({ user }, join(dir, 'whole'));
    const sharedText = readFileSync(shared.files.user as string, 'utf8');
    const wholeText = readFileSync(whole.files.user as string, 'utf8');
    const loaded = (await import(shared.files.user as string)) as { handler(): string };

    // Assess
    expect(sharedText).toMatch(/from "\/[^"]*\/node_modules\/[^"]*ws[^"]*\.js"/);
    expect(sharedText.length).toBeLessThan(wholeText.length / 5);
    expect(loaded.handler()).toBe('function');
  });

  it('rebuilds when an extra input (the script that builds the bundle) changes', async () => {
    // Prepare
    const builder = join(dir, 'builder.ts');
    writeFileSync(builder, '// builds things\n');
    const first = await bundleEntries({ echo: entry }, join(dir, 'extra'), {
      extraInputs: [builder],
    });
    const later = new Date(Date.now() + 10_000);
    utimesSync(builder, later, later);

    // Act
    const second = await bundleEntries({ echo: entry }, join(dir, 'extra'), {
      extraInputs: [builder],
    });

    // Assess
    expect(first.built).toBe(true);
    expect(second.built).toBe(true);
  });
});

describe('the main bundle cache the launcher reads', () => {
  it('is where the stack caches its bundles', () => {
    expect(MAIN_BUNDLE_DIR).toBe(join(DEFAULT_BUNDLE_DIR, 'main'));
  });

  it('answers no build for a missing manifest, another esbuild or a changed input', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'authwatch-manifest-'));
    const input = join(dir, 'input.ts');
    writeFileSync(input, 'export {};\n');
    const built = await bundleEntries({ input }, dir);
    const manifest = join(dir, 'manifest.json');
    const { esbuild } = JSON.parse(readFileSync(manifest, 'utf8')) as { esbuild: string };

    // Act
    const current = await currentBuild(manifest, esbuild);
    const otherEsbuild = await currentBuild(manifest, '0.0.0');
    const missing = await currentBuild(join(dir, 'nothing.json'), esbuild);
    const later = new Date(Date.now() + 10_000);
    utimesSync(input, later, later);
    const changed = await currentBuild(manifest, esbuild);
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(built.files.input).toContain(current as string);
    expect(otherEsbuild).toBeUndefined();
    expect(missing).toBeUndefined();
    expect(changed).toBeUndefined();
  });
});
