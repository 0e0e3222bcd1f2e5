import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/quiet.ts'],
    // The package's tests land with its code; until then an empty suite must not fail CI.
    passWithNoTests: true,
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
