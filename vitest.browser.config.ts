// vitest.browser.config.ts — the browser tests (test/browser/): Node-side
// vitest files that start their own static server on 127.0.0.1 and drive
// Debian's chromium through playwright-core. They skip, with a message, when no
// chromium binary is found. Run: `npx vitest run -c vitest.browser.config.ts`
// (after `npm run build`: they load dist/ and build the demo with Vite).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // one browser at a time: the suites are CPU-bound and timed by virtual time, not wall time
    fileParallelism: false,
  },
});
