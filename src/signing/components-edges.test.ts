import type { Item } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import {
  MissingComponentError,
  componentValue,
  formatComponentId,
  parseComponentId,
} from './components.js';
import type { HttpMessage } from './message.js';

/** The MissingComponentError a component throws, or a failure when it derives a value. */
function missing(message: HttpMessage, component: string | Item): MissingComponentError {
  try {
    componentValue(message, component);
  } catch (error) {
    expect(error).toBeInstanceOf(MissingComponentError);
    expect(error).toMatchObject({ code: 'missing_component' });
    return error as MissingComponentError;
  }
  throw new Error('expected the component to be missing');
}

const response: HttpMessage = {
  status: 200,
  headers: {},
  request: { method: 'GET', url: 'https://example.com/pets?kind=dog', headers: {} },
};

describe('parseComponentId, around the name', () => {
  it('should trim white space around a name before its parameters', () => {
    expect(formatComponentId(parseComponentId('  Content-Type ;req'))).toBe('content-type;req');
    expect(formatComponentId(parseComponentId(' @Method '))).toBe('@method');
  });
});

describe('formatComponentId and componentValue, for a name that is no string', () => {
  it('should write a name that is no string as its structured-field form', () => {
    expect(formatComponentId([true, new Map<string, never>()])).toBe('?1');
    expect(formatComponentId([7, new Map([['req', true]])])).toBe('7;req');
  });

  it.each<[string, Item, string]>([
    ['a boolean', [true, new Map()], 'cannot derive ?1: the name must be a string'],
    ['an integer', [7, new Map()], 'cannot derive 7: the name must be a string'],
  ])('should refuse %s as a component name', (_name, item, text) => {
    expect(missing({ method: 'GET', headers: {} }, item).message).toBe(text);
  });
});

describe('componentValue, parameters that change what is read', () => {
  it.each(['@method;req=?0', '@method;req="yes"', '@method;req=1'])(
    'should refuse %s: only a true ;req reads the request',
    (component) => {
      expect(missing(response, component).message).toContain(';req needs the request');
    },
  );

  it('should read @query-param and @path of the request for ;req', () => {
    expect(componentValue(response, '@query-param;name="kind";req')).toBe('dog');
    expect(componentValue(response, '@path;req')).toBe('/pets');
  });

  it('should refuse ;name on a derived component other than @query-param', () => {
    const message = { method: 'GET', url: 'https://example.com/?a=b', headers: {} };
    expect(missing(message, '@method;name="a"').message).toContain(
      'the ;name parameter is not supported',
    );
    expect(missing(message, '@path;name="a"').message).toContain(
      'the ;name parameter is not supported',
    );
  });

  it('should say a ;key that is no string names no member, whatever the field holds', () => {
    expect(missing({ headers: { a: '(' } }, 'a;key=1').message).toBe(
      'cannot derive a;key=1: the dictionary has no such key',
    );
  });

  it('should say which query parameter is absent', () => {
    const message = { url: '/a?b=c', headers: {} };
    expect(missing(message, '@query-param;name="x"').message).toBe(
      'cannot derive @query-param;name="x": the query has no such parameter',
    );
  });
});

describe('componentValue, URLs at their edges', () => {
  it('should refuse a URL that does not parse even against a base', () => {
    expect(missing({ url: 'http://[', headers: {} }, '@path').message).toBe(
      'cannot derive @path: the URL does not parse',
    );
  });

  it.each<[string, string]>([
    ['@path', '/'],
    ['@request-target', '/'],
  ])('should give %s of a URL with an empty path as %s', (component, value) => {
    expect(componentValue({ url: 'urn:', headers: {} }, component)).toBe(value);
  });
});
