import { defineConfig } from 'vitest/config';

/** One vitest run covers functions/, infra/ and web/; the summary reporter prints the CI's closing line. */
export const config = defineConfig({
  test: {
    include: ['functions/test/**/*.test.ts', 'infra/test/**/*.test.ts', 'web/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './scripts/test/summary-reporter.ts'],
  },
});

// vitest loads the config through its default export; this is the one place the house rule bends.
export default config;
