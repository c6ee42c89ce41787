import type { IncomingMessage } from 'node:http';
import { problems } from './mock-problem.js';

/**
 * The headers of a request as one flat record: names lower-cased (node does that), repeated
 * headers joined with `, ` (RFC 9110 §5.3), so a header validator sees one string per name.
 *
 * @example
 * ```ts
 * flattenHeaders(request)['upvest-client-id']; // 'ebabcf4d-…'
 * ```
 */
export function flattenHeaders(
  request: Pick<IncomingMessage, 'headersDistinct'>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  // Every field line, so a repeated `authorization` is seen (and refused), not silently dropped
  // as `request.headers` would drop it.
  for (const [name, values] of Object.entries(request.headersDistinct) as [string, string[]][]) {
    headers[name] = values.join(', ');
  }
  return headers;
}

/**
 * The URL a request addresses, resolved against the mock's own base URL. The request target is
 * taken as a path, never as a reference: `//evil.tld/webhooks` is the path `//evil.tld/webhooks`
 * (an unknown path), not the host `evil.tld`. The absolute form (`http://host/webhooks`, RFC
 * 9112 §3.2.2) is routed by its path and query; its host is ignored. Anything else, such as the
 * asterisk form of `OPTIONS *`, is `undefined`: no operation has it.
 *
 * @example
 * ```ts
 * requestTarget('/webhooks?limit=5', 'http://127.0.0.1:4000')?.pathname; // '/webhooks'
 * requestTarget('//evil.tld/webhooks', 'http://127.0.0.1:4000')?.pathname; // '//evil.tld/webhooks'
 * ```
 */
export function requestTarget(target: string | undefined, base: string): URL | undefined {
  if (target === undefined) return undefined;
  try {
    if (target.startsWith('/')) return new URL(`${base}${target}`);
    if (/^https?:\/\//i.test(target)) {
      const absolute = new URL(target);
      return new URL(`${base}${absolute.pathname}${absolute.search}`);
    }
  } catch {
    // A target URL cannot parse addresses no operation; the caller answers 404.
  }
  return undefined;
}

/**
 * Reads a request body up to `limit` bytes. A declared `content-length` above the limit is
 * refused before a byte is read; a streamed body is refused as soon as it passes the limit.
 * Either way the answer is 413 and node discards the rest of the body, so the client still
 * reads the answer instead of a reset connection.
 *
 * @example
 * ```ts
 * const body = await readBody(request, 1024 * 1024); // throws a 413 MockProblem above 1 MiB
 * ```
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw problems.payloadTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw problems.payloadTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The media type of `content-type`, lower-cased and without parameters, or `undefined`.
 *
 * @example
 * ```ts
 * mediaType({ 'content-type': 'application/JSON; charset=utf-8' }); // 'application/json'
 * ```
 */
export function mediaType(headers: Readonly<Record<string, string>>): string | undefined {
  const header = headers['content-type'];
  if (header === undefined) return undefined;
  const type = header.replace(/;.*$/s, '').trim().toLowerCase();
  return type === '' ? undefined : type;
}

/**
 * The JSON body of a create or update: `content-type` must be `application/json` (400
 * otherwise; the spec declares no 415) and the body must parse (400).
 *
 * @example
 * ```ts
 * parseJsonBody({ 'content-type': 'application/json' }, new TextEncoder().encode('{"a":1}'));
 * ```
 */
export function parseJsonBody(
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
): unknown {
  const type = mediaType(headers);
  if (type !== 'application/json') {
    throw problems.badRequest(
      `the body must be application/json, got ${type ?? 'no content-type'}`,
    );
  }
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    throw problems.badRequest('the body is not valid JSON');
  }
}

/**
 * The `application/x-www-form-urlencoded` body of `POST /auth/token` as a record of strings
 * (facts §10). A repeated field is ambiguous and answers 400.
 *
 * @example
 * ```ts
 * parseFormBody(headers, body); // { client_id: '…', client_secret: '…', grant_type: '…', scope: '…' }
 * ```
 */
export function parseFormBody(
  headers: Readonly<Record<string, string>>,
  body: Uint8Array,
): Record<string, string> {
  if (mediaType(headers) !== 'application/x-www-form-urlencoded') {
    throw problems.badRequest('the token request must be application/x-www-form-urlencoded');
  }
  const form: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(Buffer.from(body).toString('utf8'))) {
    if (Object.hasOwn(form, key)) throw problems.badRequest(`the form field ${key} is repeated`);
    form[key] = value;
  }
  return form;
}

/** Integers as the query writes them; anything else stays a string for the validator to refuse. */
const INTEGER = /^(0|[1-9][0-9]{0,9})$/;

/**
 * The query of `GET /webhooks` as the generated validator expects it: `offset` and `limit`
 * coerced to numbers when they are plain decimal integers (`+5`, `5.0`, `1e2`, `-1` stay strings
 * and are refused), an empty value treated as absent (`allowEmptyValue`, facts §7), a repeated
 * parameter refused (400), unknown parameters passed on for the validator to refuse.
 *
 * @example
 * ```ts
 * parseListQuery(new URL('http://x/webhooks?limit=10&order=DESC')); // { limit: 10, order: 'DESC' }
 * ```
 */
export function parseListQuery(url: URL): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(query, key))
      throw problems.badRequest(`the query parameter ${key} is repeated`);
    if (value === '') continue;
    query[key] =
      (key === 'offset' || key === 'limit') && INTEGER.test(value) ? Number(value) : value;
  }
  return query;
}

/** How specifically a media range names `application/json`: 3 exact, 2 `application/*`, 1 `*\/*`. */
function jsonSpecificity(range: string): number {
  if (range === 'application/json') return 3;
  if (range === 'application/*') return 2;
  if (range === '*/*') return 1;
  return 0;
}

/**
 * Whether an `accept` header allows `application/json` (RFC 9110 §12.5.1): absent or empty
 * allows anything; otherwise the most specific range naming JSON decides, and `q=0` excludes.
 * `application/json;q=0, *\/*` therefore refuses JSON.
 *
 * @example
 * ```ts
 * acceptsJson('application/pdf'); // false
 * acceptsJson('application/*;q=0.5'); // true
 * acceptsJson('application/json;q=0, *\/*'); // false
 * ```
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  let best = 0;
  let quality = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const specificity = jsonSpecificity(range);
    if (specificity <= best) continue;
    best = specificity;
    const q = parameters.find((parameter) => /^q\s*=/.test(parameter));
    // Number() ignores the whitespace around the value.
    const value = q === undefined ? 1 : Number(q.slice(q.indexOf('=') + 1));
    quality = Number.isFinite(value) ? value : 0;
  }
  // No range naming JSON leaves the quality at 0.
  return quality > 0;
}
