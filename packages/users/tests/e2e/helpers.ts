/** A local stack started for a test, and the CLI run against it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '@authwatch/local';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { main } from '../../src/cli.js';

export interface TestStack {
  stack: LocalStack;
  stateDir: string;
  /** A folder for the test's files (the stack's reset empties its state folder). */
  workDir: string;
  client: CognitoIdentityProviderClient;
  /** Stops the stack and starts it again on an empty state (a new pool). */
  reset(): Promise<void>;
  cleanup(): Promise<void>;
}

function clientOf(stack: LocalStack) {
  return new CognitoIdentityProviderClient({
    endpoint: stack.outputs.endpoint,
    region: stack.outputs.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export async function startTestStack(): Promise<TestStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'authwatch-users-e2e-'));
  const workDir = mkdtempSync(join(tmpdir(), 'authwatch-users-files-'));
  const start = (reset: boolean) => startLocalStack({ port: 0, stateDir, quiet: true, reset });
  const handle: TestStack = {
    stack: await start(false),
    stateDir,
    workDir,
    client: undefined as unknown as CognitoIdentityProviderClient,
    async reset() {
      await handle.stack.stop();
      handle.stack = await start(true);
      handle.client = clientOf(handle.stack);
    },
    async cleanup() {
      await handle.stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(workDir, { recursive: true, force: true });
    },
  };
  handle.client = clientOf(handle.stack);
  return handle;
}

/** Runs `authwatch-users` on the test stack; resolves with exit code and output. */
export async function users(test: TestStack, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['--outputs', test.stack.outputsFile, '-q', ...argv], {
    out: (text) => out.push(text),
    err: (text) => err.push(text.replace(/\n$/, '')),
    tty: false,
  });
  return { code, out: out.join('\n'), err };
}
