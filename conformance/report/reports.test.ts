import { describe, expect, it } from 'vitest';
import type { CheckResult } from './results.js';
import {
  diagnosis,
  escapeXml,
  foldFailures,
  toJUnitXml,
  toJson,
  toMarkdown,
  toSummary,
} from './reports.js';
import { checkResult, reportOf } from './test-reports.js';

const NASTY = 'a <b> & "c" \'d\' ]]> \u0000\u0007 line\nbreak \ud800 end';

const result = checkResult;
const report = (results: CheckResult[], drift: CheckResult[] = []) => reportOf(results, drift);

/**
 * A strict enough well-formedness check for what toJUnitXml writes: balanced tags, quoted
 * attributes without `<` or a raw quote, only the five entities and numeric references, and no
 * character XML 1.0 forbids.
 */
function assertWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\n/, '');
  // eslint-disable-next-line no-control-regex
  expect(body).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  expect(body).not.toMatch(/[\ud800-\udfff]/);
  for (const amp of body.matchAll(/&[^;]*;?/g))
    expect(amp[0]).toMatch(/^&(amp|lt|gt|quot|apos|#\d+);$/);
  const stack: string[] = [];
  for (const tag of body.matchAll(/<(\/?)([a-z-]+)((?:\s+[a-z]+="[^"<]*")*)\s*(\/?)>|</g)) {
    expect(tag[2], `stray < near ${body.slice(tag.index, tag.index + 40)}`).toBeDefined();
    if (tag[1]) expect(stack.pop()).toBe(tag[2]);
    else if (!tag[4]) stack.push(tag[2]!);
  }
  expect(stack).toEqual([]);
}

describe('escapeXml', () => {
  it('should escape markup, keep line breaks as references and drop what XML cannot carry', () => {
    expect(escapeXml(NASTY)).toBe(
      'a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; ]]&gt;  line&#10;break  end',
    );
  });
});

describe('toJUnitXml', () => {
  it('should write one well-formed testcase per check, with failures and skips explained', () => {
    const r = report([
      result({}),
      result({ outcome: 'fail', check: NASTY, detail: NASTY, case: NASTY }),
      result({ profile: 'negative', outcome: 'skip', detail: 'no credentials' }),
    ]);

    const xml = toJUnitXml(r);

    assertWellFormed(xml);
    expect(xml).toContain('tests="3" failures="1" skipped="1" time="1.234"');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toContain('<skipped message="no credentials"/>');
    expect(xml).toContain('<testsuite name="replay" tests="2" failures="1"');
    expect(xml).toContain('<testsuite name="negative" tests="1" failures="0"');
  });

  it('should put the drift checks in an examples suite', () => {
    const xml = toJUnitXml(
      report([], [result({ profile: 'examples', outcome: 'fail', detail: '/url url.ip_host' })]),
    );
    expect(xml).toContain('<testsuite name="examples" tests="1" failures="1"');
    assertWellFormed(xml);
  });
});

describe('toJson', () => {
  it('should round-trip the report', () => {
    const r = report([result({ detail: NASTY })]);
    expect(JSON.parse(toJson(r))).toEqual(JSON.parse(JSON.stringify(r)));
  });
});

describe('toSummary', () => {
  const r = report(
    [
      result({}),
      result({
        outcome: 'fail',
        check: 'status is the expected one',
        detail: 'expected 200, got 404',
      }),
      result({ outcome: 'skip', operation: 'issue_token', check: 'replayed', detail: 'no secret' }),
    ],
    [result({ profile: 'examples', outcome: 'fail', detail: '/url url.ip_host' })],
  );

  it('should list failures and skips with operation, case, check, result and why', () => {
    const text = toSummary(r);

    expect(text).toContain('FAILED');
    expect(text).toMatch(
      /replay\s+retrieve_webhook\s+documented_webhook\s+status is the expected one\s+fail\s+expected 200, got 404/,
    );
    expect(text).toMatch(
      /Skipped:\n.*\n.*issue_token\s+documented_webhook\s+replayed\s+skip\s+no secret/,
    );
    expect(text).toContain('Example drift: 1 check(s)');
    expect(text).not.toMatch(/status is documented\s+pass/);
  });

  it('should show spec drift as a warning that fails nothing, in the summary and in JUnit', () => {
    const drifted = report([
      result({
        check: 'body has only documented properties',
        outcome: 'warn',
        detail: 'undocumented (spec drift): /added_later',
      }),
    ]);
    expect(drifted.passed).toBe(true);
    const summary = toSummary(drifted);
    expect(summary).toMatch(/PASSED/);
    expect(summary).toMatch(/Warnings \(spec drift/);
    expect(summary).toMatch(/\/added_later/);
    expect(summary).toMatch(/1 warning\(s\) of spec drift\n0 passed, 0 failed, 0 skipped$/);
    const xml = toJUnitXml(drifted);
    assertWellFormed(xml);
    expect(xml).toMatch(/failures="0"/);
    expect(xml).toMatch(
      /<system-out>warning: undocumented \(spec drift\): \/added_later<\/system-out>/,
    );
  });

  it('should list every check when verbose', () => {
    expect(toSummary(r, { verbose: true })).toMatch(/status is documented\s+pass\s+HTTP 200/);
  });

  it('should show which documented examples the run did not exercise', () => {
    expect(toSummary(r)).toMatch(
      /retrieve_webhook\s+200\s+1\s+documented_webhook, other \(not run\)/,
    );
  });

  it('should write Markdown for a CI step summary: verdict, counts, failures and how to reproduce', () => {
    const failed = report([
      result({}),
      result({
        outcome: 'fail',
        check: 'status is documented',
        detail: 'HTTP 500 | boom',
        evidence: {
          method: 'GET',
          path: '/webhooks',
          status: 500,
          requestId: 'r-1',
          curl: "curl -sS -X GET 'http://127.0.0.1:1/webhooks'",
        },
      }),
    ]);
    const markdown = toMarkdown(failed);
    expect(markdown).toMatch(/^## Conformance failed/);
    expect(markdown).toContain('| replay | 1 | 1 | 0 | 0 |');
    expect(markdown).toContain('HTTP 500 \\| boom'); // a pipe cannot break the table
    expect(markdown).toContain(
      "```sh\nGET /webhooks -> HTTP 500, upvest-request-id r-1\ncurl -sS -X GET 'http://127.0.0.1:1/webhooks'\n```",
    );
    expect(markdown.trimEnd()).toMatch(/1 passed, 1 failed, 0 skipped, 0 warnings$/);
  });

  it('should give every JUnit test case a time, and the suites the target and package version', () => {
    const xml = toJUnitXml(report([result({ ms: 1500 })]));
    assertWellFormed(xml);
    expect(xml).toContain('time="1.500"');
    expect(xml).toMatch(
      /<property name="target" value="embedded mock \(http:\/\/127\.0\.0\.1:1\)"\/>/,
    );
    expect(xml).toMatch(/<property name="package" value="upvest-webhooks \d+\.\d+\.\d+"\/>/);
  });
});

describe('a failing run read at a glance', () => {
  const failing = (
    at: number,
    status: number,
    check = 'status is the expected one',
  ): CheckResult => ({
    profile: 'rules',
    operation: 'create_webhook',
    case: `case ${at}`,
    check,
    outcome: 'fail',
    detail: `expected 201, got ${status}`,
    evidence: { method: 'POST', path: '/webhooks', status, requestId: undefined, curl: 'curl …' },
  });

  it('should fold failures that say the same thing into one row with a count', () => {
    const folded = foldFailures([
      failing(1, 500),
      failing(2, 500),
      failing(3, 500),
      failing(4, 400),
    ]);
    expect(folded.map((r) => r.case)).toEqual(['case 1 (and 2 more cases)', 'case 4']);
  });

  it('should keep failures of different checks apart', () => {
    expect(foldFailures([failing(1, 500), failing(2, 500, 'body matches schema')])).toHaveLength(2);
  });

  it.each([
    [
      'every failing exchange got 500',
      Array.from({ length: 30 }, (_, i) => failing(i, 500)),
      /30 of 30 .* HTTP 500; the server fails/,
    ],
    [
      'nearly every one got 401',
      [...Array.from({ length: 25 }, (_, i) => failing(i, 401)), failing(99, 400)],
      /25 of 26 .* HTTP 401; .*credentials/,
    ],
  ])('should name the cause when %s', (_name, results, line) => {
    expect(diagnosis(results)).toMatch(line);
  });

  it.each([
    ['few failures', Array.from({ length: 5 }, (_, i) => failing(i, 500))],
    [
      'failures spread over statuses',
      Array.from({ length: 30 }, (_, i) => failing(i, i % 2 ? 500 : 400)),
    ],
  ])('should name no cause with %s', (_name, results) => {
    expect(diagnosis(results)).toBeUndefined();
  });
});
