/**
 * `pnpm start` as a new user runs it, then stopped as a process manager or a terminal
 * would: a second `pnpm start -- --reset` on the same state folder is refused with a
 * message and no stack trace, and a SIGTERM to the pnpm process (which pnpm does not
 * pass on to the script) stops the stack's node process too: nothing is left serving.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive, readStackLock, type StackLockInfo } from '../../src/lock.js';
import { REPO_ROOT } from '../../src/paths.js';

const stateDir = mkdtempSync(join(tmpdir(), 'authwatch-signals-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('pnpm start and its signals', () => {
  it('refuses a second start with --reset without a stack trace, and stops the whole tree on SIGTERM to pnpm', async () => {
    const pnpm = spawn('pnpm', ['start', '--', '--port', '0', '--state-dir', stateDir, '--quiet'], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
    let lock: StackLockInfo | undefined;
    try {
      lock = await until('the running stack', async () => {
        const held = await readStackLock(stateDir);
        return held?.endpoint ? held : undefined;
      });
      expect(lock.pid).not.toBe(pnpm.pid);

      const second = spawnSync(
        process.execPath,
        [join(REPO_ROOT, 'packages/local/bin/start.mjs'), '--state-dir', stateDir, '--reset'],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`already running on ${stateDir} (pid ${lock.pid}`);
      expect(second.stderr).toContain('refusing to wipe its state');
      expect(second.stderr).not.toMatch(/^\s+at /m);
      expect((await fetch(`${lock.endpoint}/`, { method: 'POST' })).status).toBeGreaterThan(0);

      pnpm.kill('SIGTERM');
      const stackPid = lock.pid;
      await until('the stack process to end', async () =>
        processAlive(stackPid) ? undefined : true,
      );
      const refused = await fetch(`${lock.endpoint}/`, { method: 'POST' }).then(
        () => false,
        () => true,
      );
      expect(refused).toBe(true);
      // Stopped cleanly: its lock is released.
      expect(await readStackLock(stateDir)).toBeUndefined();
    } finally {
      if (pnpm.exitCode === null) pnpm.kill('SIGKILL');
      if (lock && processAlive(lock.pid)) process.kill(lock.pid, 'SIGKILL');
    }
  }, 240_000);
});
