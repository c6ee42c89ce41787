/**
 * The report as one self-contained HTML page (`conformance --html FILE`): readable offline, kept
 * as a CI artifact. No script at all, and a Content-Security-Policy that allows only its own
 * style: every value a server sent (a title, a header, a problem's detail) is escaped, and even
 * a value that slipped through could not run.
 */
import { createHash } from 'node:crypto';
import { packageVersion } from '../../src/index.js';
import type { CoverageRow } from './coverage.js';
import { diagnosis, escapeXml, foldFailures, type ConformanceReport } from './reports.js';
import type { CheckResult } from './results.js';

/**
 * Text as HTML text or attribute value: the XML escaping serves HTML as well (markup characters
 * and line breaks as references; what neither can carry dropped).
 */
const escapeHtml = escapeXml;

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.verdict { padding: .6rem 1rem; border-radius: 6px; font-weight: 600; }
.passed { background: #dafbe1; } .failed { background: #ffebe9; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
details { border: 1px solid #d0d7de; border-radius: 6px; margin: .5rem 0; padding: .4rem .8rem; }
summary { cursor: pointer; font-weight: 600; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.muted { color: #57606a; }
`.trim();

/** The policy: nothing may load or run; only the style above (by its hash) applies. */
const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'`;

const count = (results: readonly CheckResult[], outcome: CheckResult['outcome']) =>
  results.filter((r) => r.outcome === outcome).length;

function profileTable(all: readonly CheckResult[]): string {
  const byProfile = new Map<string, CheckResult[]>();
  for (const r of all) byProfile.set(r.profile, [...(byProfile.get(r.profile) ?? []), r]);
  const rows = [...byProfile].map(
    ([profile, results]) =>
      `<tr><td>${escapeHtml(profile)}</td>${(['pass', 'fail', 'skip', 'warn'] as const)
        .map((outcome) => `<td class="n">${count(results, outcome)}</td>`)
        .join('')}</tr>`,
  );
  return `<table><thead><tr><th>profile</th><th>pass</th><th>fail</th><th>skip</th><th>warn</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A failing (or skipped, or warned) check with what it found and the exchange to reproduce. */
function checkBlock(result: CheckResult): string {
  const evidence = result.evidence
    ? `<p class="muted">${escapeHtml(`${result.evidence.method} ${result.evidence.path} → HTTP ${result.evidence.status}, upvest-request-id ${result.evidence.requestId ?? '(none)'}`)}</p><pre>${escapeHtml(result.evidence.curl)}</pre>`
    : '';
  return `<details class="check"><summary>${escapeHtml(`${result.profile} · ${result.operation} · ${result.case}: ${result.check}`)}</summary><p>${escapeHtml(result.detail)}</p>${evidence}</details>`;
}

function checkSection(title: string, results: readonly CheckResult[], limit: number): string {
  if (results.length === 0) return '';
  const more =
    results.length > limit
      ? `<p class="muted">…and ${results.length - limit} more in the JSON report.</p>`
      : '';
  return `<h2>${escapeHtml(title)} (${results.length})</h2>${results.slice(0, limit).map(checkBlock).join('')}${more}`;
}

function coverageSection(rows: readonly CoverageRow[]): string {
  const body = rows
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.operation)}</td><td class="n">${row.status}</td><td class="n">${row.observed}</td><td class="n">${row.exercised.length} of ${row.examples.length}</td></tr>`,
    )
    .join('');
  return `<h2>Coverage of operations by status</h2><table><thead><tr><th>operation</th><th>status</th><th>answers seen</th><th>examples replayed</th></tr></thead><tbody>${body}</tbody></table>`;
}

/**
 * The report as a self-contained HTML page: the verdict, counts per profile, the failures (folded
 * as in the summary) each with its exchange and curl line, skips and warnings, and the coverage
 * of operations by status. At most `limit` checks per section.
 *
 * @example
 * ```ts
 * await writeFile('reports/conformance.html', toHtml(await runConformance()));
 * ```
 */
export function toHtml(report: ConformanceReport, limit = 200): string {
  const all = [...report.drift, ...report.results];
  const verdict = report.passed ? 'passed' : 'failed';
  const why = diagnosis(all);
  const { counts } = report;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conformance ${verdict}: ${escapeHtml(report.target)}</title>
<style>${STYLE}</style></head>
<body>
<h1>Conformance of ${escapeHtml(report.target)}</h1>
<p class="verdict ${verdict}">${verdict === 'passed' ? 'Passed' : 'Failed'}: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped, ${counts.warn} warnings</p>
<p class="muted">upvest-webhooks ${escapeHtml(packageVersion())}, started ${escapeHtml(report.startedAt)}, ${report.durationMs} ms.</p>
${why ? `<p><strong>${escapeHtml(why)}</strong></p>` : ''}
${profileTable(all)}
${checkSection('Failures', foldFailures(all.filter((r) => r.outcome === 'fail')), limit)}
${checkSection(
  'Skipped',
  all.filter((r) => r.outcome === 'skip'),
  limit,
)}
${checkSection(
  'Warnings',
  all.filter((r) => r.outcome === 'warn'),
  limit,
)}
${coverageSection(report.coverage)}
</body></html>
`;
}
