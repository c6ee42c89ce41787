import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The package's own names (`upvest-webhooks/receiver`, …) resolve to the source, as tsconfig.json's
 * `paths` say for the type checker: the runtime examples import the package as a tenant does,
 * and their tests must not need a build first.
 */
const { paths } = (
  JSON.parse(readFileSync(new URL('./tsconfig.json', import.meta.url), 'utf8')) as {
    compilerOptions: { paths: Record<string, [string]> };
  }
).compilerOptions;
const alias = Object.entries(paths).map(([name, [target]]) => ({
  find: new RegExp(`^${name.replaceAll('/', '\\/')}$`),
  replacement: fileURLToPath(new URL(target, import.meta.url)),
}));

export default defineConfig({
  resolve: { alias },
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
