/**
 * RFC 3492 Punycode decoding of one label's tail (what follows `xn--`), written out because
 * Node's URL parser changed its verdict between versions (Node 20 refuses `xn--a.com`, Node 24
 * accepts it): the URL rule must give one answer on every supported Node.
 */
const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;
const MAX_CODE_POINT = 0x10ffff;

function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) >> 1) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

function digitOf(char: number): number {
  if (char >= 0x30 && char <= 0x39) return char - 0x30 + 26; // 0-9
  if (char >= 0x61 && char <= 0x7a) return char - 0x61; // a-z
  if (char >= 0x41 && char <= 0x5a) return char - 0x41; // A-Z
  return BASE; // not a digit
}

/**
 * The code points a Punycode string encodes, or undefined when it is not valid Punycode.
 *
 * @example
 * ```ts
 * decodePunycode('bcher-kva'); // [98, 252, 99, 104, 101, 114] ('bücher')
 * decodePunycode('a'); // [128] (a C1 control: valid Punycode, no valid host label)
 * ```
 */
export function decodePunycode(input: string): number[] | undefined {
  const delimiter = input.lastIndexOf('-');
  const output: number[] = [];
  for (let j = 0; j < Math.max(delimiter, 0); j++) {
    const char = input.charCodeAt(j);
    if (char >= 0x80) return undefined;
    output.push(char);
  }
  let n = INITIAL_N;
  let i = 0;
  let bias = INITIAL_BIAS;
  for (let index = delimiter > 0 ? delimiter + 1 : 0; index < input.length;) {
    const oldI = i;
    for (let w = 1, k = BASE; ; k += BASE) {
      if (index >= input.length) return undefined;
      const digit = digitOf(input.charCodeAt(index++));
      if (digit >= BASE) return undefined;
      i += digit * w;
      if (i > MAX_CODE_POINT * 64) return undefined;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      w *= BASE - t;
    }
    const points = output.length + 1;
    bias = adapt(i - oldI, points, oldI === 0);
    n += Math.floor(i / points);
    i %= points;
    if (n > MAX_CODE_POINT) return undefined;
    output.splice(i, 0, n);
    i += 1;
  }
  return output;
}

/**
 * Whether an `xn--` label encodes a label a host can have: valid Punycode, at least one
 * non-ASCII code point (else it should be written as ASCII), no control characters, no
 * surrogates. Labels without the prefix are not its concern.
 *
 * @example
 * ```ts
 * isValidAceLabel('xn--bcher-kva'); // true
 * isValidAceLabel('xn--a'); // false
 * ```
 */
export function isValidAceLabel(label: string): boolean {
  if (!/^xn--/i.test(label)) return true;
  const decoded = decodePunycode(label.slice(4));
  if (!decoded || decoded.length === 0) return false;
  if (!decoded.some((point) => point >= 0x80)) return false;
  return decoded.every(
    (point) =>
      point > 0x1f && !(point >= 0x7f && point <= 0x9f) && !(point >= 0xd800 && point <= 0xdfff),
  );
}
