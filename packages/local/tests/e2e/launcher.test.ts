/**
 * `pnpm start` as a new user runs it (`node packages/local/bin/start.mjs`), twice on one
 * state folder: the first run, with the stack's bundle cache cleared, bundles it (the
 * tsx path); the second runs the cached bundle straight away with the SES emulator's
 * thread started early.
 * Each run must answer a sign-in through the real SDK, serve the mailbox, and stop
 * cleanly on Ctrl-C (SIGINT) with exit code 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN_BUNDLE_DIR } from '../../src/launcher.js';
import type { LocalOutputs } from '../../src/outputs.js';
import { DEMO_USER } from '../../src/stack.js';

const LAUNCHER = fileURLToPath(new URL('../../bin/start.mjs', import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), 'authwatch-launcher-'));

afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

/** Waits for the stack's outputs (each run starts without the file). */
async function outputsOf(child: ChildProcess): Promise<LocalOutputs> {
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the stack exited with ${child.exitCode}`);
    // Written whole (write, then rename) once every server listens.
    const text = await readFile(join(stateDir, 'outputs.json'), 'utf8').catch(() => '');
    if (text !== '') return JSON.parse(text) as LocalOutputs;
    if (Date.now() > until) throw new Error('no outputs.json within a minute');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runOnce(): Promise<{ signedIn: boolean; mailbox: number; exitCode: number }> {
  rmSync(join(stateDir, 'outputs.json'), { force: true });
  const child = spawn(
    process.execPath,
    [LAUNCHER, '--port', '0', '--state-dir', stateDir, '--quiet'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code) => resolve(code ?? -1)),
  );
  try {
    const outputs = await outputsOf(child);
    const client = new CognitoIdentityProviderClient({
      endpoint: outputs.endpoint,
      region: outputs.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const result = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: outputs.passwordClientId,
        AuthParameters: { USERNAME: DEMO_USER.email, PASSWORD: DEMO_USER.password },
      }),
    );
    client.destroy();
    const mailbox = await fetch(`${outputs.sesEndpoint}/store`);
    child.kill('SIGINT');
    return {
      signedIn: typeof result.AuthenticationResult?.AccessToken === 'string',
      mailbox: mailbox.status,
      exitCode: await exited,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('pnpm start (bin/start.mjs)', () => {
  it('runs, signs in, serves the mailbox and stops cleanly, cold and then from its cache', async () => {
    // Prepare: no cached bundle of the stack
    rmSync(MAIN_BUNDLE_DIR, { recursive: true, force: true });

    // Act
    const first = await runOnce();
    const second = await runOnce();

    // Assess
    expect(first).toEqual({ signedIn: true, mailbox: 200, exitCode: 0 });
    expect(second).toEqual({ signedIn: true, mailbox: 200, exitCode: 0 });
  }, 120_000);
});
