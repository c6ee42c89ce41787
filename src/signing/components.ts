import {
  parseDictionary,
  parseItem,
  serializeInnerList,
  serializeBareItem,
  serializeItem,
  serializeParameters,
  serializeString,
  type InnerList,
  type Item,
  type Parameters,
} from 'structured-headers';
import { MissingComponentError, UpvestConfigurationError } from '../errors.js';

// The class lives with the package's other errors; signing code and its tests import it here.
export { MissingComponentError };
import { headerValue, type HttpMessage } from './message.js';

/**
 * The derived components (RFC 9421 §2.2) this package computes. `@query-param` needs a `name`
 * parameter; `@status` exists on responses only.
 *
 * @example
 * ```ts
 * DERIVED_COMPONENTS.includes('@path'); // true
 * ```
 */
export const DERIVED_COMPONENTS = [
  '@method',
  '@target-uri',
  '@authority',
  '@scheme',
  '@request-target',
  '@path',
  '@query',
  '@query-param',
  '@status',
] as const;

/**
 * A derived component name.
 *
 * @example
 * ```ts
 * const name: DerivedComponent = '@query';
 * ```
 */
export type DerivedComponent = (typeof DERIVED_COMPONENTS)[number];

// A field name is an HTTP token (RFC 9110 §5.1); derived component names add a leading `@`.
const FIELD_NAME = /^@?[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * Reads a component identifier written as its name followed by optional structured-field
 * parameters, e.g. `@method`, `content-type` or `@query-param;name="Pet"`. Names are
 * lower-cased, as RFC 9421 requires for field names.
 *
 * @example
 * ```ts
 * parseComponentId('@query-param;name="Pet"'); // ['@query-param', Map { 'name' => 'Pet' }]
 * ```
 */
export function parseComponentId(id: string): Item {
  const cut = id.indexOf(';');
  const name = (cut < 0 ? id : id.slice(0, cut)).trim().toLowerCase();
  try {
    if (!FIELD_NAME.test(name)) throw new Error('not a token');
    return parseItem(serializeString(name) + (cut < 0 ? '' : id.slice(cut)));
  } catch {
    throw new UpvestConfigurationError(`${JSON.stringify(id)} is not a component identifier`);
  }
}

/**
 * The text form of a parsed component identifier: the name, then its serialized parameters.
 *
 * @example
 * ```ts
 * formatComponentId(['@query-param', new Map([['name', 'Pet']])]); // '@query-param;name="Pet"'
 * ```
 */
export function formatComponentId(item: Item): string {
  const [name, params] = item;
  return `${typeof name === 'string' ? name : serializeBareItem(name)}${serializeParameters(params)}`;
}

/**
 * The value of a covered component: a derived component or a header field. Field values are
 * trimmed, obsolete line folding becomes a space, and several field lines are joined with `, `.
 * Supported parameters: `name` on `@query-param`, `key` on dictionary fields, `req` with
 * `message.request`. Throws `MissingComponentError` (exported by `upvest-webhooks`) when the value cannot be derived.
 *
 * @example
 * ```ts
 * componentValue({ method: 'post', url: 'https://example.com/foo?a=1', headers: {} }, '@query'); // '?a=1'
 * componentValue({ method: 'post', url: 'https://example.com/foo', headers: {} }, '@query'); // '?'
 * ```
 */
export function componentValue(message: HttpMessage, component: string | Item): string {
  const item = typeof component === 'string' ? parseComponentId(component) : component;
  const [name, params] = item;
  const id = formatComponentId(item);
  if (typeof name !== 'string') throw new MissingComponentError(id, 'the name must be a string');
  let source = message;
  if (params.has('req')) {
    if (params.get('req') !== true || !message.request) {
      throw new MissingComponentError(id, ';req needs the request the response answers');
    }
    source = message.request;
  }
  return name.startsWith('@')
    ? derivedValue(source, name, params, id)
    : fieldValue(source, name, params, id);
}

function unsupported(params: Parameters, allowed: readonly string[], id: string): void {
  for (const key of params.keys()) {
    if (!allowed.includes(key)) {
      throw new MissingComponentError(id, `the ;${key} parameter is not supported`);
    }
  }
}

function fieldValue(message: HttpMessage, name: string, params: Parameters, id: string): string {
  unsupported(params, ['req', 'key'], id);
  const raw = headerValue(message, name);
  if (raw === undefined) throw new MissingComponentError(id, 'the header is absent');
  // Line breaks inside a value (obs-fold) become one space, so no value can add a line.
  const value = raw.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  if (!params.has('key')) return value;
  const key = params.get('key');
  let member;
  try {
    member = typeof key === 'string' ? parseDictionary(value).get(key) : undefined;
  } catch {
    throw new MissingComponentError(id, 'the header is not a structured-field dictionary');
  }
  if (member === undefined) throw new MissingComponentError(id, 'the dictionary has no such key');
  return Array.isArray(member[0])
    ? serializeInnerList(member as InnerList)
    : serializeItem(member as Item);
}

function derivedValue(message: HttpMessage, name: string, params: Parameters, id: string): string {
  unsupported(params, name === '@query-param' ? ['req', 'name'] : ['req'], id);
  switch (name) {
    case '@method':
      if (!message.method) throw new MissingComponentError(id, 'the message has no method');
      return message.method.toUpperCase();
    case '@status':
      if (message.status === undefined) throw new MissingComponentError(id, 'not a response');
      return String(message.status);
    case '@target-uri':
      return absoluteUrl(message, id).href;
    case '@authority':
      return absoluteUrl(message, id).host;
    case '@scheme':
      return absoluteUrl(message, id).protocol.slice(0, -1);
    case '@request-target': {
      const url = anyUrl(message, id);
      return `${url.pathname || '/'}${url.search}`;
    }
    case '@path':
      return anyUrl(message, id).pathname || '/';
    case '@query':
      // An absent (or empty) query is the `?` alone (RFC 9421 §2.2.7).
      return anyUrl(message, id).search || '?';
    case '@query-param':
      return queryParam(anyUrl(message, id), params.get('name'), id);
    default:
      throw new MissingComponentError(id, 'not a derived component this package knows');
  }
}

// A relative URL still has a path and a query; parsed against a placeholder base that no
// component ever reads.
const RELATIVE_BASE = 'http://relative.invalid';

function anyUrl(message: HttpMessage, id: string): URL {
  if (message.url === undefined) throw new MissingComponentError(id, 'the message has no URL');
  try {
    return new URL(message.url, RELATIVE_BASE);
  } catch {
    throw new MissingComponentError(id, 'the URL does not parse');
  }
}

function absoluteUrl(message: HttpMessage, id: string): URL {
  if (message.url === undefined || !URL.canParse(message.url)) {
    throw new MissingComponentError(id, 'the message URL is not absolute');
  }
  return new URL(message.url);
}

/**
 * RFC 9421 §2.2.8: names and values are decoded as `application/x-www-form-urlencoded`, then
 * percent-encoded again (spaces as `%20`, as the RFC's example shows). draft-15 used the decoded
 * values instead; the two agree on plain values such as the RFC's `Pet=dog`.
 */
function queryParam(url: URL, name: unknown, id: string): string {
  if (typeof name !== 'string')
    throw new MissingComponentError(id, 'the name parameter is missing');
  const values = [...new URLSearchParams(url.search)]
    .filter(([key]) => reencode(key) === name)
    .map(([, value]) => reencode(value));
  if (values.length === 0) throw new MissingComponentError(id, 'the query has no such parameter');
  if (values.length > 1) {
    throw new MissingComponentError(id, 'the parameter repeats, so no single value can be signed');
  }
  return values[0] ?? '';
}

const FORM_SAFE = /^[A-Za-z0-9*\-._]$/;

function reencode(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    out += FORM_SAFE.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
