import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:fast`, the inner loop: the unit tests beside the code, without what starts a
 * database, runs a whole conformance suite, spawns the CLI or a copy of the project, or
 * type-checks the docs. `npm test` runs all of it; run it before you push.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        ...configDefaults.exclude,
        // A real PostgreSQL.
        'src/postgres/**',
        'examples/postgres-inbox.test.ts',
        'scripts/dev-postgres.test.ts',
        // Whole conformance runs, Prism, and the receiver suite against servers.
        'conformance/run/run.test.ts',
        'conformance/run/secrets.test.ts',
        'conformance/cli/**',
        'conformance/receiver/**',
        'conformance/prism/**',
        'conformance/profiles/rules.test.ts',
        'conformance/profiles/fuzz.test.ts',
        // The CLI in child processes, a copy of the project, the docs compiled and run.
        'src/cli/tools.test.ts',
        'scripts/spec-bound.test.ts',
        'scripts/quietly.test.ts',
        'examples/doc-blocks.test.ts',
        'examples/shell-blocks.test.ts',
        'examples/examples.test.ts',
      ],
    },
  }),
);
