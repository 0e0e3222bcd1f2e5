import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
