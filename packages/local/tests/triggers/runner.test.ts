import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTestEvent } from '@authwatch/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HandlerInvocationError,
  type HandlerIsolation,
  type HandlerLoader,
  HandlerRunner,
} from '../../src/triggers/runner.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

const setups: { loader: HandlerLoader; isolation: HandlerIsolation }[] = [
  { loader: 'bundle', isolation: 'in-process' },
  { loader: 'bundle', isolation: 'worker' },
  { loader: 'tsx', isolation: 'worker' },
];

describe.each(setups)('HandlerRunner: $loader loader, $isolation', ({ loader, isolation }) => {
  let runner: HandlerRunner;
  let logDir: string;
  const restarts: string[] = [];

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'authwatch-runner-'));
    runner = new HandlerRunner({
      loader,
      isolation,
      bundleDir: join(logDir, 'bundles'),
      region: 'eu-west-1',
      timeoutMs: 400,
      logDir,
      onRestart: (key, reason) => restarts.push(`${key}: ${reason}`),
      handlers: [
        { key: 'first', entry: fixture('echo'), env: { FIXTURE_VALUE: 'one' } },
        { key: 'second', entry: fixture('echo'), env: { FIXTURE_VALUE: 'two' } },
        { key: 'broken', entry: fixture('broken'), env: {} },
      ],
    });
    await runner.start().catch(() => undefined);
  });

  afterAll(async () => {
    await runner.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('gives each handler its own environment and nothing of this process', async () => {
    // Act
    const [first, second] = (await Promise.all([
      runner.invoke('first', { triggerSource: 'PreSignUp_SignUp' }),
      runner.invoke('second', { triggerSource: 'PreSignUp_SignUp' }),
    ])) as { response: { loadedWith: string; inheritedPath: string | null } }[];

    // Assess
    expect(first?.response.loadedWith).toBe('one');
    expect(second?.response.loadedWith).toBe('two');
    expect(first?.response.inheritedPath).toBeNull();
  });

  it('keeps each handler to its own environment while invocations interleave', async () => {
    // Act: 40 invocations of two handlers in flight together, each reading its
    // environment after awaits that let the others run
    const calls = Array.from({ length: 40 }, (_, index) => {
      const key = index % 2 === 0 ? 'first' : 'second';
      const delayMs = (index * 7) % 11;
      return runner
        .invoke(key, { behaviour: 'env-later', delayMs })
        .then((result) => [key, (result as { response: { valueNow: string } }).response.valueNow]);
    });
    const seen = await Promise.all(calls);

    // Assess
    for (const [key, value] of seen) expect(value).toBe(key === 'first' ? 'one' : 'two');
    expect(process.env.FIXTURE_VALUE).toBeUndefined();
  });

  it('passes a Lambda-like context that counts down from the invocation limit', async () => {
    // Act
    const result = (await runner.invoke('first', {})) as {
      response: { remaining: number; functionName: string };
    };

    // Assess
    expect(result.response.remaining).toBeGreaterThan(0);
    expect(result.response.remaining).toBeLessThanOrEqual(400);
    expect(result.response.functionName).toBe('authwatch-local-first');
  });

  it("reports a handler's error with its message", async () => {
    // Act
    const failure = await runner.invoke('first', { behaviour: 'throw' }).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(HandlerInvocationError);
    expect(failure).toMatchObject({ kind: 'error', message: 'the policy refused this sign-up' });
  });

  it('reports a response that cannot cross to the caller as invalid', async () => {
    // Act
    const failure = await runner.invoke('first', { behaviour: 'function' }).catch((e) => e);

    // Assess
    expect(failure).toMatchObject({ kind: 'invalid-response' });
  });

  it('runs handlers where it was asked to', () => {
    expect(runner.isolation).toBe(isolation);
  });

  it('times out a handler that never answers and gives it a fresh cold start', async () => {
    // Prepare: a worker can be stopped even in a busy loop; in this thread only a
    // handler that awaits forever can be left behind.
    const behaviour = isolation === 'worker' ? 'spin' : 'hang';
    const before = (await runner.invoke('second', {})) as { response: { invocations: number } };

    // Act
    const failure = await runner
      .invoke('second', { behaviour, marker: 'stuck-marker' })
      .catch((e) => e);
    const after = (await runner.invoke('second', {})) as { response: { invocations: number } };

    // Assess
    expect(failure).toMatchObject({ kind: 'timeout' });
    expect(restarts.some((line) => line.startsWith('second: timed out'))).toBe(true);
    expect(before.response.invocations).toBeGreaterThan(0);
    expect(after.response.invocations).toBe(1); // a fresh cold start
    // What the stuck handler wrote before it hung is on disk to debug it.
    expect(readFileSync(join(logDir, 'second.log'), 'utf8')).toContain(
      `about to ${behaviour} stuck-marker`,
    );
  });

  it('fails the invocation of a handler that throws outside its promise, then cold-starts it', async () => {
    // Act
    const failure = await runner.invoke('first', { behaviour: 'throw-later' }).catch((e) => e);
    const after = (await runner.invoke('first', {})) as { response: { invocations: number } };

    // Assess: the stack (and this test) kept running
    expect(failure).toMatchObject({ kind: 'error' });
    expect((failure as Error).message).toContain('a stray callback failed');
    expect(after.response.invocations).toBe(1);
    expect(readFileSync(join(logDir, 'first.log'), 'utf8')).toContain('a stray callback failed');
  });

  it('fails invocations of a handler whose cold start failed, naming the error', async () => {
    // Act
    const failure = await runner.invoke('broken', {}).catch((e) => e);

    // Assess
    expect(failure).toMatchObject({ kind: 'error' });
    expect((failure as Error).message).toContain('FIXTURE_REQUIRED');
  });

  it("writes a handler's logs to its own file", async () => {
    // Act
    await runner.invoke('first', { behaviour: 'log', marker: 'log-marker-1' });

    // Assess: written by the worker before it answered, not some time after
    expect(readFileSync(join(logDir, 'first.log'), 'utf8')).toContain('log-marker-1');
    expect(readFileSync(join(logDir, 'second.log'), 'utf8')).not.toContain('log-marker-1');
  });
});

describe('two in-process runners in one process', () => {
  it('give the same handler key its own module instance and environment in each', async () => {
    // Prepare: as two local stacks one after the other in one process would
    const dir = mkdtempSync(join(tmpdir(), 'authwatch-runners-'));
    const runnerFor = (value: string) =>
      new HandlerRunner({
        bundleDir: join(dir, 'bundles'),
        region: 'eu-west-1',
        logs: 'ignore',
        handlers: [{ key: 'echo', entry: fixture('echo'), env: { FIXTURE_VALUE: value } }],
      });
    const first = runnerFor('from the first stack');
    const second = runnerFor('from the second stack');

    // Act
    const a = (await first.invoke('echo', {})) as { response: { loadedWith: string } };
    await first.stop();
    const b = (await second.invoke('echo', {})) as { response: { loadedWith: string } };
    await second.stop();
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(first.isolation).toBe('in-process');
    expect(a.response.loadedWith).toBe('from the first stack');
    expect(b.response.loadedWith).toBe('from the second stack');
  });
});

describe.each([
  { isolation: 'in-process' as const, mode: 'host' },
  { isolation: 'worker' as const, mode: 'inline' },
])('after-response work of kit handlers, $isolation', ({ isolation, mode }) => {
  it(`runs in ${mode} mode, and settled() waits for it`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authwatch-after-'));
    const runner = new HandlerRunner({
      isolation,
      bundleDir: join(dir, 'bundles'),
      region: 'eu-west-1',
      logDir: dir,
      handlers: [{ key: 'deferred', entry: fixture('deferred'), env: {} }],
    });
    try {
      const gate = join(dir, 'gate');
      const event = getTestEvent<{ request: Record<string, unknown> }>('post-auth/authentication');
      const logged = () => readFileSync(join(dir, 'deferred.log'), 'utf8');
      if (mode === 'inline') writeFileSync(gate, '');
      await runner.invoke('deferred', {
        ...event,
        request: { ...event.request, clientMetadata: { gate } },
      });
      if (mode === 'host') {
        // The stack has its answer while the work still waits for the gate.
        expect(logged()).not.toContain('after-response work done');
        writeFileSync(gate, '');
      }
      await runner.settled();
      expect(logged()).toContain(`"message":"after-response work done","mode":"${mode}"`);
    } finally {
      await runner.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
