/**
 * The digest fields as read before the body (RFC 9530 `content-digest`, and the legacy `digest`
 * of Upvest's v6 signatures), and their check against a body's digests computed with Web Crypto:
 * nothing here needs Node, so a receiver runs on any runtime. The digest helpers of the signing
 * entry (digest.ts) share the reading and the check.
 */
import { parseDictionary } from 'structured-headers';
import type { DigestAlgorithm } from './algorithm-names.js';
import { base64ToBytes } from './base64.js';
import { digestBytes } from './primitives.js';

export type { DigestAlgorithm } from './algorithm-names.js';

const DIGEST_ALGORITHMS: readonly string[] = ['sha-512', 'sha-256'] satisfies DigestAlgorithm[];

const isDigestAlgorithm = (name: string): name is DigestAlgorithm =>
  DIGEST_ALGORITHMS.includes(name);

/**
 * The outcome of a digest check: `match`; `mismatch` (some known algorithm disagrees);
 * `malformed` (the field does not parse, repeats an algorithm or lists more than
 * four (`MAX_DIGEST_ENTRIES`)); `unsupported` (no algorithm this package knows).
 *
 * @example
 * ```ts
 * const check: DigestCheck = await verifyContentDigest(body, 'md5=:AAAA:'); // 'unsupported'
 * ```
 */
export type DigestCheck = 'match' | 'mismatch' | 'malformed' | 'unsupported';

/**
 * The most entries a digest field may list. A real sender lists one or two; a field that
 * repeats an entry a hundred times would make the receiver hash the body a hundred times.
 *
 * @example
 * ```ts
 * await verifyContentDigest(body, Array(MAX_DIGEST_ENTRIES + 1).fill('md5=:AAAA:').join(', ')); // 'malformed'
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
    // Only the canonical spelling of the bytes: base64 with stray bits is no digest we wrote.
    const bytes = base64ToBytes(match[2] ?? '');
    if (!bytes) return undefined;
    entries.push([match[1] ?? '', bytes]);
  }
  return entries;
}

/**
 * A body's digest per algorithm (primitives.ts), computed at most once each, however many fields
 * ask.
 *
 * @example
 * ```ts
 * const digests = bodyDigests(body);
 * await digests('sha-256'); // hashes now
 * await digests('sha-256'); // the same bytes, not hashed again
 * ```
 */
export function bodyDigests(
  body: Uint8Array | string,
): (algorithm: DigestAlgorithm) => Promise<Uint8Array> {
  const done = new Map<DigestAlgorithm, Promise<Uint8Array>>();
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return (algorithm) => {
    let digest = done.get(algorithm);
    if (digest === undefined) {
      digest = Promise.resolve(digestBytes(algorithm, bytes));
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
 * const check = read.ok ? await checkDigestClaims(read.claims, bodyDigests(body)) : read.check;
 * ```
 */
export async function checkDigestClaims(
  claims: ReadonlyMap<DigestAlgorithm, Uint8Array>,
  digests: (algorithm: DigestAlgorithm) => Promise<Uint8Array>,
): Promise<'match' | 'mismatch'> {
  for (const [algorithm, claimed] of claims) {
    if (!sameBytes(await digests(algorithm), claimed)) return 'mismatch';
  }
  return 'match';
}

// Digests are public values: no constant-time comparison is needed.
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
