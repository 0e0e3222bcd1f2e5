import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    // beforeAll synthesises a stack whose functions are bundled by esbuild: slow on a busy machine.
    hookTimeout: 300_000,
    env: { CDK_VALIDATION: 'false' },
  },
});
