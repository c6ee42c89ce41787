import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyBytes, headerValue, toHeaders } from './message.js';

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

describe('headerValue', () => {
  /** The plain reading: every field line of the name, in any case, trimmed, joined with ", ". */
  const reference = (headers: Record<string, string | string[] | undefined>, name: string) => {
    const lines = Object.entries(headers)
      .filter(([key, value]) => key.toLowerCase() === name.toLowerCase() && value !== undefined)
      .flatMap(([, value]) => (typeof value === 'string' ? [value] : (value ?? [])))
      .map((line) => line.trim());
    return lines.length === 0 ? undefined : lines.join(', ');
  };

  it.each<[string, Record<string, string | string[] | undefined>, string, string | undefined]>([
    ['one line', { signature: 'sig1=:AA==:' }, 'signature', 'sig1=:AA==:'],
    ['a name in another case, trimmed', { Signature: ' sig1=:AA==: ' }, 'signature', 'sig1=:AA==:'],
    ['the lines of one field', { accept: ['a', ' b '] }, 'accept', 'a, b'],
    ['two keys that differ in case', { Accept: 'a', accept: ['b'] }, 'ACCEPT', 'a, b'],
    ['a field without lines', { accept: [] }, 'accept', undefined],
    ['an undefined value', { accept: undefined }, 'accept', undefined],
    ['another field of the same length', { accepz: 'x' }, 'accept', undefined],
    ['an empty line', { accept: '' }, 'accept', ''],
  ])('should read %s', (_case, headers, name, expected) => {
    expect(headerValue({ headers }, name)).toBe(expected);
  });

  it('should read every record as the plain reading does', () => {
    const name = fc.constantFrom(
      'accept',
      'ACCEPT',
      'Accept',
      'aCcEpT',
      'accepts',
      'content-type',
      'signature',
    );
    const value = fc.oneof(
      fc.string(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(
        fc.dictionary(name, value),
        fc.constantFrom('accept', 'Accept', 'signature'),
        (headers, wanted) => {
          expect(headerValue({ headers }, wanted)).toBe(reference(headers, wanted));
        },
      ),
    );
  });
});
