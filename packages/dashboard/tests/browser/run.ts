/**
 * `pnpm test:browser`: starts a local stack with demo history, runs the Playwright tests
 * against it in Debian's headless Chromium, and stops the stack. Without the browser, a
 * developer gets one line saying how to install it; under CI=true that fails the run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '@authwatch/local';
import { demoAdminChanges, demoFinding, writeDemoHistory } from '../support/demo-data.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell';

if (!existsSync(executablePath)) {
  const line = `browser tests not run: no Chromium at ${executablePath}; install it with "sudo apt-get update && sudo apt-get install -y chromium-headless-shell" (or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') {
    process.stderr.write(`${line}\n`);
    process.exit(1);
  }
  process.stdout.write(`${line}\n`);
  process.exit(0);
}

const stateDir = await mkdtemp(join(tmpdir(), 'dashboard-e2e-'));
const stack = await startLocalStack({ port: 0, stateDir, quiet: true, handlerLogs: 'ignore' });
let code = 1;
try {
  const now = Date.now();
  await writeDemoHistory(
    {
      auditDir: stack.outputs.auditDir,
      userPoolId: stack.outputs.userPoolId,
      clientIds: [stack.outputs.userPoolClientId, '4demo0mobile0client0abcdef'],
      events: 1_500,
      spanMs: 55 * 60_000,
      now,
    },
    [demoFinding(now), ...(demoAdminChanges(now) as unknown as Record<string, unknown>[])],
  );
  const cli = join(
    dirname(createRequire(import.meta.url).resolve('@playwright/test/package.json')),
    'cli.js',
  );
  code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [cli, 'test', ...process.argv.slice(2)], {
      cwd: PACKAGE_DIR,
      stdio: 'inherit',
      env: {
        ...process.env,
        CHROMIUM_PATH: executablePath,
        E2E_STACK: JSON.stringify({ outputs: stack.outputs, stateDir }),
      },
    });
    child.on('exit', (exitCode) => resolve(exitCode ?? 1));
  });
} finally {
  await stack.stop();
  await rm(stateDir, { recursive: true, force: true });
}
process.exit(code);
