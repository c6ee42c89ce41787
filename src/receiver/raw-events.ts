/**
 * The exact text of each event as it was delivered. JSON.parse loses what a byte-exact store
 * must keep: digits beyond a double's precision, the spelling of escapes, key order of
 * duplicates. Parsing records where the body came from; the text of one event is cut out of it
 * only when someone asks (the Postgres inbox does), so the usual path pays nothing for it.
 */

/** A delivery body and, once computed, where each `payload` element starts and ends in it. */
interface RawSource {
  readonly text: string;
  spans?: readonly (readonly [number, number])[] | undefined;
}

interface RawMark {
  readonly source: RawSource;
  /** The event's index in `payload` as delivered (before sorting), or -1 for the whole text. */
  readonly index: number;
}

// Not enumerable and keyed by a private symbol: invisible to JSON, spreads and equality checks.
const RAW = Symbol('upvest-webhooks.raw-event');

function mark(event: object, value: RawMark): void {
  Object.defineProperty(event, RAW, { value, enumerable: false, configurable: true });
}

/**
 * Records that `events` are, in order, the elements of the `payload` array of `text`. Internal:
 * the delivery parser calls it. Never throws.
 */
export function attachRawSource(events: readonly object[], text: string): void {
  const source: RawSource = { text };
  events.forEach((event, index) => mark(event, { source, index }));
}

/**
 * Records that `text` is the whole delivered text of `event` (an event read back from a store).
 * Internal.
 */
export function attachRawText<T extends object>(event: T, text: string): T {
  mark(event, { source: { text }, index: -1 });
  return event;
}

/**
 * The exact JSON text of an event as Upvest delivered it (an element of the body's `payload`),
 * or `undefined` for an event that did not come from {@link parseDelivery} or a store that kept
 * it. Numbers beyond a double's precision, escapes and white space are as they were sent.
 *
 * @example
 * ```ts
 * onEvents: async (events) => {
 *   for (const event of events) await archive.put(event.id, rawEventText(event));
 * };
 * ```
 */
export function rawEventText(event: object): string | undefined {
  const raw = (event as { [RAW]?: RawMark })[RAW];
  if (raw === undefined) return undefined;
  if (raw.index === -1) return raw.source.text;
  raw.source.spans ??= payloadSpans(raw.source.text);
  const span = raw.source.spans?.[raw.index];
  return span ? raw.source.text.slice(span[0], span[1]) : undefined;
}

const WHITE = new Set([' ', '\t', '\n', '\r']);

function skipWhite(text: string, at: number): number {
  let i = at;
  while (WHITE.has(text[i] ?? '')) i += 1;
  return i;
}

/** The end of the string token that starts at `at` (its opening quote). */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** The end of the JSON value that starts at `at`, without recursion (nesting may be deep). */
function valueEnd(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return stringEnd(text, at);
  if (first !== '{' && first !== '[') {
    let i = at;
    while (i < text.length && !',]}'.includes(text[i] ?? '') && !WHITE.has(text[i] ?? '')) i += 1;
    return i;
  }
  let depth = 0;
  let i = at;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  return i;
}

/**
 * Where each element of the top-level `payload` array starts and ends in a body that
 * `JSON.parse` accepted. Like `JSON.parse`, the last of repeated `payload` keys counts, and
 * keys are compared as decoded (`"pay\u006coad"` is `payload`). `undefined` when there is none.
 *
 * @example
 * ```ts
 * payloadSpans('{"payload":[{"id":1}, {"id":2}]}'); // [[12, 20], [22, 30]]
 * ```
 */
export function payloadSpans(text: string): [number, number][] | undefined {
  let i = skipWhite(text, 0);
  if (text[i] !== '{') return undefined;
  let payload: number | undefined;
  i = skipWhite(text, i + 1);
  while (text[i] === '"') {
    const keyEnd = stringEnd(text, i);
    const key: unknown = JSON.parse(text.slice(i, keyEnd));
    const valueStart = skipWhite(text, skipWhite(text, keyEnd) + 1);
    if (key === 'payload') payload = valueStart;
    i = skipWhite(text, valueEnd(text, valueStart));
    if (text[i] === ',') i = skipWhite(text, i + 1);
  }
  if (payload === undefined || text[payload] !== '[') return undefined;
  const spans: [number, number][] = [];
  i = skipWhite(text, payload + 1);
  while (i < text.length && text[i] !== ']') {
    const end = valueEnd(text, i);
    spans.push([i, end]);
    i = skipWhite(text, end);
    if (text[i] === ',') i = skipWhite(text, i + 1);
  }
  return spans;
}
