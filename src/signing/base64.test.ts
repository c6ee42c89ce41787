import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, base64UrlToBytes, bytesToBase64 } from './base64.js';

describe('base64 without Buffer', () => {
  it("should agree with Node's Buffer on any bytes, both ways", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(bytesToBase64(bytes)).toBe(text);
        expect(base64ToBytes(text)).toEqual(bytes);
        expect(base64UrlToBytes(Buffer.from(bytes).toString('base64url'))).toEqual(bytes);
      }),
    );
  });

  it('should encode more bytes than a call can take as arguments', () => {
    const big = new Uint8Array(200_000).fill(0xab);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it.each([
    ['stray bits in the last character', 'aGl='],
    ['missing padding', 'aGk'],
    ['whitespace', 'aG k='],
    ['the url alphabet', 'a-_='],
    ['padding in the middle', 'aG==aGk='],
  ])('should refuse base64 with %s', (_name, text) => {
    expect(base64ToBytes(text)).toBeUndefined();
  });

  it('should refuse base64url with padding, the standard alphabet or a lone last character', () => {
    expect(base64UrlToBytes('aGk=')).toBeUndefined();
    expect(base64UrlToBytes('aGlha')).toBeUndefined();
    expect(base64UrlToBytes('a+b/')).toBeUndefined();
  });
});
