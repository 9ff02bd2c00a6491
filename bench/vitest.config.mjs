import { defineConfig } from 'vitest/config';

// The bench harness's tests, kept out of `npm test` (they start processes and need dist/):
// npx vitest run --config bench/vitest.config.mjs
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['bench/*.spec.mjs'],
    testTimeout: 60_000,
    // The project's reporter, for its closing 'N passed, N failed' line.
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
