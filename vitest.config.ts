import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'conformance/**/*.test.ts',
      'scripts/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    // The type tests (*.test-d.ts) are compiled by `npm run typecheck` (tsconfig.json includes
    // them): an expectTypeOf that does not hold is a compile error there, so vitest's own
    // typecheck mode, experimental and noisy, would only check them twice.
    testTimeout: 20_000,
  },
});
