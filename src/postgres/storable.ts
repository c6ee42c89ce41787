/**
 * What PostgreSQL refuses of text Upvest can sign, and how the inbox stores it anyway. A JSON
 * string may hold `\u0000` and lone surrogates, which `text` and `jsonb` refuse; a deeply nested
 * object exhausts the `jsonb` parser's stack. The inbox keeps every event's exact bytes in a
 * `bytea` column, and only its convenience columns are adjusted.
 */

/** In Unicode mode a pair is one code point: what matches is a surrogate standing alone. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Deeper than this, `jsonb` is not tried: PostgreSQL's parser recurses per level. */
const MAX_JSONB_DEPTH = 1000;

/**
 * A string as a `text` column can hold it: as it is when it can, else its JSON form (quoted,
 * with `\u0000` and lone surrogates escaped), which is just as unique.
 *
 * @example
 * ```ts
 * storableText('Eve'); // 'Eve'
 * storableText('Ev\u0000e'); // '"Ev\\u0000e"'
 * ```
 */
export function storableText(text: string): string {
  return !LONE_SURROGATE.test(text) && !text.includes('\u0000') ? text : JSON.stringify(text);
}

/**
 * A string in printable ASCII only (its JSON form with every other character escaped): what
 * any database encoding stores. For the columns of an event the database refused.
 *
 * @example
 * ```ts
 * asciiText('ORDER.FILLÉ'); // '"ORDER.FILL\\u00c9"'
 * ```
 */
export function asciiText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Whether PostgreSQL's `jsonb` can hold this JSON text: no `\u0000` escape, no lone surrogate
 * escape, well-formed, and nested at most 1,000 deep. Escapes only occur inside strings, so the
 * text is scanned without parsing it.
 *
 * @example
 * ```ts
 * jsonbCanHold('{"name":"Eve"}'); // true
 * jsonbCanHold('{"name":"Ev\\u0000e"}'); // false
 * ```
 */
export function jsonbCanHold(json: string): boolean {
  if (LONE_SURROGATE.test(json)) return false;
  let depth = 0;
  let inString = false;
  // Set after a high surrogate's escape: the very next characters must be a low one's.
  let wantLow = false;
  for (let i = 0; i < json.length; i += 1) {
    const char = json[i];
    const unit = inString && char === '\\' && json[i + 1] === 'u' ? hexUnit(json, i) : undefined;
    // A low surrogate's escape right after a high one's, and nowhere else.
    if (wantLow !== (unit !== undefined && isLow(unit))) return false;
    wantLow = false;
    if (unit !== undefined) {
      if (unit === 0) return false;
      wantLow = isHigh(unit);
      i += 5;
    } else if (inString) {
      if (char === '"') inString = false;
      else if (char === '\\') i += 1;
    } else if (char === '"') inString = true;
    else if (char === '{' || char === '[') {
      depth += 1;
      if (depth > MAX_JSONB_DEPTH) return false;
    } else if (char === '}' || char === ']') depth -= 1;
  }
  return !wantLow;
}

const hexUnit = (json: string, i: number): number => Number.parseInt(json.slice(i + 2, i + 6), 16);
const isHigh = (unit: number) => unit >= 0xd800 && unit < 0xdc00;
const isLow = (unit: number) => unit >= 0xdc00 && unit < 0xe000;

/**
 * Whether an error is PostgreSQL refusing the data (SQLSTATE class 22, data exception, or 54,
 * a program limit such as the parser's stack), as opposed to a lost connection or a broken
 * statement: only the first is worth storing the events one by one.
 *
 * @example
 * ```ts
 * isDataError({ code: '22P05' }); // true: untranslatable character
 * isDataError(new Error('Connection terminated')); // false
 * ```
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|54)/.test(code);
}
