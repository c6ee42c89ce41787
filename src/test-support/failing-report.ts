/**
 * The HTML conformance report of a failing run, for the browser test of the report and the
 * screenshot in docs/conformance.md: one pass, one failure whose every field a hostile server
 * chose, one skip. Not part of the package.
 */
import { toHtml } from '../../conformance/report/html.js';
import { checkResult, reportOf } from '../../conformance/report/test-reports.js';

/** Markup a hostile server could send in a field the report shows. */
export const HOSTILE_MARKUP = `<img src=x onerror="window.__pwned=1">"><script>window.__pwned=2</script>`;

/** The page, as `conformance --html` writes it; `hostile` false gives the screenshot's values. */
export function failingReportHtml(hostile = true): string {
  const odd = hostile ? HOSTILE_MARKUP : '';
  return toHtml(
    reportOf(
      [
        checkResult({}),
        checkResult({
          outcome: 'fail',
          operation: 'list_webhooks',
          case: 'default_page',
          check: 'body matches the WebhookList schema',
          detail: `expected an array at /data, got a string${odd ? `: ${odd}` : ''}`,
          evidence: {
            method: 'GET',
            path: '/webhooks',
            status: 200,
            requestId: odd || '3f1c2a9e-8d4b-4f7a-9c1e-2b5d6a7e8f90',
            curl: `curl -X GET 'http://127.0.0.1:4010/webhooks' -H 'upvest-client-id: ${odd || 'ebabcf4d-2b1a-4c3d-9e8f-0a1b2c3d4e5f'}'`,
          },
        }),
        checkResult({ outcome: 'skip', case: 'test delivery', detail: 'no receiver given' }),
      ],
      [],
      `staging (${odd || 'https://sandbox.example.test'})`,
    ),
  );
}
