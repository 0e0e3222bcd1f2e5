import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // A quiet passing run: the warnings and errors of expected failure paths stay unprinted.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    // Some tests start HTTP servers and the real SDK client; a busy CI machine is slow.
    testTimeout: 60_000,
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
