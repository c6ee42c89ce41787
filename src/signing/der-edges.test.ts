import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  derElement,
  derInteger,
  derSequence,
  derToRaw,
  rawToDer,
  sequenceElements,
} from './der.js';

const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);

describe('sequenceElements, at the edges of a DER length', () => {
  it('should refuse a sequence tag with nothing after it', () => {
    expect(sequenceElements(Uint8Array.of(0x30))).toBeUndefined();
  });

  it('should refuse a whole element trailing the sequence', () => {
    // 30 03 02 01 07 is complete; 05 00 after it is a second, well-formed element.
    expect(sequenceElements(Uint8Array.of(0x30, 3, 2, 1, 7, 5, 0))).toBeUndefined();
  });

  it('should refuse 0x80 as a length: it is the indefinite form, not 128', () => {
    const content = Uint8Array.from([0x04, 0x7e, ...filled(126, 1)]); // 128 bytes
    expect(sequenceElements(Uint8Array.from([0x30, 0x80, ...content]))).toBeUndefined();
    expect(sequenceElements(Uint8Array.from([0x30, 0x81, 0x80, ...content]))).toEqual([
      { tag: 4, content: filled(126, 1) },
    ]);
  });

  it('should refuse a two-byte length with a leading zero, even for 128 and up', () => {
    const content = Uint8Array.from([0x04, 0x81, 0xc5, ...filled(197, 2)]); // 200 bytes
    expect(sequenceElements(Uint8Array.from([0x30, 0x82, 0x00, 0xc8, ...content]))).toBeUndefined();
    expect(sequenceElements(Uint8Array.from([0x30, 0x81, 0xc8, ...content]))).toEqual([
      { tag: 4, content: filled(197, 2) },
    ]);
  });

  it('should refuse a length written in three bytes, even when it is minimal', () => {
    // 65536 bytes of content: an OCTET STRING of 65530 bytes and a NULL.
    const content = Uint8Array.from([0x04, 0x82, 0xff, 0xfa, ...filled(65530, 3), 0x05, 0x00]);
    expect(content).toHaveLength(0x10000);
    expect(sequenceElements(Uint8Array.from([0x30, 0x83, 0x01, 0x00, 0x00, ...content]))).toBe(
      undefined,
    );
  });

  it('should refuse an element whose long-form length runs past the end', () => {
    // The last element says 0x81 (one length byte follows) and the bytes end there.
    expect(sequenceElements(Uint8Array.of(0x30, 5, 2, 1, 7, 4, 0x81))).toBeUndefined();
  });
});

describe('derToRaw, at its edges', () => {
  it('should refuse a signature whose r reads but whose s does not', () => {
    expect(derToRaw(Uint8Array.of(0x30, 6, 2, 1, 1, 3, 1, 2), 32)).toBeUndefined();
    expect(derToRaw(Uint8Array.of(0x30, 4, 2, 1, 1, 2), 32)).toBeUndefined();
  });

  it('should refuse a sequence whose length byte is 0x80', () => {
    const r = Uint8Array.from([0x02, 0x3e, ...filled(62, 1)]);
    const s = Uint8Array.from([0x02, 0x3e, ...filled(62, 2)]);
    const body = Uint8Array.from([...r, ...s]); // 128 bytes
    expect(derToRaw(Uint8Array.from([0x30, 0x81, 0x80, ...body]), 66)).toHaveLength(132);
    expect(derToRaw(Uint8Array.from([0x30, 0x80, ...body]), 66)).toBeUndefined();
  });
});

describe('derElement and derInteger', () => {
  it.each<[string, number, number[]]>([
    ['127 bytes in the short form', 127, [0x04, 0x7f]],
    ['128 bytes in one long-form byte', 128, [0x04, 0x81, 0x80]],
    ['255 bytes in one long-form byte', 255, [0x04, 0x81, 0xff]],
    ['256 bytes in two long-form bytes', 256, [0x04, 0x82, 0x01, 0x00]],
  ])('should write the length of %s', (_name, length, header) => {
    const element = derElement(0x04, filled(length, 9));
    expect([...element.subarray(0, header.length)]).toEqual(header);
    expect(element).toHaveLength(header.length + length);
  });

  it('should write elements of any length that the strict reader reads back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const der = derSequence(derElement(0x04, a), derElement(0x04, b));
        expect(sequenceElements(der)).toEqual([
          { tag: 4, content: a },
          { tag: 4, content: b },
        ]);
      }),
    );
  });

  it('should write an empty value as the integer zero', () => {
    expect(derInteger(new Uint8Array())).toEqual(Uint8Array.of(2, 1, 0));
  });

  it('should give any r‖s of equal halves back through the reader, whatever their leading zeros', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 66 })
          .chain((size) =>
            fc.tuple(
              fc.uint8Array({ minLength: size, maxLength: size }),
              fc.uint8Array({ minLength: size, maxLength: size }),
            ),
          ),
        ([r, s]) => {
          fc.pre(r.some((byte) => byte !== 0) && s.some((byte) => byte !== 0));
          const raw = Uint8Array.from([...r, ...s]);
          expect(derToRaw(rawToDer(raw), r.length)).toEqual(raw);
        },
      ),
    );
  });
});
