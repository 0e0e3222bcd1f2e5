import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Property tests run hundreds of random rules files; on a busy CI machine one can take
    // longer than vitest's default 5 s without anything being wrong.
    testTimeout: 60_000,
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
