import type { ProbeResult, ProbeStatus } from '../probe/probe.js';
import type { Webhook } from '../types.js';

/**
 * Left-aligned columns, two spaces apart, no trailing blanks.
 *
 * @example
 * ```ts
 * table([['ID', 'TITLE'], [id, title]]);
 * ```
 */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * Webhooks as a table: every field a user sets or needs to tell two webhooks apart, the
 * batching config and the timestamps included.
 *
 * @example
 * ```ts
 * console.log(webhookTable(page.data));
 * ```
 */
export function webhookTable(webhooks: readonly Webhook[]): string {
  return table([
    ['ID', 'ENABLED', 'TITLE', 'CATEGORIES', 'DELAY', 'MAX BYTES', 'CREATED', 'UPDATED', 'URL'],
    ...webhooks.map((w) => [
      w.id,
      w.enabled ? 'yes' : 'no',
      w.title,
      w.type.join(','),
      w.config.delay ?? '-',
      w.config.max_package_size === undefined ? '-' : String(w.config.max_package_size),
      w.created_at,
      w.updated_at,
      w.url,
    ]),
  ]);
}

const MARK: Record<ProbeStatus, string> = {
  pass: 'ok  ',
  warn: 'warn',
  fail: 'FAIL',
  skip: 'skip',
};

/**
 * A probe's checks, one per line, and its verdict.
 *
 * @example
 * ```ts
 * console.log(probeChecklist(await probeWebhookUrl(url)));
 * ```
 */
export function probeChecklist(result: ProbeResult): string {
  const lines = result.checks.map(
    (check) => `[${MARK[check.status]}] ${check.name.padEnd(14)} ${check.message}`,
  );
  return `${lines.join('\n')}\n\n${result.ok ? 'No check failed' : 'A check failed'} (${result.durationMs} ms).`;
}
