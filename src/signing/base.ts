import {
  serializeInnerList,
  serializeItem,
  type BareItem,
  type InnerList,
  type Item,
  type Parameters,
} from 'structured-headers';
import { headerValue, type HttpMessage } from './message.js';

/**
 * How the lines of a signature base are written: `rfc9421` (draft-15 and RFC 9421: quoted
 * component names, `"@method": POST`) or `upvest-v6` (Upvest's older profile: unquoted names,
 * `@method: POST`), which Upvest documents for verifying its webhook deliveries.
 */
export type BaseFormat = 'rfc9421' | 'upvest-v6';

/** Signature parameters, in the order they are serialized. */
export interface SignatureParameters {
  readonly created?: number;
  readonly expires?: number;
  readonly nonce?: string;
  readonly keyid?: string;
  readonly alg?: string;
  readonly tag?: string;
}

/** A component of the base could not be derived from the message. */
export class MissingComponentError extends Error {
  constructor(readonly component: string) {
    super(`the message has no ${component}`);
  }
}

/**
 * The value of a covered component: a derived component (`@method`, `@target-uri`,
 * `@authority`, `@scheme`, `@request-target`, `@path`, `@query`, `@status`) or a header.
 *
 * @example
 * ```ts
 * componentValue({ method: 'post', url: 'https://example.com/foo?a=1', headers: {} }, '@query'); // '?a=1'
 * ```
 */
export function componentValue(message: HttpMessage, name: string): string {
  if (!name.startsWith('@')) {
    const value = headerValue(message, name);
    if (value === undefined) throw new MissingComponentError(name);
    // Field values are trimmed and obsolete line folding becomes a space (RFC 9421 §2.1).
    return value.replace(/\s*\r?\n\s*/g, ' ').trim();
  }
  if (name === '@status') {
    if (message.status === undefined) throw new MissingComponentError(name);
    return String(message.status);
  }
  if (name === '@method') {
    if (!message.method) throw new MissingComponentError(name);
    return message.method.toUpperCase();
  }
  if (message.url === undefined) throw new MissingComponentError(name);
  const url = new URL(message.url);
  switch (name) {
    case '@target-uri':
      return url.href;
    case '@authority':
      return url.host.toLowerCase();
    case '@scheme':
      return url.protocol.slice(0, -1).toLowerCase();
    case '@request-target':
      return `${url.pathname || '/'}${url.search}`;
    case '@path':
      return url.pathname || '/';
    case '@query':
      return url.search === '' ? '?' : url.search;
    default:
      throw new MissingComponentError(name);
  }
}

function toParameters(params: SignatureParameters): Parameters {
  const map: Parameters = new Map<string, BareItem>();
  for (const key of ['created', 'expires', 'nonce', 'keyid', 'alg', 'tag'] as const) {
    const value = params[key];
    if (value !== undefined) map.set(key, value);
  }
  return map;
}

/** The serialized `@signature-params` value: the inner list of components with parameters. */
export function serializeSignatureParams(
  components: readonly string[],
  params: SignatureParameters | Parameters,
): string {
  const list: InnerList = [
    components.map((component): Item => [component, new Map<string, BareItem>()]),
    params instanceof Map ? params : toParameters(params),
  ];
  return serializeInnerList(list);
}

/**
 * Builds the signature base: one line per covered component, then the `@signature-params` line,
 * joined by `\n` with no trailing newline.
 *
 * @example
 * ```ts
 * buildSignatureBase(message, ['@method', '@path'], '("@method" "@path");created=1618884473');
 * // '"@method": POST\n"@path": /foo\n"@signature-params": ("@method" "@path");created=1618884473'
 * ```
 */
export function buildSignatureBase(
  message: HttpMessage,
  components: readonly string[],
  signatureParams: string,
  format: BaseFormat = 'rfc9421',
): string {
  const name = (component: string) =>
    format === 'rfc9421' ? serializeItem([component, new Map<string, BareItem>()]) : component;
  const lines = components.map(
    (component) => `${name(component)}: ${componentValue(message, component)}`,
  );
  lines.push(`${name('@signature-params')}: ${signatureParams}`);
  return lines.join('\n');
}
