/**
 * Reports to test the writers with (reports.test.ts, html.test.ts): one check result with what a
 * test changes, and a report of results with counts and a verdict that agree with them.
 */
import { countsOf, type ConformanceReport } from './reports.js';
import type { CheckResult } from './results.js';

/** A passing replay check, with `overrides` applied. */
export function checkResult(overrides: Partial<CheckResult>): CheckResult {
  return {
    profile: 'replay',
    operation: 'retrieve_webhook',
    case: 'documented_webhook',
    check: 'status is documented',
    outcome: 'pass',
    detail: 'HTTP 200',
    ...overrides,
  };
}

/** A report of these results (and drift) against the embedded mock, or `target`. */
export function reportOf(
  results: CheckResult[],
  drift: CheckResult[] = [],
  target = 'embedded mock (http://127.0.0.1:1)',
): ConformanceReport {
  const all = [...drift, ...results];
  const counts = countsOf(all);
  return {
    target,
    profiles: ['replay'],
    preferHeader: false,
    stateful: true,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    drift,
    results,
    coverage: [
      {
        operation: 'retrieve_webhook',
        status: 200,
        observed: 1,
        examples: ['documented_webhook', 'other'],
        exercised: ['documented_webhook'],
      },
    ],
    counts,
    passed: counts.fail === 0,
  };
}
