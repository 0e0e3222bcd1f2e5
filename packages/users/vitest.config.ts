import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The end-to-end tests start a local stack (bundling the handlers the first time).
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
