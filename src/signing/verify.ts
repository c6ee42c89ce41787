import { parseDictionary, type Dictionary, type InnerList, type Item } from 'structured-headers';
import { verifyBase, type EcdsaEncoding } from './algorithms.js';
import {
  buildSignatureBase,
  MissingComponentError,
  serializeSignatureParams,
  type BaseFormat,
} from './base.js';
import { verifyContentDigest, verifyLegacyDigest } from './digest.js';
import { algorithmForKey, toVerifyingKey, type KeyInput, type SignatureAlgorithm } from './keys.js';
import { bodyBytes, headerValue, type HttpMessage } from './message.js';

/** Why a signature did not verify. */
export type SignatureFailureReason =
  | 'missing_signature'
  | 'malformed_signature_header'
  | 'unknown_key'
  | 'missing_component'
  | 'missing_required_component'
  | 'digest_mismatch'
  | 'bad_signature'
  | 'expired'
  | 'created_in_future'
  | 'unsupported_algorithm';

/** The verdict of {@link verifyRequestSignature}. Failures are data, never exceptions. */
export type SignatureVerification =
  | {
      readonly valid: true;
      readonly label: string;
      readonly keyId: string | undefined;
      readonly algorithm: SignatureAlgorithm;
      readonly coveredComponents: readonly string[];
      readonly created: number | undefined;
      readonly expires: number | undefined;
      readonly nonce: string | undefined;
      /** Which line format the base matched. */
      readonly baseFormat: BaseFormat;
      /** ECDSA only: which encoding the signature used. */
      readonly ecdsaEncoding: EcdsaEncoding | undefined;
      /** Which digest header was checked, if any. */
      readonly digestHeader: 'content-digest' | 'digest' | undefined;
    }
  | { readonly valid: false; readonly reason: SignatureFailureReason; readonly message: string };

/** Finds the key for a `keyid`; may fetch. Returns undefined for unknown ids. */
export type KeyLookup = (
  keyId: string | undefined,
) => KeyInput | undefined | Promise<KeyInput | undefined>;

/**
 * Options of {@link verifyRequestSignature}.
 *
 * @example
 * ```ts
 * const options: VerifySignatureOptions = { keys: (id) => (id === 'my-key' ? publicPem : undefined) };
 * ```
 */
export interface VerifySignatureOptions {
  /** One key for every `keyid`, or a lookup by `keyid`. */
  readonly keys: KeyInput | KeyLookup;
  /** Which signature to check when several are present; the first by default. */
  readonly label?: string;
  /** The clock, in Unix seconds. */
  readonly now?: () => number;
  /** Tolerated clock difference for `created` and `expires` (default 5 s). */
  readonly clockSkewSeconds?: number;
  /** Refuse signatures older than this, even without `expires`. */
  readonly maxAgeSeconds?: number;
  /** Components the signature must cover. */
  readonly requiredComponents?: readonly string[];
  /** Base line formats to try, in order (default `rfc9421`). */
  readonly baseFormats?: readonly BaseFormat[];
  /** ECDSA encodings to accept (default either). */
  readonly ecdsaEncoding?: EcdsaEncoding | 'either';
  /** Force the algorithm instead of inferring it from the key (or the `alg` parameter). */
  readonly algorithm?: SignatureAlgorithm;
}

const fail = (reason: SignatureFailureReason, message: string): SignatureVerification => ({
  valid: false,
  reason,
  message,
});

function parse(field: string | undefined): Dictionary | undefined | 'malformed' {
  if (field === undefined) return undefined;
  try {
    return parseDictionary(field);
  } catch {
    return 'malformed';
  }
}

/**
 * Verifies an HTTP message signature (RFC 9421 / draft-15): reads the covered components and
 * parameters from `signature-input`, checks time limits and the body digest, rebuilds the base
 * and verifies it with the key named by `keyid`.
 *
 * @example
 * ```ts
 * const result = await verifyRequestSignature(request, { keys: publicPem });
 * if (!result.valid) console.log(result.reason); // e.g. 'digest_mismatch'
 * ```
 */
export async function verifyRequestSignature(
  message: HttpMessage,
  options: VerifySignatureOptions,
): Promise<SignatureVerification> {
  const inputs = parse(headerValue(message, 'signature-input'));
  const signatures = parse(headerValue(message, 'signature'));
  if (inputs === undefined || signatures === undefined) {
    return fail('missing_signature', 'the signature and signature-input headers are required');
  }
  if (inputs === 'malformed' || signatures === 'malformed') {
    return fail(
      'malformed_signature_header',
      'signature or signature-input is not a structured-field dictionary',
    );
  }
  const label = options.label ?? inputs.keys().next().value;
  const input = label === undefined ? undefined : inputs.get(label);
  const signature = label === undefined ? undefined : signatures.get(label);
  if (label === undefined || !input || !signature)
    return fail('missing_signature', `no signature labelled ${label ?? '(none)'}`);
  if (!Array.isArray(input[0]) || !(signature[0] instanceof ArrayBuffer)) {
    return fail(
      'malformed_signature_header',
      'signature-input must be an inner list and signature a byte sequence',
    );
  }
  const [items, params] = input as InnerList;
  if (items.some((item: Item) => typeof item[0] !== 'string' || item[1].size > 0)) {
    return fail('missing_component', 'components with parameters are not supported');
  }
  const components = items.map((item) => item[0] as string);
  const keyId = params.get('keyid');
  const created = params.get('created');
  const expires = params.get('expires');
  const nonce = params.get('nonce');
  if (
    (keyId !== undefined && typeof keyId !== 'string') ||
    (created !== undefined && typeof created !== 'number') ||
    (expires !== undefined && typeof expires !== 'number') ||
    (nonce !== undefined && typeof nonce !== 'string')
  ) {
    return fail(
      'malformed_signature_header',
      'keyid and nonce must be strings, created and expires integers',
    );
  }

  const now = options.now?.() ?? Math.floor(Date.now() / 1000);
  const skew = options.clockSkewSeconds ?? 5;
  if (created !== undefined && created > now + skew)
    return fail('created_in_future', `created ${created} is after now (${now})`);
  if (expires !== undefined && expires < now - skew)
    return fail('expired', `expired at ${expires}, now is ${now}`);
  if (
    options.maxAgeSeconds !== undefined &&
    created !== undefined &&
    now - created > options.maxAgeSeconds + skew
  ) {
    return fail('expired', `created ${now - created} s ago, more than ${options.maxAgeSeconds} s`);
  }
  const missing = (options.requiredComponents ?? []).filter(
    (component) => !components.includes(component),
  );
  if (missing.length > 0)
    return fail('missing_required_component', `the signature must cover ${missing.join(', ')}`);

  const body = bodyBytes(message);
  let digestHeader: 'content-digest' | 'digest' | undefined;
  for (const name of ['content-digest', 'digest'] as const) {
    const field = headerValue(message, name);
    if (field === undefined) continue;
    const check =
      name === 'content-digest'
        ? verifyContentDigest(body, field)
        : verifyLegacyDigest(body, field);
    if (check !== 'match')
      return fail('digest_mismatch', `the ${name} header does not match the body (${check})`);
    digestHeader ??= name;
  }

  const keyInput = typeof options.keys === 'function' ? await options.keys(keyId) : options.keys;
  if (keyInput === undefined)
    return fail('unknown_key', `no key is known for keyid ${JSON.stringify(keyId ?? null)}`);
  let key;
  let algorithm: SignatureAlgorithm;
  try {
    key = toVerifyingKey(keyInput);
    algorithm = options.algorithm ?? algorithmForKey(key);
  } catch (error) {
    return fail('unsupported_algorithm', error instanceof Error ? error.message : 'unusable key');
  }
  const alg = params.get('alg');
  if (alg !== undefined && alg !== algorithm) {
    const named = typeof alg === 'string' ? alg : 'of another type';
    return fail('unsupported_algorithm', `alg ${named} does not match the key (${algorithm})`);
  }

  // Re-serialized from the parsed field, so parameter order is the signer's.
  const signatureParams = serializeSignatureParams(components, params);
  const signatureBytes = new Uint8Array(signature[0]);
  for (const format of options.baseFormats ?? ['rfc9421']) {
    let base: string;
    try {
      base = buildSignatureBase(message, components, signatureParams, format);
    } catch (error) {
      if (error instanceof MissingComponentError) return fail('missing_component', error.message);
      throw error;
    }
    const verdict = verifyBase(
      algorithm,
      key,
      new TextEncoder().encode(base),
      signatureBytes,
      options.ecdsaEncoding ?? 'either',
    );
    if (verdict.ok) {
      return {
        valid: true,
        label,
        keyId,
        algorithm,
        coveredComponents: components,
        created,
        expires,
        nonce,
        baseFormat: format,
        ecdsaEncoding: verdict.encoding,
        digestHeader,
      };
    }
  }
  return fail('bad_signature', 'the signature does not match the request');
}
