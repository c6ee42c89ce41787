/**
 * What a known secret is replaced with.
 *
 * @example
 * ```ts
 * error.message.includes(REDACTED); // the server echoed a secret, and it was scrubbed
 * ```
 */
const REDACTED = '[redacted]';

/** Shorter strings would redact ordinary words; a real token or secret is never that short. */
const MIN_SECRET_LENGTH = 4;

/** A base64 fragment this short could stand for anything; a longer one is the secret's. */
const MIN_BASE64_FRAGMENT = 8;

const encoder = new TextEncoder();

/** What any reading but the raw one undoes, and line breaks: without them, a text is plain. */
const ESCAPES_OR_BREAKS = /[%\\&+\n\r]/;

/**
 * A text decoded into UTF-8 bytes, each byte remembering the stretch of the original text it
 * came from, so that a secret found among the bytes can be cut out of the text.
 */
interface DecodedView {
  readonly bytes: Uint8Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  /** 1 for a space or tab that indents a line after a break: a match may skip it. */
  readonly optional: Uint8Array;
  readonly length: number;
}

const HEX = /^[0-9a-fA-F]+$/;
const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};
const JSON_SHORT: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  r: '\r',
  t: '\t',
};

/**
 * The escapes one reading of a text undoes. Each reading undoes one kind, or all of them: a
 * greedy reader of every kind would misread a secret that holds `%41`, `\\b` or `&amp;`
 * itself, and one of the single readings finds it.
 */
interface Reading {
  /** `%XX` as the byte it stands for. */
  readonly percent: boolean;
  /** `+` as a space (form encoding). */
  readonly plus: boolean;
  /** JSON's escapes, `\\n` as a line break. */
  readonly json: boolean;
  /** HTML and XML character references. */
  readonly html: boolean;
}

/** The readings tried, each only when the text has what its escapes start with. */
const READINGS: readonly Reading[] = [
  { percent: false, plus: false, json: false, html: false },
  { percent: true, plus: false, json: false, html: false },
  { percent: true, plus: true, json: false, html: false },
  { percent: false, plus: false, json: true, html: false },
  { percent: false, plus: false, json: false, html: true },
  { percent: true, plus: false, json: true, html: true },
  { percent: true, plus: true, json: true, html: true },
];

/** The one token that starts at `i`: what it stands for, and where it ends. */
interface Token {
  /** Code points or raw bytes; `undefined` for a line break to skip. */
  readonly value: { readonly codePoint: number } | { readonly byte: number } | undefined;
  readonly end: number;
}

const hexAt = (text: string, i: number, length: number): number | undefined => {
  const digits = text.slice(i, i + length);
  return digits.length === length && HEX.test(digits) ? Number.parseInt(digits, 16) : undefined;
};

/** JSON's `\\uXXXX` (a surrogate pair as one code point) and its short escapes. */
function jsonEscapeAt(text: string, i: number): Token | undefined {
  const next = text[i + 1] ?? '';
  if (next === 'u') {
    const unit = hexAt(text, i + 2, 4);
    if (unit === undefined) return undefined;
    const low = text.startsWith('\\u', i + 6) ? hexAt(text, i + 8, 4) : undefined;
    if (unit >= 0xd800 && unit < 0xdc00 && low !== undefined && low >= 0xdc00 && low < 0xe000) {
      return {
        value: { codePoint: 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00) },
        end: i + 12,
      };
    }
    return { value: { codePoint: unit }, end: i + 6 };
  }
  if (next === 'n') return { value: undefined, end: i + 2 };
  const short = JSON_SHORT[next];
  return short === undefined
    ? undefined
    : { value: { codePoint: short.charCodeAt(0) }, end: i + 2 };
}

/** `&amp;`, `&#43;`, `&#x2B;` and their kin. */
function characterReferenceAt(text: string, i: number): Token | undefined {
  const reference = /^&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/.exec(text.slice(i, i + 12));
  if (!reference) return undefined;
  const name = reference[1] ?? '';
  const codePoint =
    name.startsWith('#x') || name.startsWith('#X')
      ? Number.parseInt(name.slice(2), 16)
      : name.startsWith('#')
        ? Number.parseInt(name.slice(1), 10)
        : NAMED[name]?.charCodeAt(0);
  if (codePoint === undefined || codePoint > 0x10ffff) return undefined;
  return { value: { codePoint }, end: i + reference[0].length };
}

/**
 * Reads one token of `text` at `i`, undoing the escapes `reading` names. A real line break is
 * always a token to skip: a secret may be broken over lines.
 */
function tokenAt(text: string, i: number, reading: Reading): Token {
  const char = text[i] ?? '';
  const escaped =
    char === '%' && reading.percent
      ? ((byte) => (byte === undefined ? undefined : { value: { byte }, end: i + 3 }))(
          hexAt(text, i + 1, 2),
        )
      : char === '\\' && reading.json
        ? jsonEscapeAt(text, i)
        : char === '&' && reading.html
          ? characterReferenceAt(text, i)
          : undefined;
  if (escaped) return escaped;
  if (char === '\n') return { value: undefined, end: i + 1 };
  if (char === '\r' && text[i + 1] === '\n') return { value: undefined, end: i + 2 };
  if (char === '+' && reading.plus) return { value: { codePoint: 0x20 }, end: i + 1 };
  const codePoint = text.codePointAt(i) ?? 0;
  return { value: { codePoint }, end: i + (codePoint > 0xffff ? 2 : 1) };
}

/** The UTF-8 bytes of one code point (a lone surrogate as U+FFFD, as TextEncoder does). */
function utf8(codePoint: number): number[] {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 63)];
  if (codePoint >= 0xd800 && codePoint < 0xe000) return [0xef, 0xbf, 0xbd];
  if (codePoint < 0x10000) {
    return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 63), 0x80 | (codePoint & 63)];
  }
  return [
    0xf0 | (codePoint >> 18),
    0x80 | ((codePoint >> 12) & 63),
    0x80 | ((codePoint >> 6) & 63),
    0x80 | (codePoint & 63),
  ];
}

/**
 * The whole text decoded token by token (see {@link tokenAt}). Spaces and tabs that indent a line
 * after a break are kept but marked optional: they may be indentation or the secret's own.
 */
function decode(text: string, reading: Reading): DecodedView {
  // A token yields at most three bytes per character it spans (a BMP character written as is).
  const capacity = text.length * 3;
  const bytes = new Uint8Array(capacity);
  const starts = new Uint32Array(capacity);
  const ends = new Uint32Array(capacity);
  const optional = new Uint8Array(capacity);
  let length = 0;
  let indenting = false;
  for (let i = 0; i < text.length;) {
    const token = tokenAt(text, i, reading);
    const value = token.value;
    const out = value === undefined ? [] : 'byte' in value ? [value.byte] : utf8(value.codePoint);
    const blank = out.length === 1 && (out[0] === 0x20 || out[0] === 0x09);
    indenting = value === undefined || (indenting && blank);
    for (const byte of out) {
      bytes[length] = byte;
      starts[length] = i;
      ends[length] = token.end;
      optional[length] = indenting ? 1 : 0;
      length += 1;
    }
    i = token.end;
  }
  return { bytes, starts, ends, optional, length };
}

/**
 * Where `needle` occurs among the view's bytes, as stretches of the original text. Optional bytes
 * (indentation after a break) are matched where the needle has them and skipped where not.
 */
function find(view: DecodedView, needle: Uint8Array, into: [number, number][]): void {
  const { bytes, optional, length } = view;
  for (let k = 0; k < length; k += 1) {
    if (bytes[k] !== needle[0]) continue;
    let v = k + 1;
    let j = 1;
    while (j < needle.length && v < length) {
      if (bytes[v] === needle[j]) j += 1;
      else if (optional[v] !== 1) break;
      v += 1;
    }
    if (j === needle.length) {
      into.push([view.starts[k] ?? 0, view.ends[v - 1] ?? 0]);
      k = v - 1;
    }
  }
}

const formEncoded = (text: string) => new URLSearchParams({ s: text }).toString().slice(2);

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/**
 * The base64 texts that stand for the secret inside any longer base64 text (a Basic credential
 * `id:secret`, a token that embeds it), at each of the three byte offsets it can start at: the
 * characters that encode only the secret's own bytes. Standard and URL-safe alphabets.
 */
function base64Forms(secret: Uint8Array): string[] {
  const forms: string[] = [];
  for (const offset of [0, 1, 2]) {
    const padded = new Uint8Array(offset + secret.length);
    padded.set(secret, offset);
    const encoded = toBase64(padded).replace(/=+$/, '');
    // Whole groups of three bytes that hold secret bytes only; at offset 0, all of it.
    const core = offset === 0 ? encoded : encoded.slice(4, Math.floor(padded.length / 3) * 4);
    if (core.length < MIN_BASE64_FRAGMENT) continue;
    forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(forms)];
}

/** Replaces the given stretches of `text` (in any order, overlapping or not). */
function cut(text: string, stretches: [number, number][]): string {
  if (stretches.length === 0) return text;
  stretches.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let at = 0;
  for (const [start, end] of stretches) {
    if (end <= at) continue;
    out += `${text.slice(at, Math.max(at, start))}${REDACTED}`;
    at = end;
  }
  return out + text.slice(at);
}

/**
 * Replaces known secrets, in every spelling a text can carry them in, with `[redacted]`.
 *
 * @example
 * ```ts
 * const redact = createRedactor([clientSecret]);
 * redact.text('client_secret=Zm9v%2BYmFy'); // 'client_secret=[redacted]'
 * ```
 */
export interface Redactor {
  /** The text with every secret replaced. */
  text(text: string): string;
  /** A copy of a JSON-like value with every string (keys included) redacted. */
  value<T>(value: T): T;
}

/**
 * Builds a {@link Redactor} for the given secrets (client secrets, access tokens; `undefined`
 * and very short entries are ignored). It finds each secret as written, percent-encoded (upper
 * or lower case, once or twice), form-encoded, JSON-escaped, as an HTML or XML character
 * reference, base64-encoded (standard or URL-safe, also inside a longer base64 text), broken
 * over lines, and any mixture of those. Linear in the text; nothing is compiled.
 *
 * Servers and proxies echo request headers and form fields into error bodies; whatever this
 * package puts into an error, a log line or a report must not carry a secret back out.
 *
 * @example
 * ```ts
 * import { createRedactor } from 'upvest-webhooks';
 *
 * const redact = createRedactor([process.env.UPVEST_CLIENT_SECRET]);
 * console.error(redact.text(String(error)));
 * ```
 */
export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const known = [
    ...new Set(
      secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH),
    ),
  ];
  if (known.length === 0) return { text: (text) => text, value: (value) => value };
  const spelled = known.map((secret) => encoder.encode(secret));
  // Encoded twice, a secret is its encoded form once one layer is undone.
  const encodedOnce = known
    .flatMap((secret) => [encodeURIComponent(secret), formEncoded(secret)])
    .map((form) => encoder.encode(form));
  const base64 = spelled.flatMap(base64Forms).map((form) => encoder.encode(form));
  // Plain text: nothing to undo, so the secrets and their base64 are looked for as they are.
  const plainNeedles = [...known, ...spelled.flatMap(base64Forms)];
  const plain = (input: string): string => {
    const stretches: [number, number][] = [];
    for (const needle of plainNeedles) {
      for (let at = input.indexOf(needle); at !== -1; at = input.indexOf(needle, at + 1)) {
        stretches.push([at, at + needle.length]);
      }
    }
    return cut(input, stretches);
  };
  const text = (input: string): string => {
    if (!ESCAPES_OR_BREAKS.test(input)) return plain(input);
    const stretches: [number, number][] = [];
    const seen = new Set<string>();
    for (const wanted of READINGS) {
      // A reading whose escapes the text does not hold is one already tried.
      const reading: Reading = {
        percent: wanted.percent && input.includes('%'),
        plus: wanted.plus && input.includes('+'),
        json: wanted.json && input.includes('\\'),
        html: wanted.html && input.includes('&'),
      };
      const key = JSON.stringify(reading);
      if (seen.has(key)) continue;
      seen.add(key);
      const view = decode(input, reading);
      for (const needle of spelled) find(view, needle, stretches);
      // Base64 has a `+` of its own; twice-encoded text is the encoded secret once decoded.
      if (!reading.plus) for (const needle of base64) find(view, needle, stretches);
      if (reading.percent) for (const needle of encodedOnce) find(view, needle, stretches);
    }
    return cut(input, stretches);
  };
  const walk = (current: unknown): unknown => {
    if (typeof current === 'string') return text(current);
    if (Array.isArray(current)) return current.map(walk);
    if (current && typeof current === 'object') {
      return Object.fromEntries(
        Object.entries(current as Record<string, unknown>).map(([k, v]) => [text(k), walk(v)]),
      );
    }
    return current;
  };
  return { text, value: <T>(value: T) => walk(value) as T };
}

/**
 * Replaces every occurrence of the given secrets, in every spelling {@link createRedactor}
 * knows, in a string or in the strings of a JSON-like value.
 *
 * @example
 * ```ts
 * redactSecrets({ detail: 'token dG9rZW4 expired' }, ['dG9rZW4']); // { detail: 'token [redacted] expired' }
 * ```
 */
export function redactSecrets<T>(value: T, secrets: readonly (string | undefined)[]): T {
  return createRedactor(secrets).value(value);
}
