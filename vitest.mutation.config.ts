import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (`npm run test:mutation`): the unit tests beside the
 * mutated modules, without the type tests (which a mutant cannot change) and without the slow
 * end-to-end suites of conformance/, examples/ and scripts/, and without the Postgres inbox's
 * tests (a real database, a minute of multi-process runs; the inbox is not a mutated module), and
 * without the browser tests.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // The browser tests drive Chromium through the mock's page: seconds per run, and what they
    // check (the page) is no mutated module's work.
    exclude: [...configDefaults.exclude, 'src/postgres/**', 'src/**/*.browser.test.ts'],
    testTimeout: 20_000,
  },
});
