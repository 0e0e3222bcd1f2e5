/**
 * The running-stack lock: one stack per state folder. A second start, or a `--reset`
 * that would wipe a running stack's users and audit objects, is refused naming the
 * running stack's pid and endpoint; a lock left by a process that has gone is taken over.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  acquireStackLock,
  LocalStackStartError,
  lockPath,
  processAlive,
  readStackLock,
  StackRunningError,
} from '../../src/lock.js';
import { watchParent } from '../../src/parent-watch.js';
import { type LocalStack, startLocalStack } from '../../src/stack.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'authwatch-lock-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A pid that no longer runs: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid as number;
  await new Promise((resolve) => child.once('exit', resolve));
  return pid;
}

describe('acquireStackLock', () => {
  it('writes the pid, then the ports and endpoint, and removes the file on release', async () => {
    const dir = tempDir();
    const lock = await acquireStackLock(dir, 'start', () => 1_000);
    expect(await readStackLock(dir)).toEqual({ pid: process.pid, startedAt: 1_000 });
    await lock.update({ endpoint: 'http://127.0.0.1:4580', ports: { cognito: 4580 } });
    expect(await readStackLock(dir)).toMatchObject({
      endpoint: 'http://127.0.0.1:4580',
      ports: { cognito: 4580 },
    });
    await lock.release();
    expect(existsSync(lockPath(dir))).toBe(false);
  });

  it('refuses a second holder while the first one’s process lives and serves, naming it', async () => {
    const dir = tempDir();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const first = await acquireStackLock(dir);
    await first.update({ endpoint });
    const error = await acquireStackLock(dir, 'reset').catch((caught: unknown) => caught);
    server.close();
    expect(error).toBeInstanceOf(StackRunningError);
    expect((error as Error).message).toBe(
      `A local stack is already running on ${dir} (pid ${process.pid}, Cognito on ${endpoint}); ` +
        'refusing to wipe its state. Stop it first (Ctrl-C in its terminal, or kill ' +
        `${process.pid}), or start another one with its own --state-dir and --port.`,
    );
    await first.release();
  });

  it('takes over a lock whose pid lives but whose endpoint nothing serves (a reused pid)', async () => {
    const dir = tempDir();
    await writeFile(
      lockPath(dir),
      JSON.stringify({ pid: process.pid, startedAt: 1, endpoint: 'http://127.0.0.1:9' }),
    );
    const lock = await acquireStackLock(dir);
    expect((await readStackLock(dir))?.startedAt).not.toBe(1);
    await lock.release();
  });

  it('takes over a lock whose process has gone, and one that is not JSON', async () => {
    const dir = tempDir();
    const pid = await deadPid();
    expect(processAlive(pid)).toBe(false);
    await writeFile(lockPath(dir), JSON.stringify({ pid, startedAt: 1 }));
    const lock = await acquireStackLock(dir);
    expect((await readStackLock(dir))?.pid).toBe(process.pid);
    await lock.release();
    await writeFile(lockPath(dir), '{"pid":');
    const again = await acquireStackLock(dir);
    expect((await readStackLock(dir))?.pid).toBe(process.pid);
    await again.release();
  });
});

describe('a stack running on a state folder', () => {
  let stateDir: string;
  let stack: LocalStack;

  beforeAll(async () => {
    stateDir = tempDir();
    stack = await startLocalStack({ port: 0, stateDir, quiet: true, background: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('records its pid and ports in the lock', async () => {
    const lock = await readStackLock(stateDir);
    expect(lock?.pid).toBe(process.pid);
    expect(lock?.endpoint).toBe(stack.outputs.endpoint);
    expect(lock?.ports?.cognito).toBe(Number(new URL(stack.outputs.endpoint).port));
  });

  it('refuses a reset, and keeps its users, state and endpoint', async () => {
    const before = await readFile(join(stateDir, 'cognito.json'), 'utf8');
    const error = await startLocalStack({ port: 0, stateDir, quiet: true, reset: true }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StackRunningError);
    expect((error as Error).message).toContain('refusing to wipe its state');
    expect(await readFile(join(stateDir, 'cognito.json'), 'utf8')).toBe(before);
    expect(existsSync(join(stateDir, 'secrets.json'))).toBe(true);
    const client = new CognitoIdentityProviderClient({
      endpoint: stack.outputs.endpoint,
      region: stack.outputs.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const pool = await client.send(
      new DescribeUserPoolCommand({ UserPoolId: stack.outputs.userPoolId }),
    );
    client.destroy();
    expect(pool.UserPool?.Id).toBe(stack.outputs.userPoolId);
  });

  it('refuses a second start on the same folder', async () => {
    await expect(startLocalStack({ port: 0, stateDir, quiet: true })).rejects.toThrow(
      /not starting a second one on it/,
    );
  });

  it('makes a port in use a message naming the port and the --port option', async () => {
    const port = Number(new URL(stack.outputs.endpoint).port);
    const error = await startLocalStack({ port, stateDir: tempDir(), quiet: true }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(LocalStackStartError);
    expect((error as Error).message).toMatch(new RegExp(`Port ${port} is already in use.*--port`));
  });
});

describe('watchParent', () => {
  it('calls back once when the parent pid changes, not before', () => {
    vi.useFakeTimers();
    try {
      let parent = 100;
      const gone = vi.fn();
      watchParent(gone, { intervalMs: 250, parentPid: () => parent });
      vi.advanceTimersByTime(1_000);
      expect(gone).not.toHaveBeenCalled();
      parent = 1;
      vi.advanceTimersByTime(250);
      vi.advanceTimersByTime(1_000);
      expect(gone).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
