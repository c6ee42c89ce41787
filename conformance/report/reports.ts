import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packageVersion } from '../../src/index.js';
import type { CoverageRow } from './coverage.js';
import type { CheckResult, Evidence, ServerProfile } from './results.js';

/**
 * Counts of a run's verdicts.
 *
 * @example
 * ```ts
 * const { pass, fail, skip } = (await runConformance()).counts;
 * ```
 */
export interface ConformanceCounts {
  readonly pass: number;
  readonly fail: number;
  readonly skip: number;
  /** Drift that fails nothing: response properties the spec does not document. */
  readonly warn: number;
}

/**
 * The counts of results by outcome.
 *
 * @example
 * ```ts
 * countsOf(report.results).fail; // how many checks failed
 * ```
 */
export function countsOf(results: readonly CheckResult[]): ConformanceCounts {
  const count = (outcome: CheckResult['outcome']) =>
    results.filter((r) => r.outcome === outcome).length;
  return { pass: count('pass'), fail: count('fail'), skip: count('skip'), warn: count('warn') };
}

/**
 * What a conformance run found. `passed` is false when any check failed, example drift included.
 *
 * @example
 * ```ts
 * const report = await runConformance();
 * if (!report.passed) console.log(report.results.filter((r) => r.outcome === 'fail'));
 * ```
 */
export interface ConformanceReport {
  /** The base URL tested, or `<name> (<url>)`: `embedded mock (…)`, or the `targetName` given. */
  readonly target: string;
  readonly profiles: readonly ServerProfile[];
  /** Whether the run asked a spec mock for examples with `Prefer`. */
  readonly preferHeader: boolean;
  /** Whether the target was treated as keeping state (echo checks, clean-up). */
  readonly stateful: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Checks of the spec's own examples: drift, reported apart from server failures. */
  readonly drift: readonly CheckResult[];
  /** Checks of the exchanges with the server. */
  readonly results: readonly CheckResult[];
  readonly coverage: readonly CoverageRow[];
  readonly counts: ConformanceCounts;
  readonly passed: boolean;
}

/**
 * Where to write a run's reports; each is optional.
 *
 * @example
 * ```ts
 * const paths: ReportPaths = { junit: 'reports/conformance.junit.xml', json: 'reports/conformance.json' };
 * ```
 */
export interface ReportPaths {
  readonly junit?: string;
  readonly json?: string;
}

/**
 * The report paths `npm run conformance` uses unless told otherwise.
 *
 * @example
 * ```ts
 * await writeReports(report, defaultReportPaths);
 * ```
 */
export const defaultReportPaths = {
  junit: 'reports/conformance.junit.xml',
  json: 'reports/conformance.json',
} as const satisfies ReportPaths;

/**
 * Escapes text for an XML attribute or element, dropping what XML 1.0 cannot carry at all.
 *
 * @example
 * ```ts
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 * ```
 */
export function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // XML 1.0 forbids most control characters even when escaped.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      // A lone surrogate is not a character either.
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
      // Line breaks in attributes would be normalised to spaces by a parser; keep them.
      .replace(/\n/g, '&#10;')
      .replace(/\r/g, '&#13;')
      .replace(/\t/g, '&#9;')
  );
}

/**
 * The report as JUnit XML: one test suite per profile (the spec's examples are the `examples`
 * suite), one test case per check (class name `<profile>.<operation>`, name `<case>: <check>`), a
 * `failure` element with the reason when it failed, `skipped` with the reason when skipped.
 *
 * @example
 * ```ts
 * await writeFile('reports/conformance.junit.xml', toJUnitXml(report));
 * ```
 */
export function toJUnitXml(report: ConformanceReport): string {
  const all = [...report.drift, ...report.results];
  const suites = new Map<string, CheckResult[]>();
  for (const result of all)
    suites.set(result.profile, [...(suites.get(result.profile) ?? []), result]);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="upvest-webhooks conformance" tests="${all.length}" failures="${report.counts.fail}" skipped="${report.counts.skip}" time="${(report.durationMs / 1000).toFixed(3)}">`,
  ];
  const properties = [
    ['target', report.target],
    ['package', `upvest-webhooks ${packageVersion()}`],
    ['profiles', report.profiles.join(',')],
    ['started', report.startedAt],
  ]
    .map(
      ([name, value]) =>
        `      <property name="${escapeXml(name ?? '')}" value="${escapeXml(value ?? '')}"/>`,
    )
    .join('\n');
  for (const [profile, results] of suites) {
    const failures = results.filter((r) => r.outcome === 'fail').length;
    const skipped = results.filter((r) => r.outcome === 'skip').length;
    const seconds = results.reduce((sum, r) => sum + (r.ms ?? 0), 0) / 1000;
    lines.push(
      `  <testsuite name="${escapeXml(profile)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds.toFixed(3)}" timestamp="${escapeXml(report.startedAt)}">`,
      `    <properties>\n${properties}\n    </properties>`,
    );
    for (const r of results) {
      const name = escapeXml(`${r.case}: ${r.check}`);
      const classname = escapeXml(`${r.profile}.${r.operation}`);
      const time = `time="${((r.ms ?? 0) / 1000).toFixed(3)}"`;
      if (r.outcome === 'pass')
        lines.push(`    <testcase classname="${classname}" name="${name}" ${time}/>`);
      else if (r.outcome === 'warn')
        // JUnit has no warnings: a passed case whose output says what drifted.
        lines.push(
          `    <testcase classname="${classname}" name="${name}" ${time}><system-out>${escapeXml(`warning: ${r.detail}`)}</system-out></testcase>`,
        );
      else if (r.outcome === 'skip')
        lines.push(
          `    <testcase classname="${classname}" name="${name}" ${time}><skipped message="${escapeXml(r.detail)}"/></testcase>`,
        );
      else
        lines.push(
          // GitLab shows only the element's body: the evidence goes there, whole.
          `    <testcase classname="${classname}" name="${name}" ${time}><failure type="${escapeXml(r.check)}" message="${escapeXml(r.detail)}">${escapeXml(`${r.operation} ${r.case}: ${r.check}: ${r.detail}${r.evidence ? `\n${evidenceText(r.evidence)}` : ''}`)}</failure></testcase>`,
        );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

/** A failing exchange, as a CI user reads it: what, where, the id for Upvest, and a curl. */
function evidenceText(evidence: Evidence): string {
  return `${evidence.method} ${evidence.path} -> HTTP ${evidence.status}, upvest-request-id ${evidence.requestId ?? '(none)'}\n${evidence.curl}`;
}

/**
 * The report as Markdown, for `$GITHUB_STEP_SUMMARY` and merge-request comments: the verdict,
 * counts per profile, and the failures with their evidence (at most `limit`).
 *
 * @example
 * ```ts
 * await appendFile(process.env.GITHUB_STEP_SUMMARY!, toMarkdown(report));
 * ```
 */
export function toMarkdown(report: ConformanceReport, limit = 50): string {
  const all = [...report.drift, ...report.results];
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const byProfile = new Map<string, CheckResult[]>();
  for (const r of all) byProfile.set(r.profile, [...(byProfile.get(r.profile) ?? []), r]);
  const count = (rs: CheckResult[], outcome: CheckResult['outcome']) =>
    String(rs.filter((r) => r.outcome === outcome).length);
  const out = [
    `## Conformance ${report.passed ? 'passed ✅' : 'failed ❌'}`,
    '',
    `Against ${cell(report.target)}, upvest-webhooks ${packageVersion()}, ${report.durationMs} ms.`,
    ...(diagnosis(all) ? ['', `**${diagnosis(all)}**`] : []),
    '',
    '| profile | pass | fail | skip | warn |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...[...byProfile].map(
      ([profile, rs]) =>
        `| ${profile} | ${count(rs, 'pass')} | ${count(rs, 'fail')} | ${count(rs, 'skip')} | ${count(rs, 'warn')} |`,
    ),
  ];
  const failures = foldFailures(all.filter((r) => r.outcome === 'fail'));
  if (failures.length > 0) {
    out.push(
      '',
      '### Failures',
      '',
      '| profile | operation | case | check | why |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const r of failures.slice(0, limit))
      out.push(
        `| ${r.profile} | ${r.operation} | ${cell(r.case)} | ${cell(r.check)} | ${cell(r.detail)} |`,
      );
    if (failures.length > limit)
      out.push('', `…and ${failures.length - limit} more in the JUnit and JSON reports.`);
    const shown = failures.filter((r) => r.evidence).slice(0, 10);
    if (shown.length > 0) {
      out.push('', '<details><summary>Reproduce</summary>', '');
      for (const r of shown)
        out.push(
          `**${cell(r.case)}: ${cell(r.check)}**`,
          '',
          '```sh',
          evidenceText(r.evidence!),
          '```',
          '',
        );
      out.push('</details>');
    }
  }
  out.push(
    '',
    `${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.skip} skipped, ${report.counts.warn} warnings`,
    '',
  );
  return out.join('\n');
}

/**
 * The report as pretty JSON, for machines and for diffing runs.
 *
 * @example
 * ```ts
 * await writeFile('reports/conformance.json', toJson(report));
 * ```
 */
export function toJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Writes the JUnit XML and JSON reports to the given files, creating their directories.
 *
 * @example
 * ```ts
 * await writeReports(await runConformance(), defaultReportPaths);
 * ```
 */
export async function writeReports(report: ConformanceReport, paths: ReportPaths): Promise<void> {
  for (const [file, render] of [
    [paths.junit, toJUnitXml],
    [paths.json, toJson],
  ] as const) {
    if (file === undefined) continue;
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFile(file, render(report));
  }
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * Options of {@link toSummary}.
 *
 * @example
 * ```ts
 * console.log(toSummary(report, { verbose: true }));
 * ```
 */
export interface SummaryOptions {
  /** List every check, passes included, instead of failures and skips only. */
  readonly verbose?: boolean;
}

function checkTable(results: readonly CheckResult[]): string {
  return table([
    ['profile', 'operation', 'case', 'check', 'result', 'why'],
    ...results.map((r) => [r.profile, r.operation, r.case, r.check, r.outcome, r.detail]),
  ]);
}

/**
 * Failures that say the same thing (profile, operation, check and why) folded into one row, its
 * case the first one's with how many more: a server that fails one way fails in a few lines.
 *
 * @example
 * ```ts
 * foldFailures(failures)[0]?.case; // 'url: a bare host (create) (and 11 more cases)'
 * ```
 */
export function foldFailures(failures: readonly CheckResult[]): CheckResult[] {
  const groups = new Map<string, { first: CheckResult; count: number }>();
  for (const r of failures) {
    const key = JSON.stringify([r.profile, r.operation, r.check, r.detail]);
    const group = groups.get(key);
    if (group) group.count += 1;
    else groups.set(key, { first: r, count: 1 });
  }
  return [...groups.values()].map(({ first, count }) =>
    count === 1 ? first : { ...first, case: `${first.case} (and ${count - 1} more cases)` },
  );
}

/**
 * One line naming the cause when most failing exchanges got the same status (a server down
 * behind a proxy, refusing everything, or failing everything): fix that before reading on.
 *
 * @example
 * ```ts
 * diagnosis(results); // 'Diagnosis: 1310 of 1402 failing exchanges were answered HTTP 500 …'
 * ```
 */
export function diagnosis(results: readonly CheckResult[]): string | undefined {
  const statuses = results.flatMap((r) =>
    r.outcome === 'fail' && r.evidence ? [r.evidence.status] : [],
  );
  if (statuses.length < 20) return undefined;
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  const [status, count] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  if (count < statuses.length * 0.8) return undefined;
  const hint =
    status >= 500
      ? 'the server fails nearly every request: look at its logs first'
      : status === 401 || status === 403
        ? 'nearly every request was refused: check the credentials, the token and the signing key'
        : 'most failures share this one answer: start there';
  return `Diagnosis: ${count} of ${statuses.length} failing exchanges were answered HTTP ${status}; ${hint}.`;
}

/**
 * A readable summary: counts per profile, the failures and skips (operation, case, check, result,
 * why; every check with `verbose`), example drift called out apart from server failures, and the
 * coverage table of operations x documented statuses x examples exercised.
 *
 * @example
 * ```ts
 * console.log(toSummary(await runConformance()));
 * ```
 */
export function toSummary(report: ConformanceReport, options: SummaryOptions = {}): string {
  const all = [...report.drift, ...report.results];
  const out: string[] = [
    `Conformance against ${report.target}: ${report.passed ? 'PASSED' : 'FAILED'} in ${report.durationMs} ms`,
  ];
  const byProfile = new Map<string, CheckResult[]>();
  for (const r of all) byProfile.set(r.profile, [...(byProfile.get(r.profile) ?? []), r]);
  out.push(
    '',
    table([
      ['profile', 'pass', 'fail', 'skip'],
      ...[...byProfile].map(([profile, rs]) => [
        profile,
        String(rs.filter((r) => r.outcome === 'pass').length),
        String(rs.filter((r) => r.outcome === 'fail').length),
        String(rs.filter((r) => r.outcome === 'skip').length),
      ]),
    ]),
  );
  const cause = diagnosis(all);
  if (cause) out.push('', cause);
  if (options.verbose) {
    out.push('', 'Checks:', checkTable(all));
  } else {
    const failures = all.filter((r) => r.outcome === 'fail');
    if (failures.length > 0) out.push('', 'Failures:', checkTable(foldFailures(failures)));
    // One line of evidence per failing exchange, once each: what to send Upvest or rerun.
    const seen = new Set<string>();
    const evidence = failures.flatMap((r) => {
      if (!r.evidence || seen.has(r.evidence.curl)) return [];
      seen.add(r.evidence.curl);
      return [
        `- ${r.profile} ${r.case}: ${r.check}\n  ${evidenceText(r.evidence).replace('\n', '\n  ')}`,
      ];
    });
    if (evidence.length > 0) {
      out.push(
        '',
        'Failing exchanges (reproduce with curl; fill in a token and sign again):',
        ...evidence.slice(0, 20),
      );
      if (evidence.length > 20) out.push(`  …and ${evidence.length - 20} more in the JUnit report`);
    }
    const skips = all.filter((r) => r.outcome === 'skip');
    if (skips.length > 0) out.push('', 'Skipped:', checkTable(skips));
  }
  const warnings = all.filter((r) => r.outcome === 'warn');
  if (warnings.length > 0 && !options.verbose) {
    out.push(
      '',
      'Warnings (spec drift that fails nothing: the server answered properties the spec does not document):',
      checkTable(warnings),
    );
  }
  const drift = report.drift.filter((r) => r.outcome === 'fail');
  if (drift.length > 0)
    out.push(
      '',
      `Example drift: ${drift.length} check(s) of the spec's own examples failed (a spec defect, not a server failure).`,
    );
  out.push(
    '',
    'Coverage (operation x documented status x examples exercised):',
    table([
      ['operation', 'status', 'seen', 'examples'],
      ...report.coverage.map((row) => [
        row.operation,
        String(row.status),
        String(row.observed),
        row.examples
          .map((name) => (row.exercised.includes(name) ? name : `${name} (not run)`))
          .join(', ') || '-',
      ]),
    ]),
    '',
    ...(report.counts.warn > 0 ? [`${report.counts.warn} warning(s) of spec drift`] : []),
    `${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.skip} skipped`,
  );
  return out.join('\n');
}
