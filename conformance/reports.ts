import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckResult } from './model.js';
import type { ConformanceReport } from './run.js';

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
  for (const [profile, results] of suites) {
    const failures = results.filter((r) => r.outcome === 'fail').length;
    const skipped = results.filter((r) => r.outcome === 'skip').length;
    lines.push(
      `  <testsuite name="${escapeXml(profile)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${escapeXml(report.startedAt)}">`,
    );
    for (const r of results) {
      const name = escapeXml(`${r.case}: ${r.check}`);
      const classname = escapeXml(`${r.profile}.${r.operation}`);
      if (r.outcome === 'pass')
        lines.push(`    <testcase classname="${classname}" name="${name}"/>`);
      else if (r.outcome === 'warn')
        // JUnit has no warnings: a passed case whose output says what drifted.
        lines.push(
          `    <testcase classname="${classname}" name="${name}"><system-out>${escapeXml(`warning: ${r.detail}`)}</system-out></testcase>`,
        );
      else if (r.outcome === 'skip')
        lines.push(
          `    <testcase classname="${classname}" name="${name}"><skipped message="${escapeXml(r.detail)}"/></testcase>`,
        );
      else
        lines.push(
          `    <testcase classname="${classname}" name="${name}"><failure type="${escapeXml(r.check)}" message="${escapeXml(r.detail)}">${escapeXml(`${r.operation} ${r.case}: ${r.check}: ${r.detail}`)}</failure></testcase>`,
        );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
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
  if (options.verbose) {
    out.push('', 'Checks:', checkTable(all));
  } else {
    const failures = all.filter((r) => r.outcome === 'fail');
    if (failures.length > 0) out.push('', 'Failures:', checkTable(failures));
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
