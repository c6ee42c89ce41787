/**
 * Reads Stryker's JSON reports and prints the mutation score of each security-critical module;
 * exits 1 when one is below the threshold (MUTATION_THRESHOLD, default 90). Stryker's own
 * `thresholds.break` sees only the total, and a strong module must not hide a weak one.
 *
 *   tsx scripts/mutation-score.ts reports/mutation/*.json   the scores, exit 1 below the threshold
 *   tsx scripts/mutation-score.ts --modules                 "slug<TAB>globs" per module, for mutation.sh
 */
import { readFileSync } from 'node:fs';

interface Report {
  readonly files: Record<string, { readonly mutants: readonly { readonly status: string }[] }>;
}

/**
 * The modules the threshold applies to, by path prefix. mutation.sh runs Stryker once per module
 * (its own incremental file and report), so the first module's survivors are known in minutes,
 * not at the end of a two-hour run.
 */
export const MODULES: Readonly<Record<string, readonly string[]>> = {
  'client retry and transport': [
    'src/client/retry-policy.ts',
    'src/client/transport.ts',
    'src/wire/signer.ts',
  ],
  'mock auth and validation': [
    'src/testing/mock-signatures.ts',
    'src/testing/mock-tokens.ts',
    'src/testing/mock-request.ts',
  ],
  signing: ['src/signing/'],
  receiver: ['src/receiver/'],
  rules: ['src/rules/'],
};

/** What Stryker mutates in a module: its files without tests, fixtures and re-export indexes. */
export function globsOf(prefixes: readonly string[]): string {
  const globs = prefixes.map((prefix) => (prefix.endsWith('/') ? `${prefix}**/*.ts` : prefix));
  return [
    ...globs,
    '!src/**/*.test.ts',
    '!src/**/*.test-d.ts',
    '!src/**/fixtures/**',
    '!src/**/index.ts',
  ].join(',');
}

/** A module's name as a file name: `client retry and transport` -> `client-retry-and-transport`. */
export const slugOf = (module: string): string => module.replaceAll(' ', '-');

const DETECTED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

/**
 * Mutation score per module: detected / (detected + survived + not covered), as Stryker counts.
 *
 * @example
 * ```ts
 * scoresOf(JSON.parse(readFileSync('reports/mutation/mutation.json', 'utf8')));
 * ```
 */
export function scoresOf(report: Report): { module: string; detected: number; counted: number }[] {
  return Object.entries(MODULES).map(([module, prefixes]) => {
    let detected = 0;
    let counted = 0;
    for (const [file, { mutants }] of Object.entries(report.files)) {
      const path = file.replace(/^.*?(?=src\/)/, '');
      if (!prefixes.some((prefix) => path.startsWith(prefix))) continue;
      for (const { status } of mutants) {
        if (COUNTED.has(status)) counted += 1;
        if (DETECTED.has(status)) detected += 1;
      }
    }
    return { module, detected, counted };
  });
}

if (process.argv[1]?.endsWith('mutation-score.ts') && process.argv[2] === '--modules') {
  for (const [module, prefixes] of Object.entries(MODULES)) {
    console.log(`${slugOf(module)}\t${globsOf(prefixes)}`);
  }
} else if (process.argv[1]?.endsWith('mutation-score.ts')) {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error('usage: mutation-score.ts REPORT.json...');
  const threshold = Number(process.env['MUTATION_THRESHOLD'] ?? 90);
  const merged: Report = { files: {} };
  for (const file of files) {
    Object.assign(merged.files, (JSON.parse(readFileSync(file, 'utf8')) as Report).files);
  }
  const scores = scoresOf(merged);
  let failed = false;
  for (const { module, detected, counted } of scores) {
    // A module this run did not mutate (MODULES=…) has no score, not a perfect one.
    if (counted === 0) {
      console.log(`${module.padEnd(28)}     -   (not in this run)`);
      continue;
    }
    const score = (100 * detected) / counted;
    const below = score < threshold;
    failed ||= below;
    console.log(
      `${module.padEnd(28)} ${score.toFixed(1).padStart(5)}%  (${detected} of ${counted} mutants detected)${below ? `  BELOW ${threshold}%` : ''}`,
    );
  }
  process.exitCode = failed ? 1 : 0;
}
