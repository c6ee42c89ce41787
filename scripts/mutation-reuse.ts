/**
 * Whether a module's committed Stryker results (.stryker/<slug>.json) still describe the code: then
 * mutation.sh uses them as the module's report instead of starting Stryker, whose dry run alone
 * costs about 50 s per module even when every result is reused (four of CI's twenty minutes).
 *
 * After each Stryker run, mutation.sh records the hash of every input of the results in
 * .stryker/<slug>.inputs.json: each mutated file (a file with no mutants included: Stryker's report
 * leaves those out), each test file that covered a mutant, the Stryker and vitest configurations
 * and mutation.sh itself (it pins Stryker's version). The results are reused while every hash is
 * the same. A new test file can only kill more mutants, so it does not force a run; nor does a
 * file that is neither mutated nor a covering test, as in Stryker's own incremental mode
 * (`bash scripts/mutation.sh --force` re-runs everything).
 *
 *   tsx scripts/mutation-reuse.ts check SLUG GLOBS    exit 0 when the results hold, 1 (and why) when not
 *   tsx scripts/mutation-reuse.ts record SLUG GLOBS   write .stryker/SLUG.inputs.json after a run
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { globSync } from 'tinyglobby';

/** Path -> sha-256 of its text ("missing" for a file that is not there). */
export type Inputs = Readonly<Record<string, string>>;

/** The files besides the mutated and covering ones that decide what Stryker finds. */
const SETUP = ['stryker.config.json', 'vitest.mutation.config.ts', 'scripts/mutation.sh'];

/**
 * The inputs of a module's results: its mutated files, the tests that covered them, the setup.
 *
 * @example
 * ```ts
 * inputsOf(['src/rules/url.ts'], ['src/rules/url.test.ts'], (path) => readFileSync(path, 'utf8'));
 * ```
 */
export function inputsOf(
  mutated: readonly string[],
  coveringTests: readonly string[],
  read: (path: string) => string | undefined,
): Inputs {
  const paths = [...new Set([...mutated, ...coveringTests, ...SETUP])].sort();
  return Object.fromEntries(
    paths.map((path) => {
      const text = read(path);
      return [
        path,
        text === undefined ? 'missing' : createHash('sha256').update(text).digest('hex'),
      ];
    }),
  );
}

/**
 * Why results recorded with `recorded` inputs do not hold for `now`, or undefined when they do.
 *
 * @example
 * ```ts
 * staleReason({ 'src/a.ts': 'x' }, { 'src/a.ts': 'y' }); // 'src/a.ts changed'
 * ```
 */
export function staleReason(recorded: Inputs, now: Inputs): string | undefined {
  for (const path of Object.keys(now)) {
    if (!(path in recorded)) return `${path} is new`;
    if (recorded[path] !== now[path]) return `${path} changed`;
  }
  for (const path of Object.keys(recorded)) {
    if (!(path in now)) return `${path} is no longer mutated`;
  }
  return undefined;
}

const readText = (path: string): string | undefined =>
  existsSync(path) ? readFileSync(path, 'utf8') : undefined;

/** The test files that covered a mutant, as the module's results name them. */
function coveringTestsOf(resultsFile: string): string[] {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as { testFiles?: object };
  return Object.keys(results.testFiles ?? {});
}

if (process.argv[1]?.endsWith('mutation-reuse.ts')) {
  const [mode, slug, globs] = process.argv.slice(2);
  if ((mode !== 'check' && mode !== 'record') || slug === undefined || globs === undefined) {
    throw new Error('usage: mutation-reuse.ts check|record SLUG GLOBS');
  }
  const results = `.stryker/${slug}.json`;
  const inputsFile = `.stryker/${slug}.inputs.json`;
  const now = (): Inputs =>
    inputsOf(
      globSync(globs.split(','), { expandDirectories: false }),
      coveringTestsOf(results),
      readText,
    );
  if (mode === 'record') {
    writeFileSync(inputsFile, `${JSON.stringify(now(), null, 2)}\n`);
  } else {
    const reason = !existsSync(results)
      ? `no ${results}`
      : !existsSync(inputsFile)
        ? `no ${inputsFile}`
        : staleReason(JSON.parse(readFileSync(inputsFile, 'utf8')) as Inputs, now());
    console.log(
      reason === undefined
        ? `${slug}: every input unchanged, the committed results are the report`
        : `${slug}: Stryker runs (${reason})`,
    );
    process.exitCode = reason === undefined ? 0 : 1;
  }
}
