import { defineConfig } from 'vitest/config';

/** One vitest run covers functions/, infra/ and web/; the summary reporter prints the CI's closing line. */
export const config = defineConfig({
  test: {
    include: ['functions/test/**/*.test.ts', 'infra/test/**/*.test.ts', 'web/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ORRERY_LOG_LEVEL: 'silent' },
    // Logging and metrics follow the configuration an entry hands them; code tested without one stays quiet too.
    setupFiles: ['./functions/test/support/quiet-observability.ts'],
    // Every scratch file of the run lives under one directory that goes when the run ends.
    globalSetup: ['./scripts/test/scratch-tmpdir.ts'],
    reporters: ['default', './scripts/test/summary-reporter.ts'],
  },
});

// vitest loads the config through its default export; this is the one place the house rule bends.
export default config;
