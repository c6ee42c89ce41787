/**
 * Reads Stryker's JSON report and prints the mutation score of each security-critical module;
 * exits 1 when one is below the threshold (MUTATION_THRESHOLD, default 90). Stryker's own
 * `thresholds.break` sees only the total, and a strong module must not hide a weak one.
 *
 *   tsx scripts/mutation-score.ts [reports/mutation/mutation.json]
 */
import { readFileSync } from 'node:fs';

interface Report {
  readonly files: Record<string, { readonly mutants: readonly { readonly status: string }[] }>;
}

/** The modules the threshold applies to, by path prefix. */
export const MODULES: Readonly<Record<string, readonly string[]>> = {
  signing: ['src/signing/'],
  deliveries: ['src/deliveries/'],
  rules: ['src/rules/'],
  'client retry and transport': ['src/client/retry-policy.ts', 'src/client/transport.ts'],
  'mock auth and validation': [
    'src/testing/mock-signatures.ts',
    'src/testing/mock-tokens.ts',
    'src/testing/mock-request.ts',
  ],
};

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

if (process.argv[1]?.endsWith('mutation-score.ts')) {
  const file = process.argv[2] ?? 'reports/mutation/mutation.json';
  const threshold = Number(process.env['MUTATION_THRESHOLD'] ?? 90);
  const scores = scoresOf(JSON.parse(readFileSync(file, 'utf8')) as Report);
  let failed = false;
  for (const { module, detected, counted } of scores) {
    const score = counted === 0 ? 100 : (100 * detected) / counted;
    const below = score < threshold;
    failed ||= below;
    console.log(
      `${module.padEnd(28)} ${score.toFixed(1).padStart(5)}%  (${detected} of ${counted} mutants detected)${below ? `  BELOW ${threshold}%` : ''}`,
    );
  }
  process.exitCode = failed ? 1 : 0;
}
