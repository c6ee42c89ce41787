import { serializeItem, type BareItem, type Item } from 'structured-headers';
import { componentValue, formatComponentId, parseComponentId } from './components.js';
import type { HttpMessage } from './message.js';

/**
 * How the lines of a signature base are written: `rfc9421` (draft-15 and RFC 9421: quoted
 * component names, `"@method": POST`) or `upvest-v6` (Upvest's older profile: unquoted names,
 * `@method: POST`), which Upvest documents for verifying its webhook deliveries.
 *
 * @example
 * ```ts
 * const format: BaseFormat = 'upvest-v6';
 * ```
 */
export type BaseFormat = 'rfc9421' | 'upvest-v6';

/**
 * Both base formats, in the order `baseFormat: 'either'` tries them.
 *
 * @example
 * ```ts
 * BASE_FORMATS; // ['rfc9421', 'upvest-v6']
 * ```
 */
export const BASE_FORMATS: readonly BaseFormat[] = ['rfc9421', 'upvest-v6'];

const SIGNATURE_PARAMS: Item = ['@signature-params', new Map<string, BareItem>()];

function lineName(item: Item, format: BaseFormat): string {
  return format === 'rfc9421' ? serializeItem(item) : formatComponentId(item);
}

/**
 * Builds the signature base: one line per covered component, `<name>: <value>`, then the
 * `@signature-params` line, joined by `\n` with no trailing newline. `signatureParams` is the
 * serialized inner list exactly as it goes into `signature-input`. Throws
 * `MissingComponentError` (exported by `upvest-webhooks`) when a component cannot be derived.
 *
 * @example
 * ```ts
 * const message = { method: 'POST', url: 'https://example.com/foo', headers: {} };
 * buildSignatureBase(message, ['@method', '@path'], '("@method" "@path");created=1618884473');
 * // '"@method": POST\n"@path": /foo\n"@signature-params": ("@method" "@path");created=1618884473'
 * buildSignatureBase(message, ['@method'], '("@method");created=1618884473', 'upvest-v6');
 * // '@method: POST\n@signature-params: ("@method");created=1618884473'
 * ```
 */
export function buildSignatureBase(
  message: HttpMessage,
  components: readonly (string | Item)[],
  signatureParams: string,
  format: BaseFormat = 'rfc9421',
): string {
  const lines = components.map((component) => {
    const item = typeof component === 'string' ? parseComponentId(component) : component;
    return `${lineName(item, format)}: ${componentValue(message, item)}`;
  });
  lines.push(`${lineName(SIGNATURE_PARAMS, format)}: ${signatureParams}`);
  return lines.join('\n');
}
