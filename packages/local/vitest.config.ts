import { defineConfig } from 'vitest/config';

/**
 * One config for every test of the package: the Cognito emulator's (tests/cognito),
 * the audit fakes' (tests/audit), the trigger runner's (tests/triggers), the SES
 * emulator's (tests/ses), the stack's own files (tests/stack) and the end-to-end tests
 * (tests/e2e), which each start a whole stack with its seven handlers. Two files at a
 * time: the machine has two cores.
 */
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts'] },
    fileParallelism: true,
    maxWorkers: 2,
    // A stack's start (bundling on a cold cache, loading the handlers) can take a while
    // on a loaded machine; its tests themselves are fast.
    hookTimeout: 180_000,
    testTimeout: 30_000,
    teardownTimeout: 30_000,
  },
});
