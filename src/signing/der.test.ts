import fc from 'fast-check';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derInteger as writeInteger, derToRaw, rawToDer, sequenceElements } from './der.js';

/** A canonical DER INTEGER of a positive big-endian value (leading zeros stripped). */
function derInteger(value: Uint8Array): number[] {
  let bytes = [...value];
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.slice(1);
  if (bytes[0]! & 0x80) bytes = [0, ...bytes];
  return [0x02, ...derLength(bytes.length), ...bytes];
}

function derLength(length: number): number[] {
  return length < 0x80 ? [length] : [0x81, length];
}

function derSignature(r: Uint8Array, s: Uint8Array): Uint8Array {
  const body = [...derInteger(r), ...derInteger(s)];
  return Uint8Array.from([0x30, ...derLength(body.length), ...body]);
}

const padded = (value: Uint8Array, size: number) => {
  const out = new Uint8Array(size);
  out.set(value, size - value.length);
  return out;
};

// r and s: non-zero scalars of up to 66 bytes (P-521's length).
const scalar = fc
  .uint8Array({ minLength: 1, maxLength: 66 })
  .filter((bytes) => bytes.some((byte) => byte !== 0));

describe('derToRaw', () => {
  it('should turn any canonical DER signature into r‖s padded to the curve size', () => {
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        const raw = derToRaw(derSignature(r, s), 66);
        expect(raw).toEqual(Uint8Array.from([...padded(r, 66), ...padded(s, 66)]));
      }),
    );
  });

  it('should give r‖s that Node verifies, for signatures Node wrote in DER', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    for (let i = 0; i < 20; i += 1) {
      const data = new TextEncoder().encode(`message ${i}`);
      const der = sign('sha512', data, { key: privateKey, dsaEncoding: 'der' });
      const raw = derToRaw(der, 66)!;
      expect(raw).toHaveLength(132);
      expect(verify('sha512', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
    }
  });

  const good = derSignature(Uint8Array.of(1), Uint8Array.of(2)); // 30 06 02 01 01 02 01 02
  it.each<[string, Uint8Array, number]>([
    ['an empty array', new Uint8Array(), 32],
    ['a trailing byte', Uint8Array.from([...good, 0]), 32],
    ['a sequence length one short', Uint8Array.from([0x30, 5, ...good.subarray(2)]), 32],
    ['a long-form length below 128', Uint8Array.from([0x30, 0x81, 6, ...good.subarray(2)]), 32],
    [
      'an integer with a needless leading zero',
      Uint8Array.from([0x30, 7, 2, 2, 0, 1, 2, 1, 2]),
      32,
    ],
    ['a negative integer', Uint8Array.from([0x30, 6, 2, 1, 0x81, 2, 1, 2]), 32],
    ['a zero r', Uint8Array.from([0x30, 6, 2, 1, 0, 2, 1, 2]), 32],
    ['an empty integer', Uint8Array.from([0x30, 5, 2, 0, 2, 1, 2]), 32],
    ['an r longer than the curve', derSignature(new Uint8Array(33).fill(1), Uint8Array.of(2)), 32],
    ['a third integer', Uint8Array.from([0x30, 9, 2, 1, 1, 2, 1, 2, 2, 1, 3]), 32],
    ['a set instead of a sequence', Uint8Array.from([0x31, ...good.subarray(1)]), 32],
    [
      'a long-form length with a leading zero byte',
      Uint8Array.from([0x30, 0x82, 0, 6, ...good.subarray(2)]),
      32,
    ],
    ['a length in three bytes', Uint8Array.from([0x30, 0x83, 0, 0, 6, ...good.subarray(2)]), 32],
    ['a long-form length of no bytes', Uint8Array.from([0x30, 0x80, ...good.subarray(2)]), 32],
    ['a sequence whose length runs past the end', Uint8Array.from([0x30, 0x81]), 32],
    ['an integer tag other than 2', Uint8Array.from([0x30, 6, 3, 1, 1, 2, 1, 2]), 32],
  ])('should refuse %s', (_name, der, size) => {
    expect(derToRaw(der, size)).toBeUndefined();
  });

  it('should never throw on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), (bytes) => {
        const raw = derToRaw(bytes, 66);
        expect(raw === undefined || raw.length === 132).toBe(true);
      }),
    );
  });
});

describe('sequenceElements', () => {
  it('should read a long-form length of exactly 128, and refuse trailing bytes after the sequence', () => {
    const content = new Uint8Array(126).fill(1);
    const der = Uint8Array.from([0x30, 0x81, 0x80, 0x04, 0x7e, ...content]);
    expect(sequenceElements(der)).toEqual([{ tag: 4, content }]);
    expect(sequenceElements(Uint8Array.from([0x30, 3, 2, 1, 7, 0]))).toBeUndefined();
  });

  it('should read a sequence whose length takes two bytes', () => {
    const content = new Uint8Array(300).fill(7);
    const der = Uint8Array.from([0x30, 0x82, 0x01, 0x30, 0x04, 0x82, 0x01, 0x2c, ...content]);
    expect(sequenceElements(der)).toEqual([{ tag: 4, content }]);
  });

  it('should list the tags and contents of a sequence, and refuse a truncated one', () => {
    expect(sequenceElements(Uint8Array.from([0x30, 5, 2, 1, 7, 5, 0]))).toEqual([
      { tag: 2, content: Uint8Array.of(7) },
      { tag: 5, content: new Uint8Array() },
    ]);
    expect(sequenceElements(Uint8Array.from([0x30, 5, 2, 4, 7, 5, 0]))).toBeUndefined();
    expect(sequenceElements(Uint8Array.from([0x04, 0]))).toBeUndefined();
  });
});

describe('rawToDer', () => {
  // r‖s as Web Crypto signs it: both halves at the curve's size, neither zero.
  const rawSignature = fc
    .constantFrom(32, 66)
    .chain((size) =>
      fc.tuple(
        fc.uint8Array({ minLength: size, maxLength: size }),
        fc.uint8Array({ minLength: size, maxLength: size }),
      ),
    )
    .filter(([r, s]) => r.some((byte) => byte !== 0) && s.some((byte) => byte !== 0));

  it('should write DER that the strict reader reads back to the same r‖s', () => {
    fc.assert(
      fc.property(rawSignature, ([r, s]) => {
        const raw = Uint8Array.from([...r, ...s]);
        expect(derToRaw(rawToDer(raw), r.length)).toEqual(raw);
      }),
    );
  });

  it('should write the same DER as the independent encoder of these tests', () => {
    fc.assert(
      fc.property(rawSignature, ([r, s]) => {
        expect(rawToDer(Uint8Array.from([...r, ...s]))).toEqual(derSignature(r, s));
      }),
    );
  });

  it('should write the DER Node verifies, for r‖s Node signed', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 20; i += 1) {
      const data = new TextEncoder().encode(`message ${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, rawToDer(raw))).toBe(
        true,
      );
    }
  });

  it('should write each integer minimally, with a zero byte only before a high bit', () => {
    expect(writeInteger(Uint8Array.of(0, 0, 0x7f))).toEqual(Uint8Array.of(2, 1, 0x7f));
    expect(writeInteger(Uint8Array.of(0, 0x80))).toEqual(Uint8Array.of(2, 2, 0, 0x80));
    expect(writeInteger(Uint8Array.of(0, 0))).toEqual(Uint8Array.of(2, 1, 0));
  });
});
