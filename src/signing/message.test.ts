import { describe, expect, it } from 'vitest';
import { bodyBytes, toHeaders } from './message.js';

describe('toHeaders', () => {
  it('should copy a Headers object, so adding to the copy leaves the original alone', () => {
    const original = new Headers({ accept: 'application/json' });
    const copy = toHeaders(original);
    copy.set('content-digest', 'sha-256=:x:');
    expect(copy.get('accept')).toBe('application/json');
    expect(original.has('content-digest')).toBe(false);
  });

  it('should keep every line of a repeated header and skip absent ones', () => {
    const headers = toHeaders({
      'x-list': ['a', 'b'],
      accept: 'application/json',
      gone: undefined,
    });
    expect(headers.get('x-list')).toBe('a, b');
    expect(headers.get('accept')).toBe('application/json');
    expect(headers.has('gone')).toBe(false);
  });
});

describe('bodyBytes', () => {
  it.each([
    ['a string, as UTF-8', '{"é":1}', [123, 34, 195, 169, 34, 58, 49, 125]],
    ['bytes, as they are', new Uint8Array([1, 2]), [1, 2]],
    ['no body, as nothing', undefined, []],
  ])('should read %s', (_name, body, expected) => {
    const bytes = bodyBytes({ headers: {}, ...(body === undefined ? {} : { body }) });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual(expected);
  });
});
