/**
 * The audit commands as a new user runs them against `pnpm start`: `authwatch-watch`
 * with no flags finds the stack's `.local/outputs.json` (from a folder below it too) and
 * prints its sign-ins without any AWS credentials or region in the environment;
 * `--region` is honoured for a named API; `authwatch-replay` with no stream replays into
 * the local stack's stream, says why a put failed on stderr, and a missing file is a
 * message, not a stack trace.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatFallbackLine } from '@authwatch/audit';
import { replayMain, startWatch } from '@authwatch/audit/cli';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER, type LocalStack, startLocalStack } from '../../src/stack.js';
import { idsOf, someEvents } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'authwatch-commands-'));
const below = join(root, 'work', 'somewhere');
mkdirSync(below, { recursive: true });
let stack: LocalStack;

beforeAll(async () => {
  // The stack's state folder is `<root>/.local`, as `pnpm start` makes it at the repo root.
  stack = await startLocalStack({ port: 0, stateDir: join(root, '.local'), quiet: true });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + 20_000;
  while (Date.now() < giveUpAt) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('authwatch-watch with no flags', () => {
  it('watches the local stack of .local/outputs.json with no AWS credentials or region', async () => {
    const out: string[] = [];
    const err: string[] = [];
    // Nothing of AWS in the environment: no keys, no region, no endpoint.
    const watch = startWatch([], {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      env: {},
      cwd: below,
    });
    try {
      await watch.ready;
      expect(err.join('')).toContain(
        `on local-events (the local stack of ${join(root, '.local', 'outputs.json')})`,
      );
      const cognito = new CognitoIdentityProviderClient({
        endpoint: stack.outputs.endpoint,
        region: stack.outputs.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      await cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: stack.outputs.passwordClientId,
          AuthParameters: { USERNAME: DEMO_USER.email, PASSWORD: DEMO_USER.password },
        }),
      );
      cognito.destroy();
      await stack.settle();
      await until(() => out.some((line) => line.includes('SUCCESS')), 'the sign-in on the feed');
      expect(out.join('')).toMatch(/SUCCESS .*user=demo@example\.com|SUCCESS .*user=[0-9a-f-]{36}/);
    } finally {
      watch.stop();
    }
    expect(await watch.done).toBe(0);
  });

  it('says how to start the stack when there is no outputs.json', async () => {
    const err: string[] = [];
    const watch = startWatch([], {
      stdout: () => undefined,
      stderr: (text) => err.push(text),
      env: {},
      cwd: tmpdir(),
    });
    expect(await watch.done).toBe(2);
    expect(err.join('')).toContain('Start the local stack (pnpm start)');
  });

  it('honours --region for a named API and needs no credentials for its local endpoint', async () => {
    const err: string[] = [];
    const watch = startWatch(['local-events', '--region', 'eu-central-1', '--api-key', 'da2-x'], {
      stdout: () => undefined,
      stderr: (text) => err.push(text),
      env: { AWS_ENDPOINT_URL_APPSYNC: stack.outputs.liveFeedHttpUrl },
      cwd: tmpdir(),
    });
    await watch.ready;
    watch.stop();
    expect(await watch.done).toBe(0);
    const missing = startWatch(['no-such-api', '--region', 'eu-central-1', '--api-key', 'da2-x'], {
      stdout: () => undefined,
      stderr: (text) => err.push(text),
      env: { AWS_ENDPOINT_URL_APPSYNC: stack.outputs.liveFeedHttpUrl },
      cwd: tmpdir(),
    });
    expect(await missing.done).toBe(1);
    expect(err.join('')).toContain('API no-such-api in eu-central-1:');
  });
});

describe('authwatch-replay', () => {
  it('replays into the local stack’s stream when no stream is given', async () => {
    const events = someEvents(3);
    const file = join(below, 'fallback.log');
    await writeFile(file, events.map((event) => formatFallbackLine(event, 'x')).join(''));
    const err: string[] = [];
    const code = await replayMain(['fallback.log'], {
      stdout: () => undefined,
      stderr: (text) => err.push(text),
      env: {},
      cwd: below,
    });
    expect(err.join('')).toContain('sent 3, failed 0 to authwatch-audit-local');
    expect(code).toBe(0);
    await stack.firehose.flush();
    const { readdir, readFile } = await import('node:fs/promises');
    const records: unknown[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else
          for (const line of (await readFile(path, 'utf8')).split('\n'))
            if (line.trim()) records.push(JSON.parse(line));
      }
    };
    await walk(stack.outputs.auditDir);
    const delivered = idsOf(records);
    for (const event of events) expect(delivered).toContain(event.metadata.uid);
  });

  it('names a missing file and exits 2, with no stack trace', async () => {
    const err: string[] = [];
    const code = await replayMain(['missing.log', '--stream', 's'], {
      stdout: () => undefined,
      stderr: (text) => err.push(text),
      env: {},
      cwd: below,
    });
    expect(code).toBe(2);
    expect(err.join('')).toBe(`cannot read ${join(below, 'missing.log')}: no such file\n`);
  });

  it('says on stderr why the puts failed', async () => {
    const file = join(below, 'one.log');
    await writeFile(file, formatFallbackLine(someEvents(1)[0] as never, 'x'));
    const err: string[] = [];
    const out: string[] = [];
    const outputs = join(root, '.local', 'outputs.json');
    const args = ['one.log', '--stream', 'no-such-stream', '--outputs', outputs, '--timeout', '2'];
    const code = await replayMain(args, {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      env: {},
      cwd: below,
    });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/failed: .*no-such-stream|failed: .*ResourceNotFound/);
    expect(out).toHaveLength(1);
  });
});
