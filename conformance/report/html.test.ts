import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHtml } from './html.js';
import { checkResult, reportOf } from './test-reports.js';
import type { CheckResult } from './results.js';

const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)">' " & </pre></details>`;

const result = checkResult;
const report = (results: CheckResult[], target?: string) => reportOf(results, [], target);

/** The markup the page may contain: these elements, with no attribute but these. */
const ELEMENTS = new Set(
  'html head meta title style body h1 h2 p strong table thead tbody tr th td details summary pre'.split(
    ' ',
  ),
);
const ATTRIBUTES = new Set(['lang', 'charset', 'http-equiv', 'content', 'name', 'class']);

function markupOf(html: string) {
  const tags = [...html.matchAll(/<\/?([A-Za-z][\w-]*)([^>]*)>/g)];
  return {
    elements: new Set(tags.map((tag) => tag[1]!.toLowerCase())),
    attributes: new Set(
      // A name right after white space and before `="`: not a `=` inside a quoted value.
      tags.flatMap((tag) => [...tag[2]!.matchAll(/\s([\w-]+)="/g)].map((a) => a[1]!)),
    ),
  };
}

describe('toHtml', () => {
  const failing = report(
    [
      result({}),
      result({
        outcome: 'fail',
        case: HOSTILE,
        check: HOSTILE,
        detail: `expected 200, got 500: ${HOSTILE}`,
        evidence: {
          method: 'GET',
          path: `/webhooks/${HOSTILE}`,
          status: 500,
          requestId: HOSTILE,
          curl: `curl -X GET 'http://127.0.0.1:1/webhooks' -H ${HOSTILE}`,
        },
      }),
      result({
        outcome: 'skip',
        case: 'test delivery',
        detail: 'the server cannot reach the suite',
      }),
    ],
    `${HOSTILE} (http://127.0.0.1:1)`,
  );
  const html = toHtml(failing);

  it('should show the verdict, the failure with its exchange and curl line, the skips and the coverage', () => {
    expect(html).toContain('Failed: 1 passed, 1 failed, 1 skipped, 0 warnings');
    expect(html).toContain('expected 200, got 500');
    expect(html).toContain('GET /webhooks/');
    expect(html).toContain('→ HTTP 500');
    expect(html).toContain('curl -X GET');
    expect(html).toContain('the server cannot reach the suite');
    expect(html).toContain('<td class="n">200</td><td class="n">1</td><td class="n">1 of 2</td>');
    expect(toHtml(report([result({})]))).toContain('Passed: 1 passed, 0 failed');
  });

  it('should carry every hostile value as text: no element or attribute the page does not write itself', () => {
    const { elements, attributes } = markupOf(html);
    expect([...elements].filter((element) => !ELEMENTS.has(element))).toEqual([]);
    expect([...attributes].filter((attribute) => !ATTRIBUTES.has(attribute))).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<img/i);
  });

  it('should forbid every script and load, and allow only its own style, by its hash', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(style.length).toBeGreaterThan(100);
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  });

  it('should list at most the limit of checks per section, and say how many more', () => {
    const many = report(
      Array.from({ length: 7 }, (_, i) => result({ outcome: 'skip', case: `case ${i}` })),
    );
    const page = toHtml(many, 5);
    expect(page.match(/<details class="check">/g)).toHaveLength(5);
    expect(page).toContain('…and 2 more in the JSON report.');
  });
});
