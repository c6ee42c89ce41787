import {
  isSignatureAlgorithm,
  type EcdsaEncoding,
  type SignatureAlgorithm,
} from './algorithm-names.js';
import { BASE_FORMATS, buildSignatureBase, type BaseFormat } from './base.js';
import { MissingComponentError } from './components.js';
import {
  bodyDigests,
  checkDigestClaims,
  readDigestField,
  type DigestCheck,
} from './digest-fields.js';
import type { KeyInput } from './keys.js';
import { verifySignatureBase } from './verify-base.js';
import {
  impliedAlgorithm,
  readVerifyingKey,
  verifyingKeyFits,
  type VerifyingKey,
} from './verifying-key.js';
import { bodyBytes, headerValue, type HttpMessage } from './message.js';
import {
  parseSignatureField,
  parseSignatureInput,
  type SignatureInput,
  type SignatureParameterName,
  type SignatureParameters,
} from './params.js';

/**
 * Why a signature did not verify.
 *
 * @example
 * ```ts
 * const retryable = (reason: SignatureFailureReason) => reason === 'expired';
 * ```
 */
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

/**
 * The verdict of {@link verifyRequestSignature}. Failures are data, never exceptions.
 *
 * @example
 * ```ts
 * const verdict: SignatureVerification = await verifyRequestSignature(request, { keys });
 * if (verdict.ok) console.log(verdict.keyId, verdict.coveredComponents);
 * else console.log(verdict.reason, verdict.message);
 * ```
 */
export type SignatureVerification =
  | {
      readonly ok: true;
      readonly label: string;
      readonly keyId: string | undefined;
      readonly algorithm: SignatureAlgorithm;
      /** Component identifiers in the signer's order (`@query-param;name="x"` form). */
      readonly coveredComponents: readonly string[];
      /** The known signature parameters (`created`, `expires`, `nonce`, `keyid`, `alg`, `tag`). */
      readonly params: SignatureParameters;
      /** Which line format the base matched. */
      readonly baseFormat: BaseFormat;
      /** ECDSA only: which encoding the signature used. */
      readonly ecdsaEncoding: EcdsaEncoding | undefined;
      /** The digest header checked against the body, if one was. */
      readonly digestHeader: 'content-digest' | 'digest' | undefined;
    }
  | { readonly ok: false; readonly reason: SignatureFailureReason; readonly message: string };

/**
 * Finds the key for a `keyid`; may fetch. Returns undefined for unknown ids.
 *
 * @example
 * ```ts
 * const keys: KeyLookup = (keyId) => (keyId === 'my-key' ? publicPem : undefined);
 * ```
 */
export type KeyLookup = (
  keyId: string | undefined,
) => KeyInput | undefined | Promise<KeyInput | undefined>;

/**
 * Options of {@link verifyRequestSignature}.
 *
 * @example
 * ```ts
 * const options: VerifySignatureOptions = {
 *   keys: new Map([['my-key', publicPem]]),
 *   requiredComponents: ['@method', '@path', 'content-digest'],
 *   maxAgeSeconds: 60,
 * };
 * ```
 */
export interface VerifySignatureOptions {
  /** One key for every `keyid`, a map by `keyid`, or a lookup function. */
  readonly keys: KeyInput | ReadonlyMap<string, KeyInput> | KeyLookup;
  /** Which signature to check when several are present; the first by default. */
  readonly label?: string;
  /** The clock, in Unix seconds. */
  readonly now?: () => number;
  /** Tolerated clock difference for `created` and `expires` (default 5 s). */
  readonly clockSkewSeconds?: number;
  /** Refuse signatures whose `created` is older than this, even without `expires`. */
  readonly maxAgeSeconds?: number;
  /** Component identifiers the signature must cover. */
  readonly requiredComponents?: readonly string[];
  /** Parameters the signature must carry, e.g. `['created', 'expires']`. */
  readonly requiredParameters?: readonly SignatureParameterName[];
  /** Base line format: `rfc9421` (default), `upvest-v6`, or `either` (rfc9421 first). */
  readonly baseFormat?: BaseFormat | 'either';
  /** Base formats to try, in order; takes precedence over `baseFormat`. */
  readonly baseFormats?: readonly BaseFormat[];
  /** ECDSA encodings to accept (default `either`). */
  readonly ecdsaEncoding?: EcdsaEncoding | 'either';
  /**
   * The only algorithm to accept. Otherwise an `alg` parameter picks it (when the key suits
   * it), else the key implies it (see `algorithmForKey`).
   */
  readonly algorithm?: SignatureAlgorithm;
}

type Failure = Extract<SignatureVerification, { ok: false }>;

const fail = (reason: SignatureFailureReason, message: string): Failure => ({
  ok: false,
  reason,
  message,
});

/**
 * Verifies an HTTP message signature (RFC 9421 / draft-15): reads the covered components and
 * parameters from `signature-input`, checks the time window, required components and the body
 * digest, rebuilds the base and verifies it with the key named by `keyid`. Any digest header
 * present must match the body, except that a `content-digest` the signature does not cover may
 * list only unknown algorithms. Never throws.
 *
 * @example
 * ```ts
 * const verdict = await verifyRequestSignature(request, { keys: publicPem });
 * if (!verdict.ok) console.log(verdict.reason); // e.g. 'digest_mismatch'
 * ```
 */
export async function verifyRequestSignature(
  message: HttpMessage,
  options: VerifySignatureOptions,
): Promise<SignatureVerification> {
  const read = readSignatureHeaders(message, options);
  if ('reason' in read) return read;
  return verifyReadSignature(message, options, read);
}

/**
 * The signature fields of a message, read and checked on their own (present, well formed, the
 * required parameters there) by {@link readSignatureHeaders}. Internal: the delivery handlers
 * read them before the body and hand them to {@link verifyReadSignature} after, so a delivery's
 * fields are parsed once.
 */
export interface SignatureHeaders {
  readonly label: string;
  readonly input: SignatureInput;
  readonly signature: Uint8Array;
}

/**
 * {@link verifyRequestSignature} on fields {@link readSignatureHeaders} read earlier from the
 * same message: the signature over the headers first (the base covers a digest header's value,
 * never the body), then the body against its digest headers. Internal. Never throws.
 */
async function verifyReadSignature(
  message: HttpMessage,
  options: VerifySignatureOptions,
  read: SignatureHeaders,
): Promise<SignatureVerification> {
  const verdict = await verifyReadSignatureHeaders(message, options, read);
  if (!verdict.ok) return verdict;
  const digest = await checkDigests(message, verdict.coveredComponents);
  if (digest && 'reason' in digest) return digest;
  return { ...verdict, digestHeader: digest?.header };
}

/**
 * The signature alone, without the body: the time window (judged now), the required
 * components, the key for `keyid` and the signature over the base, which holds header values
 * only. A receiver runs it before reading a body, so a request no key signed costs one
 * signature check and no body read. The verdict's `digestHeader` is `undefined`: the body is
 * checked after. Internal. Never throws.
 */
export async function verifyReadSignatureHeaders(
  message: HttpMessage,
  options: VerifySignatureOptions,
  read: SignatureHeaders,
): Promise<SignatureVerification> {
  const refused = checkReadHeaders(read, options);
  if (refused) return refused;
  const { label, input, signature } = read;
  const { params, components } = input;

  const resolved = await resolveKey(options, params);
  if ('reason' in resolved) return resolved;
  const { key, algorithm } = resolved;

  const encoder = new TextEncoder();
  const formats =
    options.baseFormats ??
    (options.baseFormat === 'either' ? BASE_FORMATS : [options.baseFormat ?? 'rfc9421']);
  for (const format of formats) {
    let text: string;
    try {
      text = buildSignatureBase(message, input.items, input.signatureParams, format);
    } catch (error) {
      if (error instanceof MissingComponentError) return fail('missing_component', error.message);
      return fail('missing_component', 'a covered component could not be derived');
    }
    const verdict = await verifySignatureBase(
      algorithm,
      key,
      encoder.encode(text),
      signature,
      options.ecdsaEncoding ?? 'either',
    );
    if (verdict.ok) {
      return {
        ok: true,
        label,
        keyId: params.keyid,
        algorithm,
        coveredComponents: components,
        params,
        baseFormat: format,
        ecdsaEncoding: verdict.encoding,
        digestHeader: undefined,
      };
    }
  }
  return fail('bad_signature', 'the signature does not match the request');
}

/** Options of the checks without a body: those of a verification, the keys optional. */
type HeaderCheckOptions = Omit<VerifySignatureOptions, 'keys'> & {
  readonly keys?: VerifySignatureOptions['keys'];
};

/**
 * The checks of {@link verifyRequestSignature} that need no body: both signature fields present
 * and well formed, the required parameters and components, the time window and, when `keys` is
 * given, a key for the `keyid`. A receiver runs it before reading a body, so a request that
 * cannot verify costs no body read. Never throws.
 *
 * @example
 * ```ts
 * const early = await checkSignatureHeaders({ method, url, headers, body: undefined }, { keys });
 * if (early) return refuse(early.reason); // 401 before reading a byte of the body
 * ```
 */
export async function checkSignatureHeaders(
  message: HttpMessage,
  options: HeaderCheckOptions,
): Promise<Failure | undefined> {
  const read = readSignatureHeaders(message, options);
  if ('reason' in read) return read;
  return checkReadSignatureHeaders(read, options);
}

/**
 * {@link checkSignatureHeaders} on fields {@link readSignatureHeaders} read from the message.
 * Internal. Never throws.
 */
export async function checkReadSignatureHeaders(
  read: SignatureHeaders,
  options: HeaderCheckOptions,
): Promise<Failure | undefined> {
  const refused = checkReadHeaders(read, options);
  if (refused) return refused;
  if (options.keys === undefined) return undefined;
  const resolved = await resolveKey({ ...options, keys: options.keys }, read.input.params);
  return 'reason' in resolved ? resolved : undefined;
}

/**
 * Reads the signature to verify (`options.label`, else the first) from `signature-input` and
 * `signature`, and checks that it carries the required parameters. Internal. Never throws.
 */
export function readSignatureHeaders(
  message: HttpMessage,
  options: Omit<VerifySignatureOptions, 'keys'>,
): SignatureHeaders | Failure {
  const selected = selectSignature(message, options.label);
  if ('reason' in selected) return selected;
  const { params } = selected.input;
  const missingParams = (options.requiredParameters ?? []).filter((p) => params[p] === undefined);
  if (missingParams.length > 0) {
    return fail('malformed_signature_header', `signature-input lacks ${missingParams.join(', ')}`);
  }
  return selected;
}

/** The time window now, then the required components, of fields read earlier. */
function checkReadHeaders(
  read: SignatureHeaders,
  options: Omit<VerifySignatureOptions, 'keys'>,
): Failure | undefined {
  const { params, components } = read.input;
  const timing = checkTime(params, options);
  if (timing) return timing;
  const missing = (options.requiredComponents ?? []).filter((c) => !components.includes(c));
  if (missing.length > 0) {
    return fail('missing_required_component', `the signature must cover ${missing.join(', ')}`);
  }
  return undefined;
}

function selectSignature(
  message: HttpMessage,
  wanted: string | undefined,
): SignatureHeaders | Failure {
  const inputField = headerValue(message, 'signature-input');
  const signatureField = headerValue(message, 'signature');
  if (inputField === undefined || signatureField === undefined) {
    return fail('missing_signature', 'the signature and signature-input headers are required');
  }
  const inputs = parseSignatureInput(inputField);
  const signatures = parseSignatureField(signatureField);
  if (!inputs.ok) return fail('malformed_signature_header', inputs.message);
  if (!signatures.ok) return fail('malformed_signature_header', signatures.message);
  // An empty dictionary has no first label: '' names no member.
  const label = wanted ?? inputs.value.keys().next().value ?? '';
  const input = inputs.value.get(label);
  const signature = signatures.value.get(label);
  if (!input || !signature) {
    return fail(
      'missing_signature',
      `no signature labelled ${label || '(none)'} in both signature-input and signature`,
    );
  }
  if (!input.ok) return fail('malformed_signature_header', `${label}: ${input.message}`);
  if (!signature.ok) return fail('malformed_signature_header', `${label}: ${signature.message}`);
  return { label, input: input.value, signature: signature.value };
}

function checkTime(
  params: SignatureParameters,
  options: Omit<VerifySignatureOptions, 'keys'>,
): Failure | undefined {
  const now = options.now?.() ?? Math.floor(Date.now() / 1000);
  const skew = options.clockSkewSeconds ?? 5;
  // Without `created` a signature is as old as can be, without `expires` it never expires.
  const { created = Number.NEGATIVE_INFINITY, expires = Number.POSITIVE_INFINITY } = params;
  if (created > now + skew) {
    return fail('created_in_future', `created ${created} is after now (${now})`);
  }
  if (expires < now - skew) {
    return fail('expired', `expired at ${expires}, now is ${now}`);
  }
  // A caller who bounds the age refuses a signature whose age cannot be told.
  const age = now - created;
  if (options.maxAgeSeconds !== undefined && age > options.maxAgeSeconds + skew) {
    return fail(
      'expired',
      Number.isFinite(age)
        ? `created ${age} s ago, more than ${options.maxAgeSeconds} s`
        : `the signature has no created time, so its age cannot be held to ${options.maxAgeSeconds} s`,
    );
  }
  return undefined;
}

/**
 * Every digest header present against the body, each algorithm hashed once however many
 * fields list it. A field the signature does not cover may list only unknown algorithms.
 */
async function checkDigests(
  message: HttpMessage,
  components: readonly string[],
): Promise<{ header: 'content-digest' | 'digest' } | Failure | undefined> {
  const digests = bodyDigests(bodyBytes(message));
  let checked: 'content-digest' | 'digest' | undefined;
  for (const name of ['content-digest', 'digest'] as const) {
    const field = headerValue(message, name);
    if (field === undefined) continue;
    const read = readDigestField(name, field);
    const check: DigestCheck = read.ok ? await checkDigestClaims(read.claims, digests) : read.check;
    // RFC 9530 lets a recipient ignore a digest in algorithms it does not know; once the
    // signature covers it, though, skipping it would leave the body unprotected.
    if (check === 'unsupported' && !components.includes(name)) continue;
    if (check !== 'match') {
      return fail('digest_mismatch', `the ${name} header does not match the body (${check})`);
    }
    checked ??= name;
  }
  return checked ? { header: checked } : undefined;
}

async function resolveKey(
  options: VerifySignatureOptions,
  params: SignatureParameters,
): Promise<{ key: VerifyingKey; algorithm: SignatureAlgorithm } | Failure> {
  const keyId = params.keyid;
  let input: KeyInput | undefined;
  try {
    const { keys } = options;
    if (typeof keys === 'function') input = await keys(keyId);
    // A Map has no entry under an undefined keyid.
    else if (keys instanceof Map) input = (keys as ReadonlyMap<string, KeyInput>).get(keyId!);
    else input = keys as KeyInput;
  } catch {
    return fail('unknown_key', 'the key lookup failed');
  }
  const named = JSON.stringify(keyId ?? null);
  if (input === undefined) {
    return fail('unknown_key', `no key is known for keyid ${named}`);
  }
  let key: VerifyingKey;
  try {
    key = await readVerifyingKey(input);
  } catch {
    return fail('unknown_key', `the key for keyid ${named} could not be read`);
  }
  const { alg } = params;
  if (alg !== undefined && !isSignatureAlgorithm(alg)) {
    return fail('unsupported_algorithm', `alg ${alg} is not supported`);
  }
  const algorithm = options.algorithm ?? alg ?? impliedAlgorithm(key);
  if (algorithm === undefined) {
    return fail(
      'unsupported_algorithm',
      `the key for keyid ${named} is of a kind no supported algorithm uses`,
    );
  }
  if (alg !== undefined && alg !== algorithm) {
    return fail('unsupported_algorithm', `alg ${alg} is not the accepted algorithm ${algorithm}`);
  }
  if (!verifyingKeyFits(algorithm, key)) {
    return fail('unsupported_algorithm', `${algorithm} does not suit the key for keyid ${named}`);
  }
  return { key, algorithm };
}
