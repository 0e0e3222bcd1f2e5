import asyncHooks from 'node:async_hooks';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { skipTraceContextHook } from '../../src/triggers/tracing.js';

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
});
