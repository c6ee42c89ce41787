import { createHash } from 'node:crypto';
import { parseDictionary, serializeDictionary, type BareItem } from 'structured-headers';

/**
 * The digest algorithms of RFC 9530 this package computes and checks.
 *
 * @example
 * ```ts
 * const algorithm: DigestAlgorithm = 'sha-512';
 * ```
 */
export type DigestAlgorithm = 'sha-512' | 'sha-256';

const NODE_HASH: Record<DigestAlgorithm, string> = { 'sha-512': 'sha512', 'sha-256': 'sha256' };

const isDigestAlgorithm = (name: string): name is DigestAlgorithm => Object.hasOwn(NODE_HASH, name);

function hash(algorithm: DigestAlgorithm, body: Uint8Array | string): Buffer {
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

/**
 * The outcome of a digest check: `match`; `mismatch` (some known algorithm disagrees);
 * `malformed` (the field does not parse); `unsupported` (no algorithm this package knows).
 *
 * @example
 * ```ts
 * const check: DigestCheck = verifyContentDigest(body, 'md5=:AAAA:'); // 'unsupported'
 * ```
 */
export type DigestCheck = 'match' | 'mismatch' | 'malformed' | 'unsupported';

/**
 * Checks a `content-digest` field against a body. Every listed algorithm it knows (sha-512,
 * sha-256) must match; others are skipped; a field with none it knows is `unsupported`.
 *
 * @example
 * ```ts
 * verifyContentDigest('{"hello": "world"}', contentDigest('{"hello": "world"}')); // 'match'
 * verifyContentDigest('{"hello": "world!"}', contentDigest('{"hello": "world"}')); // 'mismatch'
 * ```
 */
export function verifyContentDigest(body: Uint8Array | string, field: string): DigestCheck {
  let dictionary;
  try {
    dictionary = parseDictionary(field);
  } catch {
    return 'malformed';
  }
  let checked = 0;
  for (const [name, [value]] of dictionary) {
    if (!isDigestAlgorithm(name)) continue;
    if (!(value instanceof ArrayBuffer)) return 'malformed';
    if (!hash(name, body).equals(Buffer.from(value))) return 'mismatch';
    checked += 1;
  }
  return checked > 0 ? 'match' : 'unsupported';
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
 * case) against a body. The field predates structured fields, so it is split by hand.
 *
 * @example
 * ```ts
 * verifyLegacyDigest('{"key": "value"}', 'SHA-256=lyTB4g5uPk1/V+0l+dTvsAblCFkNUoyQ2ll/andcE+U='); // 'match'
 * ```
 */
export function verifyLegacyDigest(body: Uint8Array | string, field: string): DigestCheck {
  let checked = 0;
  for (const part of field.split(',')) {
    const match = /^\s*([A-Za-z0-9-]+)=([A-Za-z0-9+/]+=*)\s*$/.exec(part);
    if (!match) return 'malformed';
    const name = (match[1] ?? '').toLowerCase();
    if (!isDigestAlgorithm(name)) continue;
    if (hash(name, body).toString('base64') !== match[2]) return 'mismatch';
    checked += 1;
  }
  return checked > 0 ? 'match' : 'unsupported';
}
