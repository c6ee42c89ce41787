import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MissingComponentError,
  componentValue,
  formatComponentId,
  parseComponentId,
} from './components.js';
import {
  rfcDerivedComponents,
  rfcQueryParamEncoding,
  rfcRequest,
  rfcRequestBoundResponse,
} from './fixtures/rfc9421.js';
import type { HttpMessage } from './message.js';

describe('componentValue', () => {
  it.each(rfcDerivedComponents.map((example) => [example.component, example] as const))(
    'should derive %s as draft-15 and RFC 9421 show it',
    (_name, example) => {
      expect(componentValue(example.message, example.component)).toBe(example.value);
    },
  );

  it.each([
    ['@method', 'post', 'POST'],
    ['@authority', 'https://EXAMPLE.com:443/a', 'example.com'],
    ['@authority', 'https://example.com:8443/a', 'example.com:8443'],
    ['@scheme', 'HTTPS://example.com/a', 'https'],
    ['@path', 'https://example.com', '/'],
    ['@query', 'https://example.com/a?', '?'],
    ['@request-target', 'https://example.com/a/b?c=d', '/a/b?c=d'],
    ['@target-uri', 'https://example.com/a?b=c', 'https://example.com/a?b=c'],
  ])('should normalize %s of %s to %s', (component, input, value) => {
    const message: HttpMessage =
      component === '@method'
        ? { method: input, headers: {} }
        : { method: 'GET', url: input, headers: {} };
    expect(componentValue(message, component)).toBe(value);
  });

  it('should read the path and query of a relative URL, but not its authority', () => {
    const message = { method: 'POST', url: '/webhooks?limit=5', headers: {} };
    expect(componentValue(message, '@path')).toBe('/webhooks');
    expect(componentValue(message, '@query')).toBe('?limit=5');
    expect(() => componentValue(message, '@authority')).toThrow(MissingComponentError);
  });

  it('should re-encode query parameter names and values as RFC 9421 §2.2.8 shows', () => {
    const message = { method: 'GET', url: rfcQueryParamEncoding.url, headers: {} };
    for (const line of rfcQueryParamEncoding.lines) {
      const [id, value] = line.replace(/^"@query-param"/, '@query-param').split(/: (.*)/s);
      expect(componentValue(message, id ?? '')).toBe(value);
    }
  });

  it('should look header names up case-insensitively, trim values, and join repeated lines', () => {
    const message: HttpMessage = {
      headers: { 'X-Thing': '  a  ', 'x-thing': ['b ', ' c'], Other: '\tz\t' },
    };
    expect(componentValue(message, 'x-thing')).toBe('a, b, c');
    expect(componentValue(message, 'OTHER')).toBe('z');
  });

  it('should read repeated lines from a Headers object in order', () => {
    const headers = new Headers();
    headers.append('accept', 'application/json');
    headers.append('accept', '*/*');
    expect(componentValue({ headers }, 'accept')).toBe('application/json, */*');
  });

  it('should turn obsolete line folding into one space, so no value can add a base line', () => {
    expect(componentValue({ headers: { a: 'one\r\n  two\nthree' } }, 'a')).toBe('one two three');
  });

  it('should serialize one member of a dictionary field for ;key', () => {
    const message = { headers: { 'content-digest': 'sha-256=:AAAA:, sha-512=:BBBB:;x=1' } };
    expect(componentValue(message, 'content-digest;key="sha-512"')).toBe(':BBBB:;x=1');
  });

  it('should read ;req components from the request a response answers', () => {
    expect(componentValue(rfcRequestBoundResponse, '@method;req')).toBe('POST');
    expect(componentValue(rfcRequestBoundResponse, 'content-digest;req')).toBe(
      rfcRequest.headers['content-digest'],
    );
  });

  it.each<[string, HttpMessage, string, string]>([
    ['an absent header', { headers: {} }, 'content-type', 'the header is absent'],
    ['an undefined header', { headers: { a: undefined } }, 'a', 'the header is absent'],
    ['no method', { headers: {} }, '@method', 'no method'],
    ['no status on a request', { method: 'GET', headers: {} }, '@status', 'not a response'],
    ['no URL', { headers: {} }, '@path', 'no URL'],
    ['a relative URL for @target-uri', { url: '/a', headers: {} }, '@target-uri', 'not absolute'],
    ['an unknown derived component', { url: '/a', headers: {} }, '@fragment', 'not a derived'],
    ['@query-param without name', { url: '/a?b=c', headers: {} }, '@query-param', 'name'],
    ['an absent query parameter', { url: '/a?b=c', headers: {} }, '@query-param;name="x"', 'no'],
    [
      'a repeated query parameter',
      { url: '/a?b=1&b=2', headers: {} },
      '@query-param;name="b"',
      'repeats',
    ],
    ['an unsupported parameter', { headers: { a: 'x' } }, 'a;bs', 'the ;bs parameter'],
    [';name on a field', { headers: { a: 'x' } }, 'a;name="y"', 'the ;name parameter'],
    [';key on a non-dictionary', { headers: { a: '(' } }, 'a;key="b"', 'not a structured-field'],
    [';key naming no member', { headers: { a: 'b=1' } }, 'a;key="c"', 'no such key'],
    [';req without a request', { status: 200, headers: {} }, '@method;req', ';req needs'],
  ])('should throw a MissingComponentError for %s', (_name, message, component, detail) => {
    let thrown: unknown;
    try {
      componentValue(message, component);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MissingComponentError);
    expect(thrown).toMatchObject({ code: 'missing_component' });
    expect((thrown as MissingComponentError).message).toContain(detail);
  });
});

describe('parseComponentId and formatComponentId', () => {
  it('should lower-case names and keep parameters', () => {
    expect(formatComponentId(parseComponentId('Content-Type'))).toBe('content-type');
    expect(formatComponentId(parseComponentId('@Query-Param;name="Pet"'))).toBe(
      '@query-param;name="Pet"',
    );
  });

  it.each(['', ';name="x"', 'a;', 'a"b', 'a;name="unterminated'])(
    'should refuse %j as an identifier',
    (id) => {
      expect(() => parseComponentId(id)).toThrow(/not a component identifier/);
    },
  );

  it('should round-trip any lower-case name with string, integer and boolean parameters', () => {
    const key = fc.stringMatching(/^[a-z*][a-z0-9_\-.*]{0,8}$/);
    fc.assert(
      fc.property(
        fc.stringMatching(/^@?[a-z][a-z0-9-]{0,15}$/),
        fc.uniqueArray(
          fc.tuple(
            key,
            fc.oneof(fc.stringMatching(/^[ -~]{0,10}$/), fc.integer(), fc.constant(true)),
          ),
          { selector: ([k]) => k, maxLength: 3 },
        ),
        (name, params) => {
          const item = parseComponentId(`${name}${formatComponentId(['', new Map(params)])}`);
          expect(item[0]).toBe(name);
          expect([...item[1]]).toEqual(params);
          expect(parseComponentId(formatComponentId(item))).toEqual(item);
        },
      ),
    );
  });
});
