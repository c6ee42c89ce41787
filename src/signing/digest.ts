/**
 * The digest helpers of the signing entry, synchronous with Node's hashes: the field values a
 * signer sends and the checks a caller runs by hand. Reading the fields is digest-fields.ts's.
 */
import { createHash } from 'node:crypto';
import { serializeDictionary, type BareItem } from 'structured-headers';
import { readDigestField, type DigestAlgorithm, type DigestCheck } from './digest-fields.js';

const NODE_HASH: Record<DigestAlgorithm, string> = { 'sha-512': 'sha512', 'sha-256': 'sha256' };

/** A body's digest with Node's hash (the signing entry's helpers, and Node's verify primitive). */
export function hash(algorithm: DigestAlgorithm, body: Uint8Array | string): Buffer {
  return createHash(NODE_HASH[algorithm]).update(body).digest();
}

/**
 * The `content-digest` field value (RFC 9530) of the exact bytes of a body. A string body is
 * hashed as UTF-8.
 *
 * @example
 * ```ts
 * contentDigest('{"hello": "world"}');
 * // 'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:'
 * contentDigest('{"hello": "world"}', 'sha-256'); // 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'
 * ```
 */
export function contentDigest(
  body: Uint8Array | string,
  algorithm: DigestAlgorithm = 'sha-512',
): string {
  return serializeDictionary(
    new Map([[algorithm, [hash(algorithm, body), new Map<string, BareItem>()]]]),
  );
}

function check(
  name: 'content-digest' | 'digest',
  body: Uint8Array | string,
  field: string,
): DigestCheck {
  const read = readDigestField(name, field);
  if (!read.ok) return read.check;
  for (const [algorithm, claimed] of read.claims) {
    if (!hash(algorithm, body).equals(claimed)) return 'mismatch';
  }
  return 'match';
}

/**
 * Checks a `content-digest` field against a body. Every listed algorithm it knows (sha-512,
 * sha-256) must match; others are skipped; a field with none it knows is `unsupported`; one that
 * repeats an algorithm or lists more than four (`MAX_DIGEST_ENTRIES`) entries is `malformed`.
 *
 * @example
 * ```ts
 * verifyContentDigest('{"hello": "world"}', contentDigest('{"hello": "world"}')); // 'match'
 * verifyContentDigest('{"hello": "world!"}', contentDigest('{"hello": "world"}')); // 'mismatch'
 * ```
 */
export function verifyContentDigest(body: Uint8Array | string, field: string): DigestCheck {
  return check('content-digest', body, field);
}

/**
 * The legacy `digest` field (RFC 3230 style, `SHA-256=<base64>`) that Upvest's v6 signatures
 * use for deliveries.
 *
 * @example
 * ```ts
 * legacyDigest('{"hello": "world"}'); // 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE='
 * ```
 */
export function legacyDigest(body: Uint8Array | string): string {
  return `SHA-256=${hash('sha-256', body).toString('base64')}`;
}

/**
 * Checks a legacy `digest` field (`SHA-256=…`, `SHA-512=…`, comma-separated, names in any
 * case) against a body, as {@link verifyContentDigest} checks the structured one.
 *
 * @example
 * ```ts
 * verifyLegacyDigest('{"key": "value"}', 'SHA-256=lyTB4g5uPk1/V+0l+dTvsAblCFkNUoyQ2ll/andcE+U='); // 'match'
 * ```
 */
export function verifyLegacyDigest(body: Uint8Array | string, field: string): DigestCheck {
  return check('digest', body, field);
}
