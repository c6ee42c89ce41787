import type { CheckResult } from './model.js';
import type { ConformanceReport } from './run.js';

function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // XML 1.0 forbids most control characters even when escaped.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

/**
 * The report as JUnit XML: one test suite per profile (the spec's examples are the `examples`
 * suite), one test case per check, a `failure` element with the reason when it failed.
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
      `  <testsuite name="${escapeXml(profile)}" tests="${results.length}" failures="${failures}" skipped="${skipped}">`,
    );
    for (const r of results) {
      const name = escapeXml(`${r.case}: ${r.check}`);
      const classname = escapeXml(`${r.profile}.${r.operation}`);
      if (r.outcome === 'pass')
        lines.push(`    <testcase classname="${classname}" name="${name}"/>`);
      else if (r.outcome === 'skip')
        lines.push(
          `    <testcase classname="${classname}" name="${name}"><skipped message="${escapeXml(r.detail)}"/></testcase>`,
        );
      else
        lines.push(
          `    <testcase classname="${classname}" name="${name}"><failure message="${escapeXml(r.detail)}"/></testcase>`,
        );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

/** The report as pretty JSON, for machines and for diffing runs. */
export function toJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
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
 * A readable summary: failures with their reasons (operation, check, why), counts per profile,
 * and the coverage table of operations x documented statuses x examples exercised.
 */
export function toSummary(report: ConformanceReport): string {
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
  const failures = all.filter((r) => r.outcome === 'fail');
  if (failures.length > 0) {
    out.push(
      '',
      'Failures:',
      table([
        ['profile', 'operation', 'case', 'check', 'why'],
        ...failures.map((r) => [r.profile, r.operation, r.case, r.check, r.detail]),
      ]),
    );
  }
  const drift = report.drift.filter((r) => r.outcome === 'fail');
  if (drift.length > 0)
    out.push(
      '',
      `Example drift: ${drift.length} example(s) of the spec break their own schema or rules (a spec defect, not a server failure).`,
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
        row.examples.join(', ') || '-',
      ]),
    ]),
    '',
    `${report.counts.pass} passed, ${report.counts.fail} failed, ${report.counts.skip} skipped`,
  );
  return out.join('\n');
}
