/**
 * Time from `pnpm start` to the first request the Cognito endpoint accepts (every
 * server, the SES emulator included, is listening by then), and to the first full
 * sign-in (which needs the handlers loaded), over a few runs: once for what the root
 * script runs (`node packages/local/bin/start.mjs`) and once for `pnpm start` itself
 * when pnpm is on the PATH (pnpm's own start-up on top). The first run may rebuild the
 * bundles (cached afterwards); it is reported apart.
 *
 * Target: ready in ≤ 1.5 s including the SES emulator.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ms, summary } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const launcher = fileURLToPath(new URL('../bin/start.mjs', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** How the stack is started: the command and its arguments before the stack's options. */
interface Way {
  label: string;
  command: string;
  args: string[];
}

const WAYS: Way[] = [
  { label: 'node packages/local/bin/start.mjs', command: process.execPath, args: [launcher] },
];
if (spawnSync('pnpm', ['--version'], { stdio: 'ignore' }).status === 0) {
  WAYS.push({ label: 'pnpm start', command: 'pnpm', args: ['start'] });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Five free ports in a row for the stack, below the kernel's range of ephemeral ports:
 * the benchmark's own requests take ports from that range, and one of them could take a
 * port the stack is about to listen on (it did: EADDRINUSE).
 */
async function freeBase(): Promise<number> {
  let low = 32_768; // Linux's default; macOS and Windows start higher
  try {
    const [first] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (first !== undefined && Number.isFinite(first) && first > 20_100) low = Math.min(low, first);
  } catch {
    // No /proc: keep the default.
  }
  const ceiling = low - 5;
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * (ceiling - 20_000));
    const free = await Promise.all([0, 1, 2, 3, 4].map((offset) => portFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
}

const sleep = (time: number) => new Promise((resolve) => setTimeout(resolve, time));

/** Longest a start may take before the benchmark gives up on it (a stuck start is a failure). */
const START_LIMIT_MS = 60_000;

async function once(way: Way, stateDir: string): Promise<{ ready: number; signIn: number }> {
  const base = await freeBase();
  const endpoint = `http://127.0.0.1:${base}`;
  const started = performance.now();
  // Its own process group, so that pnpm and the stack below it are stopped together.
  const child = spawn(
    way.command,
    [...way.args, '--port', String(base), '--state-dir', stateDir, '--quiet'],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: repoRoot, detached: true },
  );
  // Listened to from the start: a stack that stops early fails the run with its reason
  // instead of leaving the benchmark waiting for an endpoint that will never answer.
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000);
  });
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ?? `exit code ${code}`;
      resolve();
    });
  });
  const check = (waitingFor: string) => {
    if (exit !== undefined) {
      throw new Error(`${way.label} stopped (${exit}) before ${waitingFor}: ${stderr.trim()}`);
    }
    if (performance.now() - started > START_LIMIT_MS) {
      throw new Error(`${way.label}: no ${waitingFor} within ${START_LIMIT_MS / 1000} s`);
    }
  };
  try {
    let ready = 0;
    while (ready === 0) {
      check('accepting requests');
      const answer = await fetch(`${endpoint}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools',
        },
        body: JSON.stringify({ MaxResults: 1 }),
      }).catch(() => undefined);
      if (answer?.status === 200) ready = performance.now() - started;
      else await sleep(5);
    }
    let outputs: { passwordClientId: string } | undefined;
    while (!outputs) {
      check('writing outputs.json');
      outputs = await readFile(join(stateDir, 'outputs.json'), 'utf8')
        .then((text) => JSON.parse(text) as { passwordClientId: string; endpoint: string })
        .then((value) => (value.endpoint === endpoint ? value : undefined))
        .catch(() => undefined);
      if (!outputs) await sleep(5);
    }
    for (;;) {
      check('a full sign-in');
      const answer = await fetch(`${endpoint}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
        },
        body: JSON.stringify({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: outputs.passwordClientId,
          AuthParameters: { USERNAME: 'demo@example.com', PASSWORD: 'Demo-Passw0rd!' },
        }),
      });
      if (answer.status === 200) break;
      await sleep(5);
    }
    return { ready, signIn: performance.now() - started };
  } finally {
    if (exit === undefined && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGINT');
      // A stack that does not stop on Ctrl-C within 10 s is killed, not waited for.
      const timer = setTimeout(() => {
        if (exit === undefined && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

const stateDir = mkdtempSync(join(tmpdir(), 'authwatch-startup-'));
try {
  for (const way of WAYS) {
    const first = await once(way, stateDir);
    console.log(
      `${way.label}, first run (may build bundles): accepting requests after ${ms(first.ready)}, ` +
        `first full sign-in after ${ms(first.signIn)}`,
    );
    const ready: number[] = [];
    const signIn: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const result = await once(way, stateDir);
      ready.push(result.ready);
      signIn.push(result.signIn);
    }
    const r = summary(ready);
    const s = summary(signIn);
    console.log(
      `${way.label} → first accepted request (Cognito, SES, Firehose, live feed, API up): ` +
        `median ${ms(r.p50)}, max ${ms(Math.max(...ready))} over ${RUNS} runs — target ≤ 1.5 s`,
    );
    console.log(
      `${way.label} → first full sign-in (handlers loaded, triggers run): ` +
        `median ${ms(s.p50)}, max ${ms(Math.max(...signIn))}`,
    );
  }
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}
