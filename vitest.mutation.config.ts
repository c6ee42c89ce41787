import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (`npm run test:mutation`): the unit tests beside the
 * mutated modules, without the type tests (which a mutant cannot change) and without the slow
 * end-to-end suites of conformance/, examples/ and scripts/.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
