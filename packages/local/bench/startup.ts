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
import { mkdtempSync, rmSync } from 'node:fs';
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

async function freeBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all([0, 1, 2, 3, 4].map((offset) => portFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
}

const sleep = (time: number) => new Promise((resolve) => setTimeout(resolve, time));

async function once(way: Way, stateDir: string): Promise<{ ready: number; signIn: number }> {
  const base = await freeBase();
  const endpoint = `http://127.0.0.1:${base}`;
  const started = performance.now();
  // Its own process group, so that pnpm and the stack below it are stopped together.
  const child = spawn(
    way.command,
    [...way.args, '--port', String(base), '--state-dir', stateDir, '--quiet'],
    { stdio: 'ignore', cwd: repoRoot, detached: true },
  );
  try {
    let ready = 0;
    while (ready === 0) {
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
    let outputs: { userPoolClientId: string } | undefined;
    while (!outputs) {
      outputs = await readFile(join(stateDir, 'outputs.json'), 'utf8')
        .then((text) => JSON.parse(text) as { userPoolClientId: string; endpoint: string })
        .then((value) => (value.endpoint === endpoint ? value : undefined))
        .catch(() => undefined);
      if (!outputs) await sleep(5);
    }
    for (;;) {
      const answer = await fetch(`${endpoint}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
        },
        body: JSON.stringify({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: outputs.userPoolClientId,
          AuthParameters: { USERNAME: 'demo@example.com', PASSWORD: 'Demo-Passw0rd!' },
        }),
      });
      if (answer.status === 200) break;
      await sleep(5);
    }
    return { ready, signIn: performance.now() - started };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
    await exited;
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
