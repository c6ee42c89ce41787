import type { EcdsaEncoding } from '../signing/algorithm-names.js';
import type { BaseFormat } from '../signing/base.js';
import type { SigningJwk } from '../signing/keys.js';
import type { SignatureParameterName } from '../signing/params.js';
import { headerValue, type HeaderInput, type HttpMessage } from '../signing/message.js';
import {
  bodyDigests,
  checkDigestClaims,
  readDigestField,
  type DigestClaims,
} from '../signing/digest-fields.js';
import {
  checkReadSignatureHeaders,
  readSignatureHeaders,
  verifyReadSignatureHeaders,
  type KeyLookup,
  type SignatureFailureReason,
  type SignatureHeaders,
  type VerifySignatureOptions,
} from '../signing/verify.js';
import type { JsonWebKeySet } from '../types.js';
import type { ValidationIssue } from '../validation-issue.js';
import type { DeliveryEvent } from './events.js';
import { VerificationKeysUnavailableError } from '../errors.js';
import { importVerificationKey, keyFromJwks } from './keys.js';
import { parseDelivery } from './parse.js';

/**
 * A received delivery. The body must be the raw bytes as received: the digest covers them, and
 * re-serialized JSON would not match.
 *
 * @example
 * ```ts
 * const request: DeliveryRequest = {
 *   method: 'POST',
 *   url: 'https://tenant.tld/webhooks/users',
 *   headers: { 'signature-input': '…', signature: '…', digest: 'SHA-256=…' },
 *   body: rawBody,
 * };
 * ```
 */
export interface DeliveryRequest {
  readonly method: string;
  /**
   * The URL Upvest addressed, absolute (`https://tenant.tld/webhooks/users`). A path alone
   * (`/webhooks/users`, as Node's `req.url` gives it) is resolved against `https://` and the
   * `host` header; it only matters when the signature covers `@authority` or `@target-uri`.
   */
  readonly url: string;
  /** A record (values may be arrays, as Node's `req.headers` has them) or a `Headers` object. */
  readonly headers: HeaderInput;
  readonly body: Uint8Array | string;
}

/**
 * A body digest header a delivery signature can cover: `digest` (`SHA-256=<base64>`, v6) or
 * `content-digest` (`sha-512=:<base64>:`, v15).
 *
 * @example
 * ```ts
 * const pinned: DigestHeader[] = ['digest'];
 * ```
 */
export type DigestHeader = 'content-digest' | 'digest';

/**
 * Options of {@link verifyDelivery}. The defaults accept every variant Upvest might use; each
 * option pins one for users who know which.
 *
 * @example
 * ```ts
 * const options: VerifyDeliveryOptions = {
 *   keys: createVerificationKeyProvider({ fetchKeys: () => client.verificationKeys() }),
 *   signatureFormats: ['upvest-v6'],
 *   ecdsaEncoding: 'der',
 *   digestHeaders: ['digest'],
 * };
 * ```
 */
export interface VerifyDeliveryOptions {
  /**
   * Upvest's JWKS (`GET /auth/verify_keys`), or a lookup by `keyid` such as
   * `createVerificationKeyProvider(…)`; a lookup with `allKeys()` also serves `kid-or-any-key`.
   */
  readonly keys: JsonWebKeySet | DeliveryKeyLookup;
  /**
   * Signature base formats to accept, tried in order (default `['upvest-v6', 'rfc9421']`).
   * Upvest documents v6 (unquoted component names) for deliveries; the v15 form (quoted names)
   * is also accepted because third-party verifiers use it.
   */
  readonly signatureFormats?: readonly BaseFormat[];
  /** ECDSA encodings to accept (default `either`: DER, what Upvest's signers emit, then raw r‖s). */
  readonly ecdsaEncoding?: EcdsaEncoding | 'either';
  /**
   * Digest headers the signature may cover (default both). The signature must cover one of
   * them, and every digest header present must match the body.
   */
  readonly digestHeaders?: readonly DigestHeader[];
  /**
   * How the `keyid` picks a key: `kid` (the JWK whose `kid` equals it), or `kid-or-any-key`
   * (default: when no `kid` matches, each key of the set is tried, as Upvest does not document
   * that `keyid` is the `kid`). Only keys of the set are ever tried.
   */
  readonly keyIdMatch?: 'kid' | 'kid-or-any-key';
  /**
   * The webhooks this receiver serves (their ids, as `POST /webhooks` answered them). A delivery
   * with an event of any other webhook is refused (`foreign_webhook`), verified or not: it was
   * signed by Upvest, but for another subscription, perhaps another tenant's, and replayed here
   * within its signature window. Default: events of any webhook are accepted.
   */
  readonly webhookIds?: readonly string[];
  /**
   * Components the signature must cover besides a digest (default none, as Upvest does not
   * document them). `['@method', '@path']` is recommended: every signer Upvest publishes covers
   * both. Add `'@authority'` once your logs (`signature.coveredComponents`) show Upvest covers
   * it: with it, a delivery signed for another host does not verify here.
   */
  readonly requiredComponents?: readonly string[];
  /**
   * Signature parameters that must be present (default none). `['created', 'expires']` is
   * recommended: Upvest's signers always send both, and without `expires` a captured delivery
   * verifies forever.
   */
  readonly requiredParameters?: readonly SignatureParameterName[];
  /** Tolerated clock difference for `created` and `expires` (default 30 s). */
  readonly clockSkewSeconds?: number;
  /** Refuse deliveries signed longer ago than this (default: only `expires` limits them). */
  readonly maxAgeSeconds?: number;
  /**
   * Whether `created` and `expires` are enforced (default true). Turn off only if Upvest turns
   * out to retry a batch with its original signature after `expires`: deduplication still
   * stops replays of processed events.
   */
  readonly enforceTimestamps?: boolean;
  /** The clock in Unix seconds. */
  readonly now?: () => number;
}

/**
 * A lookup by `keyid` that may also list every key it knows, as the key provider does: without
 * `allKeys`, `keyIdMatch: 'kid-or-any-key'` has no other key to try.
 *
 * @example
 * ```ts
 * const keys: DeliveryKeyLookup = Object.assign((keyId?: string) => keyFromMyStore(keyId), {
 *   allKeys: () => myStoreAsJwks(),
 * });
 * ```
 */
export type DeliveryKeyLookup = KeyLookup & {
  /** Every key the lookup knows now, as a JWKS; undefined when it has none yet. */
  readonly allKeys?: () => JsonWebKeySet | undefined;
};

/**
 * Why a delivery was refused: a signature failure of `verifyRequestSignature`, no covered
 * digest (`missing_digest`), keys that could not be fetched (`keys_unavailable`, worth a retry),
 * a body that is not a delivery (`invalid_json`, `invalid_delivery`), or events of a webhook
 * not among `webhookIds` (`foreign_webhook`).
 *
 * @example
 * ```ts
 * const status = (reason: DeliveryFailureReason) => (reason.startsWith('invalid_') ? 400 : 401);
 * ```
 */
export type DeliveryFailureReason =
  | SignatureFailureReason
  | 'missing_digest'
  | 'keys_unavailable'
  | 'invalid_json'
  | 'invalid_delivery'
  | 'foreign_webhook';

/**
 * How a delivery was verified: which of the documented variants it used. Log it once: it
 * answers the questions Upvest's documentation leaves open.
 *
 * @example
 * ```ts
 * if (result.ok) console.log(result.signature.format, result.signature.coveredComponents);
 * ```
 */
export interface DeliverySignature {
  readonly keyId: string | undefined;
  /** Whether the key was the one whose `kid` equals `keyid`, or found by trying every key. */
  readonly keyMatchedBy: 'kid' | 'any-key';
  /** The signature base format: `upvest-v6` (unquoted names) or `rfc9421` (quoted names). */
  readonly format: BaseFormat;
  readonly ecdsaEncoding: EcdsaEncoding | undefined;
  /** The digest header the signature covers. */
  readonly digestHeader: DigestHeader;
  readonly coveredComponents: readonly string[];
  readonly created: number | undefined;
  readonly expires: number | undefined;
  readonly nonce: string | undefined;
}

/**
 * A refused delivery: a stable `reason`, a sentence, and for a malformed body every issue with
 * its JSON Pointer.
 *
 * @example
 * ```ts
 * function log(failure: DeliveryFailure) {
 *   console.warn(failure.reason, failure.message, failure.issues?.map((i) => i.path));
 * }
 * ```
 */
export interface DeliveryFailure {
  readonly ok: false;
  readonly reason: DeliveryFailureReason;
  readonly message: string;
  readonly issues?: readonly ValidationIssue[];
  /** For `keys_unavailable`: why the keys could not be fetched. */
  readonly cause?: unknown;
}

/**
 * The verdict of {@link verifyDelivery}: the events with how they were verified, or why not.
 *
 * @example
 * ```ts
 * const result: VerifiedDelivery = await verifyDelivery(request, { keys });
 * if (result.ok) console.log(result.events.length, result.signature.format);
 * else console.log(result.reason);
 * ```
 */
export type VerifiedDelivery =
  | {
      readonly ok: true;
      /** In `created_at` order; unknown event types included as `known: false`. */
      readonly events: readonly DeliveryEvent[];
      readonly signature: DeliverySignature;
    }
  | DeliveryFailure;

const failure = (
  reason: DeliveryFailureReason,
  message: string,
  extra: Partial<Pick<DeliveryFailure, 'issues' | 'cause'>> = {},
): DeliveryFailure => ({ ok: false, reason, message, ...extra });

const DIGEST_HEADERS: readonly DigestHeader[] = ['content-digest', 'digest'];

/**
 * The absolute URL of a delivery given by its path. The path and query come from the request
 * line only: they are appended to a fixed origin, so nothing in them can move the authority.
 * `host` is untrusted and only ever sets the authority; a value that carries a path or a query
 * (`tenant.tld/webhooks/users?`) must not become part of the covered `@path`.
 */
function absoluteUrl(request: Pick<DeliveryRequest, 'url' | 'headers'>): string {
  if (!request.url.startsWith('/')) return request.url;
  // Never throws: a path after a fixed origin always parses.
  const url = new URL(`https://localhost${request.url}`);
  const host = headerValue(request, 'host');
  // Without a path, query, fragment or user-info character, the setter can only change the
  // authority (and ignores a host it cannot parse).
  if (host !== undefined && /^[^/?#@\\\s]+$/.test(host)) url.host = host;
  return url.href;
}

/**
 * A lookup by `keyid` over the JWKS or the provider given, and the error the provider threw, if
 * it did: a failed fetch is no unknown key (a retry may find it), so callers tell them apart.
 */
function keyLookupOf(keys: VerifyDeliveryOptions['keys']): {
  byKid: KeyLookup;
  error: () => unknown;
} {
  let failure: unknown;
  const byKid: KeyLookup =
    typeof keys === 'function'
      ? async (keyId) => {
          try {
            return await keys(keyId);
          } catch (error) {
            failure = error;
            throw error;
          }
        }
      : (keyId) => keyFromJwks(keys, keyId);
  return { byKid, error: () => failure };
}

/**
 * The base formats to try, the likelier first, so a delivery is verified once, not twice (an
 * ECDSA P-521 verify is most of a delivery's cost): a signature covering `digest` is Upvest's
 * documented v6 form, one covering `content-digest` the RFC 9421 (v15) form. Either way every
 * allowed format is still tried; only the order changes.
 *
 * @example
 * ```ts
 * formatsToTry(['upvest-v6', 'rfc9421'], 'sig1=("@method" "@path" "content-digest");keyid="k"');
 * // ['rfc9421', 'upvest-v6']
 * ```
 */
export function formatsToTry(
  allowed: readonly BaseFormat[],
  signatureInput: string | undefined,
): readonly BaseFormat[] {
  const covered = signatureInput ?? '';
  const likely: BaseFormat | undefined = /"content-digest"/i.test(covered)
    ? 'rfc9421'
    : /"digest"/i.test(covered)
      ? 'upvest-v6'
      : undefined;
  if (likely === undefined || !allowed.includes(likely)) return allowed;
  return [likely, ...allowed.filter((format) => format !== likely)];
}

function signatureOptionsOf(
  options: VerifyDeliveryOptions,
  message?: HttpMessage,
): Omit<VerifySignatureOptions, 'keys'> {
  const enforce = options.enforceTimestamps ?? true;
  const allowed = options.signatureFormats ?? ['upvest-v6', 'rfc9421'];
  return {
    baseFormats: message ? formatsToTry(allowed, headerValue(message, 'signature-input')) : allowed,
    ecdsaEncoding: options.ecdsaEncoding ?? 'either',
    clockSkewSeconds: enforce ? (options.clockSkewSeconds ?? 30) : Number.POSITIVE_INFINITY,
    ...(enforce && options.maxAgeSeconds !== undefined
      ? { maxAgeSeconds: options.maxAgeSeconds }
      : {}),
    ...(options.requiredComponents ? { requiredComponents: options.requiredComponents } : {}),
    ...(options.requiredParameters ? { requiredParameters: options.requiredParameters } : {}),
    ...(options.now ? { now: options.now } : {}),
    algorithm: 'ecdsa-p521-sha512',
  };
}

/**
 * A bad signature over `@path` most often means the receiver sees another path than the one
 * Upvest signed (a proxy that rewrites it, a framework that strips a mount prefix): say which
 * path was checked, since the signature cannot tell which one was signed.
 */
function withPathHint(verdict: { reason: string; message: string }, message: HttpMessage): string {
  if (verdict.reason !== 'bad_signature') return verdict.message;
  // Component names in signature-input are always quoted: it is a structured field.
  if (!/"@path"/.test(headerValue(message, 'signature-input') ?? '')) return verdict.message;
  let path: string;
  try {
    path = new URL(message.url ?? '').pathname;
  } catch {
    return verdict.message;
  }
  return (
    `${verdict.message}; it covers @path, checked here as ${JSON.stringify(path)}: if a proxy ` +
    'or a mount prefix changes the path, verify with the path Upvest addressed'
  );
}

/**
 * What {@link verifyDelivery} can refuse before the body is read, which is everything but the
 * body itself: the signature headers, the time window, the required components, the digest
 * header the signature must cover (well formed: each algorithm once, a few entries at most), the
 * key, and the signature, whose base holds header values only. The handlers run it first, so a
 * request no Upvest key signed costs one signature check and no body read, whatever its size.
 * Never throws; `undefined` means "read the body and check it".
 *
 * @example
 * ```ts
 * const early = await checkDeliveryHeaders({ method: 'POST', url, headers }, { keys });
 * if (early) return reply(401, early.reason);
 * ```
 */
export async function checkDeliveryHeaders(
  request: Omit<DeliveryRequest, 'body'>,
  options: VerifyDeliveryOptions,
): Promise<DeliveryFailure | undefined> {
  const checked = await readDeliveryHeaders(request, options);
  return checked.ok ? undefined : checked;
}

/**
 * What {@link readDeliveryHeaders} found: a signature that verified over the headers, with the
 * fields as read (the time window is judged again after the body), or the refusal.
 */
export type DeliveryHeaders =
  | {
      readonly ok: true;
      readonly read: SignatureHeaders;
      readonly signature: DeliverySignature;
      /** The digest headers as read with the signature: the body is checked against these. */
      readonly digests: DigestFields;
    }
  | DeliveryFailure;

/**
 * A delivery whose signature verified over its headers, its body not yet read. Internal.
 */
export type VerifiedHeaders = Extract<DeliveryHeaders, { ok: true }>;

/**
 * {@link checkDeliveryHeaders}, keeping what it found: the handlers hand it to
 * {@link verifyReadDelivery} after the body, so the signature is verified once. Internal.
 * Never throws.
 */
export async function readDeliveryHeaders(
  request: Omit<DeliveryRequest, 'body'>,
  options: VerifyDeliveryOptions,
): Promise<DeliveryHeaders> {
  const message: HttpMessage = {
    method: request.method,
    url: absoluteUrl(request),
    headers: request.headers,
    body: undefined,
  };
  const signatureOptions = signatureOptionsOf(options, message);
  const read = readSignatureHeaders(message, signatureOptions);
  if ('reason' in read) return failure(read.reason, read.message);
  // What no key can change is refused before any key is looked up or tried.
  const refused = await checkReadSignatureHeaders(read, signatureOptions);
  if (refused) return failure(refused.reason, refused.message);
  const allowed = options.digestHeaders ?? DIGEST_HEADERS;
  const digestHeader = read.input.components.find((component): component is DigestHeader =>
    allowed.includes(component as DigestHeader),
  );
  // A digest the signature does not cover proves nothing: anyone could replace body and digest.
  if (digestHeader === undefined) {
    return failure('missing_digest', `the signature must cover ${allowed.join(' or ')}`);
  }
  const fields = readDigestFields(message, read.input.components);
  if ('reason' in fields) return fields;

  const { byKid, error: keysFailure } = keyLookupOf(options.keys);
  let verdict = await verifyReadSignatureHeaders(
    message,
    { ...signatureOptions, keys: byKid },
    read,
  );
  const keysError = keysFailure();
  if (keysError !== undefined) {
    // Neither accepted nor refused: the key may be new. Worth a retry (503), not a 401.
    const detail =
      keysError instanceof VerificationKeysUnavailableError
        ? keysError.message
        : 'the key lookup failed';
    return failure('keys_unavailable', detail, { cause: keysError });
  }
  let keyMatchedBy: DeliverySignature['keyMatchedBy'] = 'kid';
  if (!verdict.ok && verdict.reason === 'unknown_key' && options.keyIdMatch !== 'kid') {
    // Each key on the signature alone: no key trial reads or hashes the body.
    for await (const key of everyKey(knownKeys(options.keys))) {
      const attempt = await verifyReadSignatureHeaders(
        message,
        { ...signatureOptions, keys: key },
        read,
      );
      if (attempt.ok) {
        verdict = attempt;
        keyMatchedBy = 'any-key';
        break;
      }
    }
  }
  if (!verdict.ok) return failure(verdict.reason, withPathHint(verdict, message));
  return {
    ok: true,
    read,
    digests: fields,
    signature: {
      keyId: verdict.keyId,
      keyMatchedBy,
      format: verdict.baseFormat,
      ecdsaEncoding: verdict.ecdsaEncoding,
      digestHeader,
      coveredComponents: verdict.coveredComponents,
      created: verdict.params.created,
      expires: verdict.params.expires,
      nonce: verdict.params.nonce,
    },
  };
}

/** The digest claims of every digest header present, read before the body. */
type DigestFields = readonly (readonly [DigestHeader, DigestClaims])[];

/**
 * Reads every digest header present without the body. One that does not parse, repeats an
 * algorithm or lists too many entries is refused now: it could only make the check cost more.
 */
function readDigestFields(
  message: HttpMessage,
  covered: readonly string[],
): DigestFields | DeliveryFailure {
  const fields: (readonly [DigestHeader, DigestClaims])[] = [];
  for (const name of DIGEST_HEADERS) {
    const field = headerValue(message, name);
    if (field === undefined) continue;
    const claims = readDigestField(name, field);
    if (!claims.ok && (claims.check === 'malformed' || covered.includes(name))) {
      return failure('digest_mismatch', `the ${name} header cannot be checked (${claims.check})`);
    }
    fields.push([name, claims]);
  }
  return fields;
}

/**
 * Verifies a webhook delivery and parses its events. The signature must verify with one of
 * Upvest's keys and cover a digest of the body (`content-digest` or the legacy
 * `digest: SHA-256=`) that matches the raw bytes, within `created`/`expires` (30 s of clock
 * skew). The signature is verified over the headers first; only then is the body hashed (each
 * algorithm once) and parsed (see {@link parseDelivery}). The covered components are read from
 * `signature-input`; the base is tried as v6 (unquoted names) and then as v15 (quoted names);
 * ECDSA P-521/SHA-512 signatures are accepted in DER and raw r‖s. Never throws on what the
 * request contains: every refusal is a {@link DeliveryFailure}.
 *
 * @example
 * ```ts
 * const result = await verifyDelivery(
 *   { method: 'POST', url: 'https://tenant.tld/webhooks/users', headers, body: rawBody },
 *   { keys: createVerificationKeyProvider({ fetchKeys: () => client.verificationKeys() }) },
 * );
 * if (result.ok) await handle(result.events);
 * else console.warn(result.reason, result.message);
 * ```
 */
export async function verifyDelivery(
  request: DeliveryRequest,
  options: VerifyDeliveryOptions,
): Promise<VerifiedDelivery> {
  return verifyReadDelivery(request, options, undefined);
}

/**
 * {@link verifyDelivery} with what {@link readDeliveryHeaders} found in the same request before
 * its body, or `undefined` to verify the headers now. Internal. Never throws on what the request
 * contains.
 */
export async function verifyReadDelivery(
  request: DeliveryRequest,
  options: VerifyDeliveryOptions,
  early: VerifiedHeaders | undefined,
): Promise<VerifiedDelivery> {
  const headers = early ?? (await readDeliveryHeaders(request, options));
  if (!headers.ok) return headers;
  // The body may have taken a while: the time window is judged again.
  const late = await checkReadSignatureHeaders(headers.read, signatureOptionsOf(options));
  if (late) return failure(late.reason, late.message);
  const digests = bodyDigests(request.body);
  for (const [name, claims] of headers.digests) {
    // An uncovered field in algorithms this package does not know is skipped (RFC 9530).
    if (claims.ok && (await checkDigestClaims(claims.claims, digests)) !== 'match') {
      return failure('digest_mismatch', `the ${name} header does not match the body (mismatch)`);
    }
  }
  const parsed = parseDelivery(request.body);
  if (!parsed.ok) {
    const first = parsed.issues[0];
    return failure(
      parsed.reason,
      first
        ? `the body is not a valid delivery: ${first.path || '/'} ${first.message}`
        : 'the body is not a valid delivery',
      { issues: parsed.issues },
    );
  }
  const foreign = foreignWebhook(parsed.events, options.webhookIds);
  if (foreign !== undefined) {
    return failure(
      'foreign_webhook',
      `the delivery holds events of webhook ${JSON.stringify(foreign)}, which this receiver does not serve (webhookIds)`,
    );
  }
  return { ok: true, events: parsed.events, signature: headers.signature };
}

/** The first `webhook_id` of the events not among `allowed`, if `allowed` is given. */
function foreignWebhook(
  events: readonly { readonly webhook_id: string }[],
  allowed: readonly string[] | undefined,
): string | undefined {
  if (allowed === undefined) return undefined;
  const served = new Set(allowed.map((id) => id.toLowerCase()));
  return events.find((event) => !served.has(event.webhook_id.toLowerCase()))?.webhook_id;
}

/** The keys a JWKS or a key provider holds now, for trying each; a bare lookup has none. */
function knownKeys(keys: VerifyDeliveryOptions['keys']): JsonWebKeySet | undefined {
  return typeof keys === 'function' ? keys.allKeys?.() : keys;
}

async function* everyKey(set: JsonWebKeySet | undefined): AsyncGenerator<SigningJwk> {
  for (const jwk of set?.keys ?? []) {
    const key = await importVerificationKey(jwk);
    if (key) yield key;
  }
}
