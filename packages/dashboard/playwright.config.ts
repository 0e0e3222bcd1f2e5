/**
 * Browser tests of the page, in Debian's headless Chromium (`CHROMIUM_PATH`, default
 * /usr/bin/chromium-headless-shell), against a real local stack that
 * tests/browser/run.ts starts and hands over in E2E_STACK. Run with `pnpm test:browser`.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/browser',
  testMatch: '*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: true,
  reporter: [['list']],
  outputDir: 'node_modules/.cache/playwright-results',
  use: {
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell',
    },
    trace: 'off',
  },
});
