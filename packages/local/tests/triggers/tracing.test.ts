import asyncHooks from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { entryPath } from '../../src/paths.js';
import { bundleEntries } from '../../src/triggers/bundle.js';
import { COMPLETE_BUNDLES } from '../../src/triggers/runner.js';
import { INERT_TRACE_CONTEXT, skipTraceContextHook } from '../../src/triggers/tracing.js';

// cls-hooked as the X-Ray SDK (under Powertools' Tracer) loads it.
const requireFromTracer = createRequire(
  createRequire(import.meta.url).resolve('@aws-lambda-powertools/tracer'),
);
const xrayRequire = createRequire(requireFromTracer.resolve('aws-xray-sdk-core'));

describe('skipTraceContextHook', () => {
  it("keeps cls-hooked's async hook from being installed, and only that one", async () => {
    // Prepare
    skipTraceContextHook();
    const cls = xrayRequire('cls-hooked') as {
      createNamespace(name: string): {
        run(work: () => void): void;
        set(key: string, value: unknown): void;
        get(key: string): unknown;
      };
    };
    const namespace = cls.createNamespace(`authwatch-test-${Date.now()}`);
    const others: string[] = [];
    const hook = asyncHooks.createHook({ init: (_id, type) => others.push(type) }).enable();

    // Act: a value set in a cls context is only carried across an await by the hook
    const carried = await new Promise<unknown>((resolve) => {
      namespace.run(() => {
        namespace.set('marker', 'set before the await');
        void Promise.resolve().then(() => resolve(namespace.get('marker')));
      });
    });
    await Promise.resolve();
    hook.disable();

    // Assess
    expect(carried).toBeUndefined();
    expect(others).toContain('PROMISE');
  });

  it('has a bundle-time rewrite that takes out exactly the enabling line of the installed cls-hooked', () => {
    // Prepare
    const file = xrayRequire.resolve('cls-hooked/context.js');
    const text = readFileSync(file, 'utf8');

    // Act
    const rewritten = INERT_TRACE_CONTEXT.rewrite(text);

    // Assess: a cls-hooked release without that line would fail here, not silently
    expect(INERT_TRACE_CONTEXT.file.test(file)).toBe(true);
    expect(text.split('hook.enable();')).toHaveLength(2);
    expect(rewritten).not.toContain('hook.enable();');
    expect(rewritten.split('\n')).toHaveLength(text.split('\n').length);
  });
});

/** Imports a bundle in a fresh process; prints the callbacks of every async hook enabled. */
const ENABLED_HOOKS = `
import asyncHooks from 'node:async_hooks';
const enabled = [];
const create = asyncHooks.createHook;
asyncHooks.createHook = (callbacks) => {
  const hook = create(callbacks);
  const enable = hook.enable.bind(hook);
  hook.enable = () => { enabled.push(Object.keys(callbacks).sort().join(',')); return enable(); };
  return hook;
};
try { await import(process.env.BUNDLE); } catch {}
process.stdout.write(JSON.stringify(enabled));
`;

describe('complete handler bundles (worker isolation)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'authwatch-tracing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const enabledHooks = (file: string): string[] => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', ENABLED_HOOKS], {
      env: { PATH: process.env.PATH, BUNDLE: pathToFileURL(file).href, AWS_REGION: 'eu-west-1' },
      encoding: 'utf8',
    });
    return JSON.parse(run.stdout || '[]') as string[];
  };

  it("never enable cls-hooked's hook, which a bundle built without the rewrite does", async () => {
    // Prepare: the post authentication handler, which imports Powertools' Tracer
    const entry = entryPath('post-auth');

    // Act
    const [complete, plain] = await Promise.all([
      bundleEntries({ handler: entry }, join(dir, 'complete'), COMPLETE_BUNDLES),
      bundleEntries({ handler: entry }, join(dir, 'plain')),
    ]);

    // Assess
    const clsHook = 'after,before,destroy,init';
    expect(enabledHooks(plain.files.handler as string)).toContain(clsHook);
    expect(enabledHooks(complete.files.handler as string)).not.toContain(clsHook);
  });
});
