import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:fast`, the inner loop (about 22 s on a 2-core machine): the unit tests beside the
 * code, without what starts a database, runs a whole conformance suite, spawns the CLI or a copy
 * of the project, waits out real timers or type-checks the docs. `npm test` runs all of it,
 * each file isolated; run it before you push.
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
        // Real time: the client's time limits and its faults (silent servers) wait out their timers.
        'src/client/time-limits.test.ts',
        'src/client/faults.test.ts',
        // A browser (Chromium): seconds each to start.
        '**/*.browser.test.ts',
      ],
      // One module graph for every file: a fresh one per file was half of the run. The tests
      // share no global state (CONTRIBUTING: no global monkey-patching), so they hold either way
      // (npm test runs them isolated).
      isolate: false,
      // Every core: vitest leaves one to its main process by default, which here idles while the
      // workers run (on 2 cores: 31 s with one worker, 22 s with two).
      maxWorkers: availableParallelism(),
    },
  }),
);
