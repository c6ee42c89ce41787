import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MockProblem } from './mock-problem.js';
import {
  acceptsJson,
  flattenHeaders,
  mediaType,
  parseFormBody,
  parseJsonBody,
  parseListQuery,
  readBody,
  requestTarget,
} from './mock-request.js';

const BASE = 'http://127.0.0.1:4000';
const bytes = (text: string) => new TextEncoder().encode(text);

/** The status of the MockProblem a call throws, or 'ok'. */
function outcome(call: () => unknown): number | 'ok' {
  return refusal(call)?.status ?? 'ok';
}

/** The MockProblem a call throws, or undefined. */
function refusal(call: () => unknown): MockProblem | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    if (error instanceof MockProblem) return error;
    throw error;
  }
}

/** A request body as node hands it over: a stream with headers. */
function incoming(chunks: Iterable<Buffer> | Readable, headers: Record<string, string> = {}) {
  const stream = chunks instanceof Readable ? chunks : Readable.from(chunks);
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

describe('readBody', () => {
  it('should read a body of exactly the limit', async () => {
    const body = await readBody(incoming([Buffer.alloc(6), Buffer.alloc(4)]), 10);
    expect(body.byteLength).toBe(10);
  });

  it('should refuse a streamed body one byte over the limit with 413', async () => {
    await expect(readBody(incoming([Buffer.alloc(6), Buffer.alloc(5)]), 10)).rejects.toMatchObject({
      status: 413,
    });
  });

  it('should take a declared content-length of exactly the limit', async () => {
    const body = await readBody(incoming([Buffer.alloc(10)], { 'content-length': '10' }), 10);
    expect(body.byteLength).toBe(10);
  });

  it('should refuse a declared content-length over the limit before reading a byte', async () => {
    // The body never comes: only the declared length can end this read.
    const silent = new Readable({ read() {} });
    await expect(readBody(incoming(silent, { 'content-length': '11' }), 10)).rejects.toMatchObject({
      status: 413,
    });
    silent.destroy();
  });
});

describe('flattenHeaders', () => {
  it('should join every line of a repeated header, so none is silently dropped', () => {
    const headers = flattenHeaders({
      headersDistinct: { authorization: ['Bearer a', 'Bearer b'], accept: ['application/json'] },
    });
    expect(headers).toEqual({ authorization: 'Bearer a, Bearer b', accept: 'application/json' });
  });
});

describe('acceptsJson', () => {
  it.each<[string | undefined, boolean]>([
    [undefined, true],
    ['', true],
    ['   ', true],
    ['application/json', true],
    ['Application/JSON', true],
    ['application/json; charset=utf-8', true],
    ['*/*', true],
    ['application/*', true],
    ['text/html, application/json;q=0.1', true],
    ['text/html;q=0.9, */*;q=0.1', true],
    ['application/json;q=0, */*', false],
    ['application/*;q=0, application/json', true],
    ['*/*;q=0', false],
    ['application/json;q=0.000', false],
    ['application/json;q=bogus', false],
    ['application/pdf', false],
    ['text/*', false],
    ['application/problem+json', false],
    ['application/jsonx', false],
    ['application/json;xq=0', true],
    ['application/json;q =0', false],
    ['application/json;q= 0.5', true],
    ['application/json;q=0, application/json', false],
  ])('should answer %j with %s', (accept, expected) => {
    expect(acceptsJson(accept)).toBe(expected);
  });

  it('should never throw, whatever the header says', () => {
    fc.assert(fc.property(fc.string(), (accept) => typeof acceptsJson(accept) === 'boolean'));
  });
});

describe('requestTarget', () => {
  it.each<[string | undefined, string | undefined]>([
    ['/webhooks', '/webhooks'],
    ['/webhooks?limit=5', '/webhooks'],
    ['//evil.tld/webhooks', '//evil.tld/webhooks'],
    ['/webhooks/../auth/token', '/auth/token'],
    ['http://elsewhere.tld/webhooks?limit=1', '/webhooks'],
    ['*', undefined],
    ['webhooks', undefined],
    ['xhttp://elsewhere.tld/webhooks', undefined],
    [undefined, undefined],
  ])('should read %j as the path %j', (target, path) => {
    expect(requestTarget(target, BASE)?.pathname).toBe(path);
  });

  it('should keep the query and stay on the base', () => {
    const url = requestTarget('http://elsewhere.tld/webhooks?limit=1', BASE);
    expect(url?.href).toBe(`${BASE}/webhooks?limit=1`);
  });

  it('should never throw nor leave the base, whatever the target is', () => {
    fc.assert(
      fc.property(fc.string(), (target) => {
        const url = requestTarget(target, BASE);
        return url === undefined || url.origin === BASE;
      }),
    );
  });
});

describe('mediaType', () => {
  it.each<[string | undefined, string | undefined]>([
    ['application/json', 'application/json'],
    ['Application/JSON; charset=utf-8', 'application/json'],
    ['application/json ; charset=utf-8', 'application/json'],
    ['text/plain;a=1;b=2', 'text/plain'],
    ['', undefined],
    ['; charset=utf-8', undefined],
    [undefined, undefined],
  ])('should read %j as %j', (header, type) => {
    expect(mediaType(header === undefined ? {} : { 'content-type': header })).toBe(type);
  });
});

describe('parseJsonBody', () => {
  const json = { 'content-type': 'application/json' };
  it.each<[string, Record<string, string>, string, number | 'ok']>([
    ['an object', json, '{"a":1}', 'ok'],
    ['null', json, 'null', 'ok'],
    ['malformed JSON', json, '{"a":', 400],
    ['an empty body', json, '', 400],
    ['text/plain', { 'content-type': 'text/plain' }, '{}', 400],
    ['no content-type', {}, '{}', 400],
    ['merge-patch JSON', { 'content-type': 'application/merge-patch+json' }, '{}', 400],
  ])('should take %s as %s', (_name, headers, body, expected) => {
    expect(outcome(() => parseJsonBody(headers, bytes(body)))).toBe(expected);
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['the type it got', { 'content-type': 'text/plain' }, '{}', 'application/json, got text/plain'],
    ['that there was no type', {}, '{}', 'application/json, got no content-type'],
    ['that JSON does not parse', json, '{', 'the body is not valid JSON'],
  ])('should say %s', (_name, headers, body, detail) => {
    expect(refusal(() => parseJsonBody(headers, bytes(body)))?.detail).toContain(detail);
  });
});

describe('parseFormBody', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  it('should read the fields of a form', () => {
    expect(parseFormBody(form, bytes('a=1&b=two+words&c=%2F'))).toEqual({
      a: '1',
      b: 'two words',
      c: '/',
    });
  });

  it.each<[string, Record<string, string>, string]>([
    ['a repeated field', form, 'a=1&a=2'],
    ['a JSON body', { 'content-type': 'application/json' }, '{"a":1}'],
    ['no content-type', {}, 'a=1'],
  ])('should refuse %s with 400', (_name, headers, body) => {
    expect(outcome(() => parseFormBody(headers, bytes(body)))).toBe(400);
  });

  it('should name the repeated field and the type it wants', () => {
    expect(refusal(() => parseFormBody(form, bytes('a=1&a=2')))?.detail).toBe(
      'the form field a is repeated',
    );
    expect(refusal(() => parseFormBody({}, bytes('a=1')))?.detail).toContain(
      'must be application/x-www-form-urlencoded',
    );
  });
});

describe('parseListQuery', () => {
  const query = (search: string) => parseListQuery(new URL(`${BASE}/webhooks${search}`));

  it.each<[string, Record<string, unknown>]>([
    ['', {}],
    ['?limit=10&offset=0', { limit: 10, offset: 0 }],
    ['?limit=007', { limit: '007' }],
    ['?limit=%2B5', { limit: '+5' }],
    ['?limit=5.0', { limit: '5.0' }],
    ['?limit=1e2', { limit: '1e2' }],
    ['?limit=-1', { limit: '-1' }],
    ['?limit=99999999999', { limit: '99999999999' }],
    ['?limit=&offset=', {}],
    ['?sort=title&order=DESC', { sort: 'title', order: 'DESC' }],
    ['?sort=10', { sort: '10' }],
    ['?page=2', { page: '2' }],
  ])('should read %j as %j', (search, expected) => {
    expect(query(search)).toEqual(expected);
  });

  it('should refuse a repeated parameter with 400, naming it', () => {
    expect(outcome(() => query('?limit=1&limit=2'))).toBe(400);
    expect(refusal(() => query('?limit=1&limit=2'))?.detail).toBe(
      'the query parameter limit is repeated',
    );
  });

  it('should coerce exactly the plain decimal integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (limit) => {
        expect(query(`?limit=${limit}`)).toEqual({ limit });
      }),
    );
  });
});
