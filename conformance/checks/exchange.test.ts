import { describe, expect, it } from 'vitest';
import type { OperationId } from '../../generated/constants.js';
import { checkExchange, checkSpecMockAnswer, jsonDifferences } from './exchange.js';
import { CheckLog, type Exchange } from '../report/results.js';

const REQUEST_ID = '169ae4c7-ebd7-4041-94da-25369653eba7';
const webhook = {
  id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a',
  created_at: '2021-07-21T14:10:00.00Z',
  updated_at: '2021-07-21T14:10:00.00Z',
  title: 'User webhook',
  url: 'https://tenant.tld/webhooks/users',
  type: ['USER'],
  enabled: false,
  config: { delay: '2s', max_package_size: 51200 },
};

function exchange(overrides: Partial<Exchange> = {}): Exchange {
  return {
    method: 'GET',
    url: `http://127.0.0.1/webhooks/${webhook.id}`,
    requestHeaders: {},
    requestBody: undefined,
    status: 200,
    responseHeaders: { 'content-type': 'application/json', 'upvest-request-id': REQUEST_ID },
    responseBody: JSON.stringify(webhook),
    ...overrides,
  };
}

const where = { profile: 'replay', operation: 'retrieve_webhook', case: 'c' } as const;

function run(ex: Exchange, expectedStatus?: number, operation: OperationId = where.operation) {
  const log = new CheckLog();
  const body = checkExchange(log, { ...where, operation }, ex, expectedStatus);
  const failed = log.results.filter((r) => r.outcome === 'fail');
  return { body, log, failed: failed.map((r) => `${r.check}: ${r.detail}`) };
}

describe('checkExchange', () => {
  it('should pass a documented answer and return its body', () => {
    const { body, failed, log } = run(exchange(), 200);

    expect(failed).toEqual([]);
    expect(body).toEqual(webhook);
    expect(log.results.map((r) => r.check)).toEqual([
      'status is documented',
      'status is the expected one',
      'upvest-request-id header is a UUID',
      'upvest-request-id is new for each request',
      'content-type is the documented one',
      'body is JSON',
      'body matches schema Webhook',
      'no undocumented property holds something secret-looking',
      'body has only documented properties',
    ]);
  });

  it('should fail a request id that another request had already', () => {
    const log = new CheckLog();
    const first = exchange();
    checkExchange(log, where, first, 200);
    checkExchange(log, where, first, 200); // the same exchange judged twice is no repeat
    checkExchange(log, where, exchange(), 200);

    expect(log.results.filter((r) => r.outcome === 'fail')).toEqual([
      expect.objectContaining({ check: 'upvest-request-id is new for each request' }),
    ]);
  });

  it.each([
    ['named like a secret', { signing_secret: 'abc' }],
    ['named like a key', { api_key: 'abc' }],
    ['shaped like a PEM key', { note: '-----BEGIN PRIVATE KEY-----\nMIIB' }],
    ['shaped like a JWT', { note: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc' }],
  ])('should fail an undocumented property %s', (_name, extra) => {
    const { failed } = run(
      exchange({ responseBody: JSON.stringify({ ...webhook, ...extra }) }),
      200,
    );

    expect(failed).toEqual([
      expect.stringMatching(/^no undocumented property holds something secret-looking: /),
    ]);
  });

  it("should fail a problem whose request_id is not the header's", () => {
    const { failed } = run(
      exchange({
        status: 404,
        responseHeaders: {
          'content-type': 'application/problem+json',
          'upvest-request-id': '2bdbf272-e473-42fb-a568-71859a6db71f',
        },
        responseBody: JSON.stringify({
          type: 'not_found',
          status: 404,
          request_id: '11111111-e473-42fb-a568-71859a6db71f',
        }),
      }),
      404,
    );

    expect(failed).toEqual([
      expect.stringMatching(/^the problem's request_id is the upvest-request-id header: /),
    ]);
  });

  it('should warn about a field the spec does not document as drift, and fail nothing', () => {
    const { failed, log } = run(
      exchange({ responseBody: JSON.stringify({ ...webhook, colour: 'red' }) }),
      200,
    );
    expect(failed).toEqual([]);
    expect(log.results.filter((r) => r.outcome === 'warn')).toEqual([
      expect.objectContaining({
        check: 'body has only documented properties',
        detail: 'undocumented (spec drift): /colour',
      }),
    ]);
  });

  it('should accept media type parameters and any letter case', () => {
    const headers = {
      'content-type': 'Application/JSON; charset=utf-8',
      'upvest-request-id': REQUEST_ID,
    };
    expect(run(exchange({ responseHeaders: headers })).failed).toEqual([]);
  });

  it.each<[string, Partial<Exchange>, number | undefined, string]>([
    ['an undocumented status', { status: 418 }, undefined, 'status is documented: HTTP 418'],
    ['an unexpected status', {}, 404, 'status is the expected one: expected 404, got 200'],
    [
      'a missing request id',
      { responseHeaders: { 'content-type': 'application/json' } },
      undefined,
      'upvest-request-id header is a UUID: the header is missing',
    ],
    [
      'a request id that is not a UUID',
      { responseHeaders: { 'content-type': 'application/json', 'upvest-request-id': 'r-1' } },
      undefined,
      'upvest-request-id header is a UUID: got "r-1"',
    ],
    [
      'text/plain for a webhook',
      { responseHeaders: { 'content-type': 'text/plain', 'upvest-request-id': REQUEST_ID } },
      undefined,
      'content-type is the documented one: expected application/json, got text/plain',
    ],
    ['a body that is not JSON', { responseBody: '{"id":' }, undefined, 'body is JSON'],
    [
      'an enabled that is a string',
      { responseBody: JSON.stringify({ ...webhook, enabled: 'yes' }) },
      undefined,
      'body matches schema Webhook: /enabled must be boolean',
    ],
  ])('should fail %s', (_name, overrides, expected, failure) => {
    const { failed } = run(exchange(overrides), expected);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain(failure);
  });

  it('should check that a problem is problem+json and repeats the HTTP status', () => {
    const problem = (contentType: string, status: number) =>
      exchange({
        status: 404,
        responseHeaders: { 'content-type': contentType, 'upvest-request-id': REQUEST_ID },
        responseBody: JSON.stringify({ type: 'not_found', status }),
      });

    expect(run(problem('application/problem+json', 404), 404).failed).toEqual([]);
    expect(run(problem('application/json', 404)).failed).toEqual([
      'content-type is the documented one: expected application/problem+json, got application/json',
    ]);
    expect(run(problem('application/problem+json', 400)).failed).toEqual([
      'problem status equals the HTTP status: problem says 400, HTTP says 404',
    ]);
  });

  it('should fail a 202 with a body and a 204 that announces one', () => {
    const accepted = exchange({
      method: 'POST',
      status: 202,
      responseHeaders: { 'upvest-request-id': REQUEST_ID },
      responseBody: '{"queued":true}',
    });
    const deleted = exchange({
      method: 'DELETE',
      status: 204,
      responseHeaders: { 'upvest-request-id': REQUEST_ID, 'content-length': '16' },
      responseBody: '',
    });

    expect(run(accepted, 202, 'test_webhook').failed).toEqual([
      'HTTP 202 has no body: got 15 bytes',
    ]);
    expect(run(deleted, 204, 'delete_webhook').failed).toEqual([
      'HTTP 204 has no body: content-length announces 16 bytes',
    ]);
    const empty = { 'upvest-request-id': REQUEST_ID, 'content-length': '0' };
    expect(
      run(
        exchange({ status: 204, responseHeaders: empty, responseBody: '' }),
        204,
        'delete_webhook',
      ).failed,
    ).toEqual([]);
  });
});

describe('checkSpecMockAnswer', () => {
  it('should fail when the mock reports a violation or answers another example', () => {
    const log = new CheckLog();
    const answered = exchange({
      responseHeaders: {
        'content-type': 'application/json',
        'upvest-request-id': REQUEST_ID,
        'sl-violations': '[{"message":"Request header must have required property \'signature\'"}]',
      },
    });

    checkSpecMockAnswer(log, where, answered, webhook, { ...webhook, enabled: true });

    expect(log.results.map((r) => [r.check, r.outcome])).toEqual([
      ['the spec mock found no violation in the request', 'fail'],
      ['body is the documented example', 'fail'],
    ]);
    expect(log.results[1]?.detail).toBe('/enabled: expected true, got false');
  });

  it('should only check violations when the case documents no body', () => {
    const log = new CheckLog();
    checkSpecMockAnswer(log, where, exchange(), undefined, undefined);
    expect(log.results.map((r) => r.outcome)).toEqual(['pass']);
  });
});

describe('jsonDifferences', () => {
  it('should name each differing place as a JSON Pointer, at most the limit', () => {
    expect(jsonDifferences({ a: { 'b/c': 1 }, d: [1, 2] }, { a: { 'b/c': 2 }, d: [1] })).toEqual([
      '/a/b~1c: expected 1, got 2',
      '/d/1: expected 2, got undefined',
    ]);
    expect(jsonDifferences([1, 2, 3], [4, 5, 6], 2)).toHaveLength(2);
    expect(jsonDifferences({ a: 1 }, [1])).toEqual(['/: expected {"a":1}, got [1]']);
    expect(jsonDifferences({ a: [1] }, { a: [1] })).toEqual([]);
  });
});
