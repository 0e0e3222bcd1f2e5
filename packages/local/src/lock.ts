/**
 * The running-stack lock: `<state-dir>/stack.lock` holds the pid and ports of the stack
 * that uses a state folder. A second start on the same folder (or a `--reset`, which
 * would wipe the running stack's users, audit objects and logs under it) is refused
 * with a message that says how to stop the running one or start another elsewhere. A
 * lock whose process has gone (a crash, `kill -9`) is stale and taken over.
 */
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

/** What the lock file holds. */
export interface StackLockInfo {
  pid: number;
  /** Epoch ms the stack started. */
  startedAt: number;
  /** The ports it listens on, once known (the lock is taken before it listens). */
  ports?: Partial<Record<'cognito' | 'api' | 'ses' | 'firehose' | 'liveFeed', number>>;
  /** Its Cognito endpoint, once it listens. */
  endpoint?: string;
}

/** Where the lock of a state folder lives. */
export function lockPath(stateDir: string): string {
  return join(stateDir, 'stack.lock');
}

/**
 * A problem starting the stack that a user can fix: its message names the problem and
 * the next step, and the CLI prints it without a stack trace.
 */
export class LocalStackStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStackStartError';
  }
}

/** Another stack holds the state folder. */
export class StackRunningError extends LocalStackStartError {
  readonly running: StackLockInfo;
  constructor(stateDir: string, running: StackLockInfo, doing: 'start' | 'reset') {
    const where = running.endpoint ? `, Cognito on ${running.endpoint}` : '';
    super(
      `A local stack is already running on ${stateDir} (pid ${running.pid}${where}); ` +
        `${doing === 'reset' ? 'refusing to wipe its state' : 'not starting a second one on it'}. ` +
        `Stop it first (Ctrl-C in its terminal, or kill ${running.pid}), ` +
        'or start another one with its own --state-dir and --port.',
    );
    this.name = 'StackRunningError';
    this.running = running;
  }
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something accepts connections at a URL's host and port (within 1 s). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    const socket = connect(Number(target.port), target.hostname);
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether the lock's stack still runs: its process lives and, once it listens, its
 * endpoint answers (after a crash the pid may belong to another program).
 */
async function holderRuns(lock: StackLockInfo): Promise<boolean> {
  if (!processAlive(lock.pid)) return false;
  return lock.endpoint === undefined || (await answers(lock.endpoint));
}

/** Reads a lock file; undefined when there is none or it is not one (a torn write). */
export async function readStackLock(stateDir: string): Promise<StackLockInfo | undefined> {
  let text: string;
  try {
    text = await readFile(lockPath(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<StackLockInfo> | null;
    if (typeof value?.pid !== 'number') return undefined;
    return value as StackLockInfo;
  } catch {
    return undefined;
  }
}

/** The lock of the stack running on `stateDir`, if its process is alive. */
export async function runningStack(stateDir: string): Promise<StackLockInfo | undefined> {
  const lock = await readStackLock(stateDir);
  return lock && (await holderRuns(lock)) ? lock : undefined;
}

export interface StackLock {
  /** Adds the ports and endpoint once the servers listen. */
  update(fields: Pick<StackLockInfo, 'ports' | 'endpoint'>): Promise<void>;
  release(): Promise<void>;
}

/**
 * Takes the lock of `stateDir` (which must exist) for this process, or throws
 * {@link StackRunningError} naming the stack that holds it.
 */
export async function acquireStackLock(
  stateDir: string,
  doing: 'start' | 'reset' = 'start',
  now: () => number = Date.now,
): Promise<StackLock> {
  const file = lockPath(stateDir);
  let info: StackLockInfo = { pid: process.pid, startedAt: now() };
  for (let attempt = 0; ; attempt += 1) {
    try {
      // `wx`: created by this call or not at all, so two starts cannot both win.
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify(info)}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
    }
    const held = await readStackLock(stateDir);
    if (held && (await holderRuns(held))) throw new StackRunningError(stateDir, held, doing);
    // Stale (its process has gone, or its pid is another program's now) or unreadable:
    // take it over.
    await rm(file, { force: true });
  }
  let released = false;
  return {
    async update(fields) {
      if (released) return;
      info = { ...info, ...fields };
      // Write-then-rename: a second start never reads half a lock (and takes it over).
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(info)}\n`, { mode: 0o600 });
      await rename(temp, file);
    },
    async release() {
      if (released) return;
      released = true;
      // Only our own lock: a reset by a later stack may have replaced the file.
      const held = await readStackLock(stateDir);
      if (held?.pid === process.pid && held.startedAt === info.startedAt) {
        await rm(file, { force: true });
      }
    },
  };
}

/** A port another process listens on: say which, and what to do. */
export function portInUseError(
  port: number,
  stateDir: string,
  cause: unknown,
): LocalStackStartError {
  return new LocalStackStartError(
    `Port ${port} is already in use (another local stack, on another state folder than ${stateDir}, or another program). ` +
      'Stop it, or start on other ports: --port <n> (five ports from n) or --port 0 (free ones).',
    { cause },
  );
}
