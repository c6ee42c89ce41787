import {
  parseDictionary,
  serializeDictionary,
  serializeInnerList,
  type BareItem,
  type InnerList,
  type Item,
  type Parameters,
} from 'structured-headers';
import { UpvestConfigurationError } from '../errors.js';
import { formatComponentId, parseComponentId } from './components.js';

/**
 * The signature parameters of RFC 9421 §2.3. They are serialized in the order the object's
 * properties were given.
 *
 * @example
 * ```ts
 * const params: SignatureParameters = { created: 1618884473, keyid: 'test-key-ed25519' };
 * ```
 */
export interface SignatureParameters {
  /** Unix seconds. */
  readonly created?: number;
  /** Unix seconds. */
  readonly expires?: number;
  readonly nonce?: string;
  readonly keyid?: string;
  readonly alg?: string;
  readonly tag?: string;
}

/**
 * The name of a signature parameter.
 *
 * @example
 * ```ts
 * const required: SignatureParameterName[] = ['created', 'expires'];
 * ```
 */
export type SignatureParameterName = keyof SignatureParameters;

const INTEGER_PARAMS = new Set<string>(['created', 'expires']);

/**
 * What a reader returns: the value, or why the field (or member) is malformed.
 *
 * @example
 * ```ts
 * const parsed: Parsed<number> = { ok: false, message: 'not a number' };
 * ```
 */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/**
 * One member of a `signature-input` field.
 *
 * @example
 * ```ts
 * const input: SignatureInput = parseSignatureParams('("@method" "@path");created=1618884473');
 * input.components; // ['@method', '@path']
 * ```
 */
export interface SignatureInput {
  /** Covered component identifiers in their text form (`@query-param;name="Pet"`). */
  readonly components: readonly string[];
  /** The same components as parsed structured-field items. */
  readonly items: readonly Item[];
  /** The known parameters, type-checked. */
  readonly params: SignatureParameters;
  /** All parameters in the signer's order, unknown ones included; the base repeats them. */
  readonly parameters: Parameters;
  /** The `@signature-params` value: the member re-serialized as an inner list. */
  readonly signatureParams: string;
}

function readMember(member: Item | InnerList): Parsed<SignatureInput> {
  if (!Array.isArray(member[0])) return { ok: false, message: 'the member is not an inner list' };
  const [items, parameters] = member as InnerList;
  const components: string[] = [];
  for (const item of items) {
    if (typeof item[0] !== 'string') {
      return { ok: false, message: 'a component identifier is not a string' };
    }
    const id = formatComponentId(item);
    if (item[0] === '@signature-params') {
      return { ok: false, message: '@signature-params cannot be a covered component' };
    }
    if (components.includes(id)) return { ok: false, message: `${id} is covered twice` };
    components.push(id);
  }
  const params: { -readonly [K in SignatureParameterName]?: SignatureParameters[K] } = {};
  for (const [key, value] of parameters) {
    if (key === 'created' || key === 'expires') {
      // isSafeInteger is false for anything that is not a number.
      if (!Number.isSafeInteger(value)) return { ok: false, message: `${key} must be an integer` };
      params[key] = value as number;
    } else if (key === 'nonce' || key === 'keyid' || key === 'alg' || key === 'tag') {
      if (typeof value !== 'string') return { ok: false, message: `${key} must be a string` };
      params[key] = value;
    }
  }
  let signatureParams;
  try {
    signatureParams = serializeInnerList([items, parameters]);
  } catch {
    // Only values built in code get here (parsed ones always serialize): a key id with a
    // line break or non-ASCII text, say.
    return { ok: false, message: 'a parameter is not a valid structured-field value' };
  }
  return {
    ok: true,
    value: {
      components,
      items,
      params,
      parameters,
      signatureParams,
    },
  };
}

/**
 * Reads a `signature-input` field: a dictionary of labels to inner lists with parameters. A
 * member that breaks the rules (not an inner list, a duplicated component, `created` not an
 * integer, …) is reported on its own, so other signatures on the message stay readable.
 *
 * @example
 * ```ts
 * const parsed = parseSignatureInput('sig1=("@method");created=1618884473;keyid="k"');
 * if (parsed.ok) parsed.value.get('sig1'); // { ok: true, value: { components: ['@method'], … } }
 * ```
 */
export function parseSignatureInput(
  field: string,
): Parsed<ReadonlyMap<string, Parsed<SignatureInput>>> {
  let dictionary;
  try {
    dictionary = parseDictionary(field);
  } catch {
    return { ok: false, message: 'signature-input is not a structured-field dictionary' };
  }
  const decimals = labelsWithDecimalTimes(field);
  return {
    ok: true,
    value: new Map(
      [...dictionary].map(([label, member]) => [
        label,
        decimals.has(label)
          ? { ok: false, message: 'created and expires must be integers, not decimals' }
          : readMember(member),
      ]),
    ),
  };
}

/**
 * Labels whose `created` or `expires` is written as a decimal (`created=1700000000.0`). The
 * structured-field parser reads `1700000000.0` and `1700000000` as the same number, but RFC 9421
 * makes both Integers, and a verifier that accepted the decimal would check a base other than
 * the one signed. Found on the raw text, with quoted strings masked so a `keyid` cannot fake one.
 */
function labelsWithDecimalTimes(field: string): Set<string> {
  const masked = field.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const labels = new Set<string>();
  for (const member of masked.split(',')) {
    if (/;\s*(?:created|expires)=-?\d+\./.test(member)) {
      labels.add(member.trim().split('=')[0] ?? '');
    }
  }
  return labels;
}

/**
 * Reads one `@signature-params` value (an inner list with parameters), as it appears after the
 * label in `signature-input` and on the last line of a signature base.
 *
 * @example
 * ```ts
 * parseSignatureParams('("@method" "@path");created=1618884473').params; // { created: 1618884473 }
 * ```
 */
export function parseSignatureParams(value: string): SignatureInput {
  const parsed = parseSignatureInput(`sig=${value}`);
  const member = parsed.ok ? parsed.value.get('sig') : undefined;
  if (!member?.ok) {
    throw new UpvestConfigurationError(
      `not a signature-params value: ${member?.message ?? 'it does not parse'}`,
    );
  }
  return member.value;
}

/**
 * Reads a `signature` field: a dictionary of labels to byte sequences.
 *
 * @example
 * ```ts
 * const parsed = parseSignatureField('sig1=:AAEC:');
 * if (parsed.ok) parsed.value.get('sig1'); // { ok: true, value: Uint8Array [0, 1, 2] }
 * ```
 */
export function parseSignatureField(
  field: string,
): Parsed<ReadonlyMap<string, Parsed<Uint8Array>>> {
  let dictionary;
  try {
    dictionary = parseDictionary(field);
  } catch {
    return { ok: false, message: 'signature is not a structured-field dictionary' };
  }
  return {
    ok: true,
    value: new Map(
      [...dictionary].map(([label, [value]]): [string, Parsed<Uint8Array>] => [
        label,
        value instanceof ArrayBuffer
          ? { ok: true, value: new Uint8Array(value) }
          : { ok: false, message: 'the member is not a byte sequence' },
      ]),
    ),
  };
}

function toParameters(params: SignatureParameters): Parameters {
  const map: Parameters = new Map<string, BareItem>();
  for (const [key, value] of Object.entries(params) as [string, BareItem | undefined][]) {
    if (value === undefined) continue;
    if (INTEGER_PARAMS.has(key) && !(typeof value === 'number' && Number.isSafeInteger(value))) {
      throw new UpvestConfigurationError(`the ${key} parameter must be an integer (Unix seconds)`);
    }
    map.set(key, value);
  }
  return map;
}

/**
 * A signature input from covered components (text identifiers or parsed items) and parameters
 * (serialized in the order given). Throws on a component listed twice or a non-integer time.
 *
 * @example
 * ```ts
 * createSignatureInput(['@method', '@path'], { created: 1618884473, keyid: 'k' }).signatureParams;
 * // '("@method" "@path");created=1618884473;keyid="k"'
 * ```
 */
export function createSignatureInput(
  components: readonly (string | Item)[],
  params: SignatureParameters | Parameters,
): SignatureInput {
  const items = components.map((c) => (typeof c === 'string' ? parseComponentId(c) : c));
  const parameters = params instanceof Map ? params : toParameters(params);
  const checked = readMember([items, parameters]);
  if (!checked.ok) throw new UpvestConfigurationError(checked.message);
  return checked.value;
}

/**
 * The `@signature-params` value: the covered components as an inner list of strings, with the
 * parameters in the order given.
 *
 * @example
 * ```ts
 * serializeSignatureParams(['@method', '@path'], { created: 1618884473, keyid: 'k' });
 * // '("@method" "@path");created=1618884473;keyid="k"'
 * ```
 */
export function serializeSignatureParams(
  components: readonly (string | Item)[],
  params: SignatureParameters | Parameters,
): string {
  return createSignatureInput(components, params).signatureParams;
}

/**
 * The `signature-input` and `signature` field values of one signature.
 *
 * @example
 * ```ts
 * const input = createSignatureInput(['@method'], { created: 1 });
 * serializeSignatureFields('sig1', input, new Uint8Array([1, 2]));
 * // { 'signature-input': 'sig1=("@method");created=1', signature: 'sig1=:AQI=:' }
 * ```
 */
export function serializeSignatureFields(
  label: string,
  input: SignatureInput,
  signature: Uint8Array,
): { 'signature-input': string; signature: string } {
  try {
    return {
      'signature-input': serializeDictionary(
        new Map([[label, [[...input.items], input.parameters]]]),
      ),
      signature: serializeDictionary(new Map([[label, [signature, new Map<string, BareItem>()]]])),
    };
  } catch {
    throw new UpvestConfigurationError(
      `${JSON.stringify(label)} is not a signature label (lower-case letters, digits, _ - . *)`,
    );
  }
}
