/**
 * The digest helpers of the signing entry: the field values a signer sends and the checks a
 * caller runs by hand, hashed by the primitives (Web Crypto, or node:crypto in the Node build),
 * hence asynchronous. Writing a field from a digest is synchronous and shared with the testing
 * entry's synchronous signer (src/testing/sign-sync.ts); reading the fields is digest-fields.ts's.
 */
import { serializeDictionary, type BareItem } from 'structured-headers';
import { bytesToBase64 } from './base64.js';
import {
  bodyDigests,
  checkDigestClaims,
  readDigestField,
  type DigestAlgorithm,
  type DigestCheck,
} from './digest-fields.js';
import { digestBytes } from './primitives.js';

const bytesOf = (body: Uint8Array | string) =>
  typeof body === 'string' ? new TextEncoder().encode(body) : body;

/**
 * The `content-digest` field value (RFC 9530) of a digest already computed.
 *
 * @example
 * ```ts
 * contentDigestField('sha-256', await digestBytes('sha-256', bytes)); // 'sha-256=:…:'
 * ```
 */
export function contentDigestField(algorithm: DigestAlgorithm, digest: Uint8Array): string {
  return serializeDictionary(new Map([[algorithm, [digest, new Map<string, BareItem>()]]]));
}

/**
 * The legacy `digest` field value of a SHA-256 digest already computed.
 *
 * @example
 * ```ts
 * legacyDigestField(await digestBytes('sha-256', bytes)); // 'SHA-256=…'
 * ```
 */
export function legacyDigestField(sha256: Uint8Array): string {
  return `SHA-256=${bytesToBase64(sha256)}`;
}

/**
 * The `content-digest` field value (RFC 9530) of the exact bytes of a body. A string body is
 * hashed as UTF-8.
 *
 * @example
 * ```ts
 * await contentDigest('{"hello": "world"}');
 * // 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:'
 * await contentDigest('{"hello": "world"}', 'sha-256'); // 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
 * ```
 */
export async function contentDigest(
  body: Uint8Array | string,
  algorithm: DigestAlgorithm = 'sha-512',
): Promise<string> {
  return contentDigestField(algorithm, await digestBytes(algorithm, bytesOf(body)));
}

async function check(
  name: 'content-digest' | 'digest',
  body: Uint8Array | string,
  field: string,
): Promise<DigestCheck> {
  const read = readDigestField(name, field);
  return read.ok ? checkDigestClaims(read.claims, bodyDigests(body)) : read.check;
}

/**
 * Checks a `content-digest` field against a body. Every listed algorithm it knows (sha-512,
 * sha-256) must match; others are skipped; a field with none it knows is `unsupported`; one that
 * repeats an algorithm or lists more than four (`MAX_DIGEST_ENTRIES`) entries is `malformed`.
 *
 * @example
 * ```ts
 * const field = await contentDigest('{"hello": "world"}');
 * await verifyContentDigest('{"hello": "world"}', field); // 'match'
 * await verifyContentDigest('{"hello": "world!"}', field); // 'mismatch'
 * ```
 */
export function verifyContentDigest(
  body: Uint8Array | string,
  field: string,
): Promise<DigestCheck> {
  return check('content-digest', body, field);
}

/**
 * The legacy `digest` field (RFC 3230 style, `SHA-256=<base64>`) that Upvest's v6 signatures
 * use for deliveries.
 *
 * @example
 * ```ts
 * await legacyDigest('{"hello": "world"}'); // 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE='
 * ```
 */
export async function legacyDigest(body: Uint8Array | string): Promise<string> {
  return legacyDigestField(await digestBytes('sha-256', bytesOf(body)));
}

/**
 * Checks a legacy `digest` field (`SHA-256=…`, `SHA-512=…`, comma-separated, names in any
 * case) against a body, as {@link verifyContentDigest} checks the structured one.
 *
 * @example
 * ```ts
 * await verifyLegacyDigest('{"key": "value"}', 'SHA-256=lyTB4g5uPk1/V+0l+dTvsAblCFkNUoyQ2ll/andcE+U='); // 'match'
 * ```
 */
export function verifyLegacyDigest(body: Uint8Array | string, field: string): Promise<DigestCheck> {
  return check('digest', body, field);
}
