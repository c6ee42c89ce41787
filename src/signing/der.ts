/**
 * ECDSA signatures in DER (ASN.1 `SEQUENCE { r INTEGER, s INTEGER }`, what Upvest's signers and
 * OpenSSL write) turned into the fixed-length r‖s that Web Crypto verifies (IEEE P1363, RFC 9421
 * §3.3.4), and back: Web Crypto signs r‖s, and Upvest's signers send DER. Only canonical DER is
 * read, as OpenSSL reads it: a signature spelled two ways would be two signatures. The writer
 * also frames the keys Web Crypto imports (key-material.ts).
 */

/**
 * r‖s, each left-padded to `size` bytes (66 for P-521, 32 for P-256), of a canonical DER
 * signature; `undefined` when the bytes are not one.
 *
 * @example
 * ```ts
 * derToRaw(new Uint8Array([0x30, 6, 2, 1, 1, 2, 1, 2]), 32); // 64 bytes: 0…01 0…02
 * ```
 */
export function derToRaw(der: Uint8Array, size: number): Uint8Array | undefined {
  if (der[0] !== 0x30) return undefined;
  const sequence = readLength(der, 1);
  if (!sequence || sequence.end + sequence.length !== der.length) return undefined;
  const r = readInteger(der, sequence.end, size);
  const s = r && readInteger(der, r.end, size);
  if (!r || !s || s.end !== der.length) return undefined;
  const raw = new Uint8Array(size * 2);
  raw.set(r.value, size - r.value.length);
  raw.set(s.value, size * 2 - s.value.length);
  return raw;
}

/**
 * The elements of a DER SEQUENCE, each as its tag and content; `undefined` when the bytes are
 * not one SEQUENCE of well-formed elements.
 *
 * @example
 * ```ts
 * sequenceElements(new Uint8Array([0x30, 3, 2, 1, 7])); // [{ tag: 2, content: Uint8Array [7] }]
 * ```
 */
export function sequenceElements(
  der: Uint8Array,
): { tag: number; content: Uint8Array }[] | undefined {
  if (der[0] !== 0x30) return undefined;
  const outer = readLength(der, 1);
  if (!outer || outer.end + outer.length !== der.length) return undefined;
  const elements: { tag: number; content: Uint8Array }[] = [];
  let at = outer.end;
  while (at < der.length) {
    const header = readLength(der, at + 1);
    if (!header || header.end + header.length > der.length) return undefined;
    elements.push({ tag: der[at]!, content: der.subarray(header.end, header.end + header.length) });
    at = header.end + header.length;
  }
  return elements;
}

/** A DER length at `at`: short form, or long form in one or two bytes, minimal either way. */
function readLength(bytes: Uint8Array, at: number): { length: number; end: number } | undefined {
  // Past the end reads as a long form of no bytes, which is refused below.
  const first = bytes[at] ?? 0x80;
  if (first < 0x80) return { length: first, end: at + 1 };
  const count = first & 0x7f;
  if (count < 1 || count > 2 || at + 1 + count > bytes.length) return undefined;
  let length = 0;
  for (let i = 1; i <= count; i += 1) length = length * 256 + bytes[at + i]!;
  // Minimal: a long form only for 128 and up, and no leading zero byte.
  if (length < 0x80 || bytes[at + 1] === 0) return undefined;
  return { length, end: at + 1 + count };
}

/** A positive, minimally encoded INTEGER of at most `size` bytes (its sign byte aside). */
function readInteger(
  bytes: Uint8Array,
  at: number,
  size: number,
): { value: Uint8Array; end: number } | undefined {
  if (bytes[at] !== 0x02) return undefined;
  const header = readLength(bytes, at + 1);
  if (!header || header.length === 0) return undefined;
  const end = header.end + header.length;
  if (end > bytes.length) return undefined;
  let value = bytes.subarray(header.end, end);
  if (value[0]! & 0x80) return undefined; // negative
  if (value[0] === 0) {
    // A leading zero only where the next byte would read as a sign bit (and r, s are never 0).
    if (value.length === 1 || !(value[1]! & 0x80)) return undefined;
    value = value.subarray(1);
  }
  if (value.length > size) return undefined;
  return { value, end };
}

/**
 * A DER element: its tag, a minimal length (up to 65535 bytes, more than any key or signature
 * here), and the parts of its content in order.
 *
 * @example
 * ```ts
 * derElement(0x04, Uint8Array.of(7)); // Uint8Array [4, 1, 7]
 * ```
 */
export function derElement(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const header =
    length < 0x80
      ? [tag, length]
      : length < 0x100
        ? [tag, 0x81, length]
        : [tag, 0x82, length >> 8, length & 0xff];
  const out = new Uint8Array(header.length + length);
  out.set(header);
  let at = header.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * A DER SEQUENCE of elements.
 *
 * @example
 * ```ts
 * derSequence(derInteger(Uint8Array.of(7))); // Uint8Array [0x30, 3, 2, 1, 7]
 * ```
 */
export const derSequence = (...elements: Uint8Array[]): Uint8Array => derElement(0x30, ...elements);

/**
 * The canonical DER INTEGER of an unsigned big-endian value: leading zeros dropped, one put
 * back where the first byte would read as a sign bit.
 *
 * @example
 * ```ts
 * derInteger(Uint8Array.of(0, 0, 0x80)); // Uint8Array [2, 2, 0, 0x80]
 * ```
 */
export function derInteger(value: Uint8Array): Uint8Array {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  const digits = value.subarray(start);
  return digits[0]! & 0x80
    ? derElement(0x02, Uint8Array.of(0), digits)
    : derElement(0x02, digits.length > 0 ? digits : Uint8Array.of(0));
}

/**
 * The DER signature of r‖s (two halves of equal length), the inverse of {@link derToRaw}.
 *
 * @example
 * ```ts
 * rawToDer(Uint8Array.of(0, 1, 0, 2)); // Uint8Array [0x30, 6, 2, 1, 1, 2, 1, 2]
 * ```
 */
export function rawToDer(raw: Uint8Array): Uint8Array {
  const size = raw.length / 2;
  return derSequence(derInteger(raw.subarray(0, size)), derInteger(raw.subarray(size)));
}
