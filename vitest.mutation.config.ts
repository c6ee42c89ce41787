import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (`npm run test:mutation`): the unit tests beside the
 * mutated modules, without the type tests (which a mutant cannot change) and without the slow
 * end-to-end suites of conformance/, examples/ and scripts/, and without the Postgres inbox's
 * tests (a real database, a minute of multi-process runs; the inbox is not a mutated module).
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'src/postgres/**'],
    testTimeout: 20_000,
  },
});
