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
 * `malformed` (the field does not parse, repeats an algorithm or lists more than
 * four (`MAX_DIGEST_ENTRIES`)); `unsupported` (no algorithm this package knows).
 *
 * @example
 * ```ts
 * const check: DigestCheck = verifyContentDigest(body, 'md5=:AAAA:'); // 'unsupported'
 * ```
 */
export type DigestCheck = 'match' | 'mismatch' | 'malformed' | 'unsupported';

/**
 * The most entries a digest field may list. A real sender lists one or two; a field that
 * repeats an entry a hundred times would make the receiver hash the body a hundred times.
 *
 * @example
 * ```ts
 * verifyContentDigest(body, Array(MAX_DIGEST_ENTRIES + 1).fill('md5=:AAAA:').join(', ')); // 'malformed'
 * ```
 */
export const MAX_DIGEST_ENTRIES = 4;

/**
 * A digest field as read before the body: the digests it claims for the algorithms this package
 * knows, or why it cannot be checked.
 */
export type DigestClaims =
  | { readonly ok: true; readonly claims: ReadonlyMap<DigestAlgorithm, Uint8Array> }
  | { readonly ok: false; readonly check: 'malformed' | 'unsupported' };

/** The field names of the two digest headers. */
type DigestField = 'content-digest' | 'digest';

const malformed = { ok: false, check: 'malformed' } as const;

/**
 * Reads a `content-digest` (RFC 9530 dictionary) or legacy `digest` (`SHA-256=<base64>`, names in
 * any case, comma-separated) field without the body: each algorithm at most once, at most
 * four (`MAX_DIGEST_ENTRIES`) entries. Unknown algorithms are skipped; none known is
 * `unsupported`. Never throws.
 *
 * @example
 * ```ts
 * readDigestField('digest', 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE='); // { ok: true, claims }
 * readDigestField('digest', 'SHA-256=AA==, sha-256=AA=='); // { ok: false, check: 'malformed' }
 * ```
 */
export function readDigestField(name: DigestField, field: string): DigestClaims {
  const entries = name === 'content-digest' ? dictionaryEntries(field) : legacyEntries(field);
  if (entries === undefined || entries.length > MAX_DIGEST_ENTRIES) return malformed;
  const names = entries.map(([algorithm]) => algorithm.toLowerCase());
  if (new Set(names).size !== names.length) return malformed;
  const claims = new Map<DigestAlgorithm, Uint8Array>();
  for (const [algorithm, value] of entries) {
    const known = algorithm.toLowerCase();
    if (!isDigestAlgorithm(known)) continue;
    if (value === undefined) return malformed;
    claims.set(known, value);
  }
  return claims.size > 0 ? { ok: true, claims } : { ok: false, check: 'unsupported' };
}

/**
 * A structured dictionary's members; a value that is no byte sequence is `undefined`. The
 * parser keeps the last of repeated keys (RFC 8941), so the members are counted in the text:
 * a field with more members than distinct keys repeats one.
 */
function dictionaryEntries(field: string): [string, Uint8Array | undefined][] | undefined {
  let dictionary;
  try {
    dictionary = parseDictionary(field);
  } catch {
    return undefined;
  }
  if (memberCount(field) !== dictionary.size) return undefined;
  return [...dictionary].map(([name, [value]]) => [
    name,
    value instanceof ArrayBuffer ? new Uint8Array(value) : undefined,
  ]);
}

/** The members of a structured field that parsed: its commas outside strings, plus one. */
function memberCount(field: string): number {
  let members = 1;
  let inString = false;
  for (let i = 0; i < field.length; i += 1) {
    const char = field[i];
    if (inString && char === '\\') i += 1;
    else if (char === '"') inString = !inString;
    else if (char === ',' && !inString) members += 1;
  }
  return members;
}

/** The legacy field's members; it predates structured fields, so it is split by hand. */
function legacyEntries(field: string): [string, Uint8Array][] | undefined {
  const entries: [string, Uint8Array][] = [];
  for (const part of field.split(',')) {
    const match = /^\s*([A-Za-z0-9-]+)=([A-Za-z0-9+/]+=*)\s*$/.exec(part);
    if (!match) return undefined;
    const bytes = Buffer.from(match[2] ?? '', 'base64');
    // Only the canonical spelling of the bytes: base64 with stray bits is no digest we wrote.
    if (bytes.toString('base64') !== match[2]) return undefined;
    entries.push([match[1] ?? '', bytes]);
  }
  return entries;
}

/**
 * A body's digest per algorithm, computed at most once each, however many fields ask.
 *
 * @example
 * ```ts
 * const digests = bodyDigests(body);
 * digests('sha-256'); // hashes now
 * digests('sha-256'); // the same bytes, not hashed again
 * ```
 */
export function bodyDigests(body: Uint8Array | string): (algorithm: DigestAlgorithm) => Buffer {
  const done = new Map<DigestAlgorithm, Buffer>();
  return (algorithm) => {
    let digest = done.get(algorithm);
    if (digest === undefined) {
      digest = hash(algorithm, body);
      done.set(algorithm, digest);
    }
    return digest;
  };
}

/**
 * Checks claims read by {@link readDigestField} against a body's digests: every claimed
 * algorithm must match.
 *
 * @example
 * ```ts
 * const read = readDigestField('content-digest', field);
 * const check = read.ok ? checkDigestClaims(read.claims, bodyDigests(body)) : read.check;
 * ```
 */
export function checkDigestClaims(
  claims: ReadonlyMap<DigestAlgorithm, Uint8Array>,
  digests: (algorithm: DigestAlgorithm) => Buffer,
): 'match' | 'mismatch' {
  for (const [algorithm, claimed] of claims) {
    if (!digests(algorithm).equals(claimed)) return 'mismatch';
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
  const read = readDigestField('content-digest', field);
  return read.ok ? checkDigestClaims(read.claims, bodyDigests(body)) : read.check;
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
  const read = readDigestField('digest', field);
  return read.ok ? checkDigestClaims(read.claims, bodyDigests(body)) : read.check;
}
