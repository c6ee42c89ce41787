/**
 * A second, independent batch of hand-written webhook receivers for measuring the receiver
 * conformance suite (`runReceiverConformance`) on bugs it was not tuned for. Each receiver is a
 * plain `node:http` endpoint using `node:crypto` only (not this package's handler), written the
 * way a tenant might.
 *
 * `blindCorrectReceivers` verify deliveries the way Upvest's delivery profile needs:
 *
 * - `blind-strict`: `@method`, `@path` and a digest header covered; `created` and `expires`
 *   required (`created` at most 60 s ahead, `expires` with 30 s of skew); `alg`, when present,
 *   must be `ecdsa-p521-sha512`; the key is the JWK whose `kid` is the `keyid`; v6 or v15 base,
 *   DER or raw r||s; every digest header present must match the raw body; 400 for an empty body,
 *   malformed JSON, no `payload` array or a malformed event (`id` and `webhook_id` UUIDs,
 *   `created_at` an RFC 3339 date-time, any offset and fraction digits; `type` a non-empty
 *   string, `object` an object, further fields tolerated); one `webhook_id` per delivery.
 * - `blind-strict-any-webhook`: the same without the one-`webhook_id` rule. Every broken receiver
 *   below is this one plus one bug, so that a suite sending a batch whose events carry different
 *   `webhook_id`s (not something Upvest sends, but harmless) does not "catch" them for that.
 * - `blind-lenient`: close to the package's defaults: only a covered digest is required (no
 *   `@method` or `@path`), `created` optional, `expires` required, 120 s of skew, any key of the
 *   JWKS tried when no `kid` matches, no dedupe (redeliveries are applied again, idempotently).
 *
 * Each of `blindReceivers` carries exactly one bug (its `bug`), observable from outside: some
 * request exists that it answers differently (2xx against 4xx, or only after 5 s) from
 * `blind-strict-any-webhook`.
 * `blind-receivers-run.ts` runs the suite against all of them.
 */
import { createHash, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonWebKeySet } from '../../src/index.js';

/**
 * A receiver under test: `start` serves it on 127.0.0.1 trusting `jwks`, and answers the URL to
 * deliver to (its path is `/webhooks/upvest`).
 *
 * @example
 * ```ts
 * const { url, close } = await blindCorrectReceivers[0].start(jwksOf(key));
 * ```
 */
export interface TestReceiver {
  readonly name: string;
  /** What is wrong with it; absent for a correct receiver. */
  readonly bug?: string;
  start(jwks: JsonWebKeySet): Promise<{ url: string; close(): Promise<void> }>;
}

const ROUTE = '/webhooks/upvest';

// ---------------------------------------------------------------------------------------------
// Structured fields (RFC 8941), parsed character by character: enough for signature-input,
// signature and content-digest.

type Bare =
  | { readonly type: 'integer' | 'decimal'; readonly value: number }
  | { readonly type: 'string' | 'token'; readonly value: string }
  | { readonly type: 'bytes'; readonly value: Buffer; readonly text: string }
  | { readonly type: 'boolean'; readonly value: boolean };

/** Parameters in order, duplicates kept (RFC 8941 lets the last win; see `paramOf`). */
type Params = readonly (readonly [string, Bare])[];

interface InnerItem {
  readonly bare: Bare;
  readonly params: Params;
}

interface Entry {
  readonly key: string;
  /** The member's value exactly as sent (the `@signature-params` value for signature-input). */
  readonly raw: string;
  readonly list?: readonly InnerItem[];
  readonly bare?: Bare;
  readonly params: Params;
}

class FieldSyntaxError extends Error {}

class FieldParser {
  private at = 0;
  constructor(private readonly text: string) {}

  private peek(): string {
    return this.text[this.at] ?? '';
  }
  private fail(what: string): never {
    throw new FieldSyntaxError(`${what} at ${this.at}`);
  }
  private skip(chars: RegExp): void {
    while (this.at < this.text.length && chars.test(this.peek())) this.at++;
  }
  private take(pattern: RegExp, what: string): string {
    const match = pattern.exec(this.text.slice(this.at));
    if (!match) this.fail(what);
    this.at += match[0].length;
    return match[0];
  }

  dictionary(): Entry[] {
    const entries: Entry[] = [];
    this.skip(/[ \t]/);
    if (this.at >= this.text.length) this.fail('empty dictionary');
    for (;;) {
      const key = this.take(/^[a-z*][a-z0-9_\-.*]*/, 'key');
      if (this.peek() === '=') {
        this.at++;
        const from = this.at;
        if (this.peek() === '(') {
          const list = this.innerList();
          const params = this.params();
          entries.push({ key, raw: this.text.slice(from, this.at), list, params });
        } else {
          const bare = this.bare();
          const params = this.params();
          entries.push({ key, raw: this.text.slice(from, this.at), bare, params });
        }
      } else {
        const params = this.params();
        entries.push({ key, raw: '', bare: { type: 'boolean', value: true }, params });
      }
      this.skip(/[ \t]/);
      if (this.at >= this.text.length) return entries;
      if (this.peek() !== ',') this.fail('expected ","');
      this.at++;
      this.skip(/[ \t]/);
      if (this.at >= this.text.length) this.fail('trailing ","');
    }
  }

  private innerList(): InnerItem[] {
    this.at++; // (
    const items: InnerItem[] = [];
    for (;;) {
      this.skip(/ /);
      if (this.peek() === ')') {
        this.at++;
        return items;
      }
      items.push({ bare: this.bare(), params: this.params() });
      if (this.peek() !== ' ' && this.peek() !== ')') this.fail('expected " " or ")"');
    }
  }

  private params(): [string, Bare][] {
    const params: [string, Bare][] = [];
    while (this.peek() === ';') {
      this.at++;
      this.skip(/ /);
      const key = this.take(/^[a-z*][a-z0-9_\-.*]*/, 'parameter key');
      if (this.peek() === '=') {
        this.at++;
        params.push([key, this.bare()]);
      } else params.push([key, { type: 'boolean', value: true }]);
    }
    return params;
  }

  private bare(): Bare {
    const c = this.peek();
    if (c === '-' || /[0-9]/.test(c)) {
      const number = this.take(/^-?[0-9]{1,15}(\.[0-9]{1,3})?/, 'number');
      return { type: number.includes('.') ? 'decimal' : 'integer', value: Number(number) };
    }
    if (c === '"') {
      const quoted = this.take(/^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"/, 'string');
      return { type: 'string', value: quoted.slice(1, -1).replace(/\\(["\\])/g, '$1') };
    }
    if (c === ':') {
      const bytes = this.take(/^:[A-Za-z0-9+/=]*:/, 'byte sequence');
      const text = bytes.slice(1, -1);
      return { type: 'bytes', value: Buffer.from(text, 'base64'), text };
    }
    if (c === '?') {
      const flag = this.take(/^\?[01]/, 'boolean');
      return { type: 'boolean', value: flag === '?1' };
    }
    return {
      type: 'token',
      value: this.take(/^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*/, 'token'),
    };
  }
}

function parseDictionary(text: string): Entry[] | undefined {
  try {
    return new FieldParser(text).dictionary();
  } catch (error) {
    if (error instanceof FieldSyntaxError) return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Policies and bugs.

type BlindBug =
  | 'covered-header-absent-as-empty'
  | 'duplicate-parameter-first-wins'
  | 'string-timestamps'
  | 'no-clock-skew'
  | 'skew-in-milliseconds'
  | 'window-max-10s'
  | 'age-from-created-only'
  | 'clock-frozen-at-start'
  | 'requires-authority'
  | 'requires-content-type-covered'
  | 'requires-signature-version-header'
  | 'query-empty-without-question-mark'
  | 'authority-drops-port'
  | 'single-signature-member-only'
  | 'der-by-length'
  | 'raw-to-der-no-strip'
  | 'digest-prefix-match'
  | 'content-digest-always-sha256'
  | 'latin1-body-hash'
  | 'utf8-chunk-split'
  | 'first-chunk-only'
  | 'requires-content-length'
  | 'exact-content-type'
  | 'non-post-200'
  | 'any-method-if-signed'
  | 'loopback-allowlist'
  | 'forwarded-for-allowlist'
  | 'verify-only-if-signed'
  | 'swallowed-parse-error'
  | 'nonce-replay-refused'
  | 'rate-limit-one-per-second'
  | 'slow-cold-start'
  | 'missing-payload-ok'
  | 'no-event-validation'
  | 'closed-object-schema'
  | 'max-100-events'
  | 'created-at-strictly-increasing'
  | 'created-at-iso-roundtrip'
  | 'created-at-z-only'
  | 'uuid-v4-only'
  | 'event-in-future-refused'
  | 'stale-events-refused';

interface Policy {
  /** Seconds `created` may lie in the future. */
  readonly futureSkew: number;
  /** Seconds past `expires` still accepted. */
  readonly expirySkew: number;
  readonly requireCreated: boolean;
  readonly requireExpires: boolean;
  /** Derived components the signature must cover, besides a digest header. */
  readonly required: readonly string[];
  /** When no JWK has the `keyid` as its `kid`, try every key of the set. */
  readonly anyKey: boolean;
  /** All events of one delivery must carry the same `webhook_id`. */
  readonly oneWebhookId: boolean;
  /** Remember processed event ids (answers 200 to a redelivery either way). */
  readonly dedupe: boolean;
  readonly bug?: BlindBug;
}

const strictPolicy: Policy = {
  futureSkew: 60,
  expirySkew: 30,
  requireCreated: true,
  requireExpires: true,
  required: ['@method', '@path'],
  anyKey: false,
  oneWebhookId: true,
  dedupe: true,
};

const basePolicy: Policy = { ...strictPolicy, oneWebhookId: false };

const lenientPolicy: Policy = {
  futureSkew: 120,
  expirySkew: 120,
  requireCreated: false,
  requireExpires: true,
  required: [],
  anyKey: true,
  oneWebhookId: false,
  dedupe: false,
};

/** "Upvest's egress addresses", as a tenant copied them into an allow-list. */
const EGRESS_PREFIXES = ['35.198.', '34.107.'];
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

// ---------------------------------------------------------------------------------------------
// Verification.

type Outcome =
  | { readonly ok: true; readonly nonce?: string }
  | { readonly ok: false; readonly status: number; readonly error: string };

const refused = (error: string, status = 401): Outcome => ({ ok: false, status, error });

/** A header's field lines, each trimmed, joined with ", " (RFC 9421 §2.1). */
function fieldValue(request: IncomingMessage, name: string): string | undefined {
  const lines = request.headersDistinct[name];
  return lines === undefined ? undefined : lines.map((line) => line.trim()).join(', ');
}

function paramOf(params: Params, name: string, firstWins: boolean): Bare | undefined {
  const matching = params.filter(([key]) => key === name);
  return (firstWins ? matching[0] : matching.at(-1))?.[1];
}

const sha = (algorithm: 'sha256' | 'sha512', bytes: Buffer) =>
  createHash(algorithm).update(bytes).digest('base64');

function sameText(given: string, expected: string, bug: BlindBug | undefined): boolean {
  // Bug (digest-prefix-match): "the header may be truncated by proxies", so a prefix is enough.
  if (bug === 'digest-prefix-match') return expected.startsWith(given);
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `digest: SHA-256=<b64>, SHA-512=<b64>`: every known algorithm must match, one at least. */
function legacyDigestMatches(value: string, body: Buffer, bug: BlindBug | undefined): boolean {
  let known = 0;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) return false;
    const name = part.slice(0, eq).trim().toLowerCase();
    const algorithm = name === 'sha-256' ? 'sha256' : name === 'sha-512' ? 'sha512' : undefined;
    if (!algorithm) continue;
    known++;
    if (!sameText(part.slice(eq + 1).trim(), sha(algorithm, body), bug)) return false;
  }
  return known > 0;
}

/** `content-digest: sha-512=:<b64>:`: every known algorithm must match, one at least. */
function contentDigestMatches(value: string, body: Buffer, bug: BlindBug | undefined): boolean {
  const entries = parseDictionary(value);
  if (!entries) return false;
  let known = 0;
  for (const entry of entries) {
    let algorithm = entry.key === 'sha-256' ? 'sha256' : entry.key === 'sha-512' ? 'sha512' : '';
    if (!algorithm) continue;
    if (entry.bare?.type !== 'bytes') return false;
    // Bug (content-digest-always-sha256): copied from the `digest: SHA-256=` code path.
    if (bug === 'content-digest-always-sha256') algorithm = 'sha256';
    known++;
    if (!sameText(entry.bare.text, sha(algorithm as 'sha256' | 'sha512', body), bug)) return false;
  }
  return known > 0;
}

/** A raw r||s signature turned into DER by hand, leading zero bytes left in (the bug). */
function naiveDer(raw: Buffer): Buffer {
  const integer = (half: Buffer) => {
    const value = half[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), half]) : half;
    return Buffer.concat([Buffer.from([0x02, value.length]), value]);
  };
  const half = raw.length / 2;
  const body = Buffer.concat([integer(raw.subarray(0, half)), integer(raw.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body]);
}

interface Attempt {
  readonly dsaEncoding: 'der' | 'ieee-p1363';
  readonly bytes: Buffer;
}

function encodingsOf(signature: Buffer, bug: BlindBug | undefined): Attempt[] {
  // Bug (der-by-length): "Upvest's DER signatures are 138 or 139 bytes, raw ones 132".
  if (bug === 'der-by-length') {
    return [{ dsaEncoding: signature.length >= 138 ? 'der' : 'ieee-p1363', bytes: signature }];
  }
  // Bug (raw-to-der-no-strip): the runtime verifies DER only, so raw r||s is converted by hand.
  if (bug === 'raw-to-der-no-strip') {
    return signature.length === 132
      ? [{ dsaEncoding: 'der', bytes: naiveDer(signature) }]
      : [{ dsaEncoding: 'der', bytes: signature }];
  }
  return [
    { dsaEncoding: 'der', bytes: signature },
    { dsaEncoding: 'ieee-p1363', bytes: signature },
  ];
}

function verifies(
  base: Buffer,
  key: KeyObject,
  dsaEncoding: Attempt['dsaEncoding'],
  bytes: Buffer,
): boolean {
  try {
    return verify('sha512', base, { key, dsaEncoding }, bytes);
  } catch {
    return false; // not DER, or not of the size raw needs
  }
}

interface Keys {
  readonly byKid: ReadonlyMap<string, KeyObject>;
  readonly all: readonly KeyObject[];
}

function keysOf(jwks: JsonWebKeySet): Keys {
  const byKid = new Map<string, KeyObject>();
  const all: KeyObject[] = [];
  for (const jwk of jwks.keys) {
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-521' || !jwk.x || !jwk.y) continue;
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-521', x: jwk.x, y: jwk.y },
      format: 'jwk',
    });
    all.push(key);
    if (jwk.kid !== undefined && !byKid.has(jwk.kid)) byKid.set(jwk.kid, key);
  }
  return { byKid, all };
}

function authorityOf(request: IncomingMessage, bug: BlindBug | undefined): string | undefined {
  const host = fieldValue(request, 'host')?.toLowerCase();
  if (host === undefined) return undefined;
  // Bug (authority-drops-port): new URL(...).hostname instead of .host.
  if (bug === 'authority-drops-port') return host.replace(/:\d+$/, '');
  return host.replace(/:80$/, '');
}

/** The value of a covered component, or undefined when the request cannot supply it. */
function componentValue(
  request: IncomingMessage,
  name: string,
  bug: BlindBug | undefined,
): string | undefined {
  const target = request.url ?? '/';
  const cut = target.indexOf('?');
  const path = (cut < 0 ? target : target.slice(0, cut)) || '/';
  const query = cut < 0 ? '' : target.slice(cut + 1);
  switch (name) {
    case '@method':
      return request.method;
    case '@path':
      return path;
    case '@query':
      // Bug (query-empty-without-question-mark): an absent query is "", not "?".
      return cut < 0 && bug === 'query-empty-without-question-mark' ? '' : `?${query}`;
    case '@authority':
      return authorityOf(request, bug);
    case '@scheme':
      return 'http';
    case '@request-target':
      return target;
    case '@target-uri': {
      const authority = authorityOf(request, bug);
      return authority === undefined ? undefined : `http://${authority}${target}`;
    }
    default:
      if (name.startsWith('@') || name !== name.toLowerCase()) return undefined;
      // Bug (covered-header-absent-as-empty): `req.headers[name] ?? ''`.
      return (
        fieldValue(request, name) ?? (bug === 'covered-header-absent-as-empty' ? '' : undefined)
      );
  }
}

function timestampOf(bare: Bare | undefined, bug: BlindBug | undefined): number | null | undefined {
  if (bare === undefined) return undefined;
  if (bare.type === 'integer') return bare.value;
  // Bug (string-timestamps): Number("...") on whatever was sent; NaN never compares as late.
  if (bug === 'string-timestamps' && bare.type === 'string') return Number(bare.value);
  return null;
}

function verifyDelivery(
  request: IncomingMessage,
  body: Buffer,
  keys: Keys,
  policy: Policy,
  startedAt: number,
): Outcome {
  const bug = policy.bug;
  const inputHeader = fieldValue(request, 'signature-input');
  const signatureHeader = fieldValue(request, 'signature');
  if (inputHeader === undefined || signatureHeader === undefined) {
    return refused('missing_signature');
  }
  if (bug === 'requires-signature-version-header' && !request.headers['upvest-signature-version']) {
    return refused('missing_signature_version');
  }
  const inputs = parseDictionary(inputHeader);
  const signatures = parseDictionary(signatureHeader);
  if (!inputs || !signatures) {
    // Bug (swallowed-parse-error): the parser's throw is caught and logged, and processing goes on.
    if (bug === 'swallowed-parse-error') return { ok: true };
    return refused('malformed_signature_header');
  }
  if (bug === 'single-signature-member-only' && signatures.length > 1) {
    return refused('unexpected_signature_members');
  }
  const duplicateLabel = (entries: Entry[]) =>
    new Set(entries.map((e) => e.key)).size !== entries.length;
  if (duplicateLabel(inputs) || duplicateLabel(signatures)) {
    return refused('malformed_signature_header');
  }
  const input = inputs[0]!;
  const signature = signatures.find((s) => s.key === input.key);
  if (!input.list || signature?.bare?.type !== 'bytes') return refused('missing_signature');

  // Covered components: plain strings, each once.
  const components: string[] = [];
  for (const item of input.list) {
    if (item.bare.type !== 'string' || item.params.length > 0)
      return refused('unsupported_component');
    components.push(item.bare.value);
  }
  if (new Set(components).size !== components.length) return refused('repeated_component');

  // Parameters: each once (bug: duplicates allowed, the first one read).
  const firstWins = bug === 'duplicate-parameter-first-wins';
  const names = input.params.map(([name]) => name);
  if (!firstWins && new Set(names).size !== names.length) return refused('repeated_parameter');
  const param = (name: string) => paramOf(input.params, name, firstWins);

  // Time window.
  // Bug (clock-frozen-at-start): `const now = ...` hoisted to where the server starts.
  const now = bug === 'clock-frozen-at-start' ? startedAt : Math.floor(Date.now() / 1000);
  const created = timestampOf(param('created'), bug);
  const expires = timestampOf(param('expires'), bug);
  if (created === null || expires === null) return refused('malformed_timestamp');
  if (created === undefined && policy.requireCreated) return refused('missing_created');
  if (expires === undefined) {
    if (policy.requireExpires) return refused('missing_expires');
  }
  // Bug (skew-in-milliseconds): CLOCK_SKEW = 30 * 1000, compared with seconds.
  const futureSkew =
    bug === 'no-clock-skew' ? 0 : bug === 'skew-in-milliseconds' ? 30_000 : policy.futureSkew;
  const expirySkew =
    bug === 'no-clock-skew' ? 0 : bug === 'skew-in-milliseconds' ? 30_000 : policy.expirySkew;
  if (created !== undefined && created > now + futureSkew) return refused('created_in_future');
  if (bug === 'age-from-created-only') {
    // Bug: the age is held to 5 minutes from `created`; `expires` is never looked at.
    if (created !== undefined && now - created > 300) return refused('expired');
  } else if (expires !== undefined && expires < now - expirySkew) return refused('expired');
  if (
    bug === 'window-max-10s' &&
    created !== undefined &&
    expires !== undefined &&
    expires - created > 10
  ) {
    return refused('window_too_long');
  }

  // Required coverage.
  const required = [...policy.required];
  if (bug === 'requires-authority') required.push('@authority');
  if (bug === 'requires-content-type-covered') required.push('content-type');
  for (const name of required) {
    if (!components.includes(name)) return refused(`${name}_not_covered`);
  }
  if (!components.includes('digest') && !components.includes('content-digest')) {
    return refused('digest_not_covered');
  }

  // Algorithm and key.
  const alg = param('alg');
  if (alg !== undefined && !(alg.type === 'string' && alg.value === 'ecdsa-p521-sha512')) {
    return refused('unsupported_algorithm');
  }
  const keyid = param('keyid');
  if (keyid?.type !== 'string') return refused('missing_keyid');
  const named = keys.byKid.get(keyid.value);
  const candidates = named ? [named] : policy.anyKey ? keys.all : [];
  if (candidates.length === 0) return refused('unknown_key');

  // Digests over the bytes received.
  let hashed = body;
  if (bug === 'latin1-body-hash') {
    // Bug: req.setEncoding('latin1'); body += chunk; hash.update(body) (hashes as UTF-8).
    hashed = Buffer.from(body.toString('latin1'), 'utf8');
  }
  const digest = fieldValue(request, 'digest');
  if (digest !== undefined && !legacyDigestMatches(digest, hashed, bug)) {
    return refused('digest_mismatch');
  }
  const contentDigest = fieldValue(request, 'content-digest');
  if (contentDigest !== undefined && !contentDigestMatches(contentDigest, hashed, bug)) {
    return refused('digest_mismatch');
  }

  // The base.
  const values: string[] = [];
  for (const name of components) {
    const value = componentValue(request, name, bug);
    if (value === undefined) return refused('missing_component');
    values.push(value);
  }
  for (const quote of [false, true]) {
    const label = (name: string) => (quote ? `"${name}"` : name);
    const base = Buffer.from(
      [
        ...components.map((name, i) => `${label(name)}: ${values[i]!}`),
        `${label('@signature-params')}: ${input.raw}`,
      ].join('\n'),
    );
    for (const key of candidates) {
      for (const { dsaEncoding, bytes } of encodingsOf(signature.bare.value, bug)) {
        if (verifies(base, key, dsaEncoding, bytes)) {
          const nonce = param('nonce');
          return nonce?.type === 'string' ? { ok: true, nonce: nonce.value } : { ok: true };
        }
      }
    }
  }
  return refused('bad_signature');
}

// ---------------------------------------------------------------------------------------------
// Events.

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const RFC3339_UTC =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const DAY_MS = 24 * 60 * 60 * 1000;
const OBJECT_FIELDS = new Set([
  'id',
  'user_id',
  'account_id',
  'account_group_id',
  'portfolio_id',
  'order_id',
  'status',
  'type',
  'created_at',
  'updated_at',
]);

interface Event {
  readonly id: string;
  readonly created_at: string;
  readonly webhook_id: string;
}

/** Why the event is not acceptable, or undefined. */
function eventProblem(event: unknown, bug: BlindBug | undefined): string | undefined {
  if (bug === 'no-event-validation') return undefined; // Bug: trusts the payload's shape.
  if (!isRecord(event)) return 'event_not_an_object';
  const { id, created_at: createdAt, type, object, webhook_id: webhookId } = event;
  if (typeof id !== 'string' || !UUID.test(id)) return 'invalid_id';
  if (typeof webhookId !== 'string' || !UUID.test(webhookId)) return 'invalid_webhook_id';
  if (typeof type !== 'string' || type === '') return 'invalid_type';
  if (!isRecord(object)) return 'invalid_object';
  if (typeof createdAt !== 'string') return 'invalid_created_at';
  // Bug (created-at-z-only): UTC only, as "Upvest always sends Z".
  if (!(bug === 'created-at-z-only' ? RFC3339_UTC : RFC3339).test(createdAt)) {
    return 'invalid_created_at';
  }
  if (bug === 'created-at-iso-roundtrip') {
    // Bug: "normalised" with Date, which keeps milliseconds only.
    try {
      if (new Date(createdAt).toISOString() !== createdAt) return 'invalid_created_at';
    } catch {
      return 'invalid_created_at';
    }
  }
  // Bug (uuid-v4-only): ids checked against a version-4 pattern.
  if (bug === 'uuid-v4-only' && !(UUID_V4.test(id) && UUID_V4.test(webhookId))) {
    return 'invalid_uuid';
  }
  const [year, month, day] = createdAt.split(/[-Tt]/, 3).map(Number) as [number, number, number];
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return 'invalid_created_at';
  // Bug (closed-object-schema): `object` checked against the fields this tenant's model knows.
  if (bug === 'closed-object-schema' && Object.keys(object).some((k) => !OBJECT_FIELDS.has(k))) {
    return 'unexpected_object_field';
  }
  const at = Date.parse(createdAt);
  // Bug (event-in-future-refused): "an event from the future is forged", with no clock skew.
  if (bug === 'event-in-future-refused' && at > Date.now()) return 'created_at_in_future';
  // Bug (stale-events-refused): "an event older than a day is a replay".
  if (bug === 'stale-events-refused' && Date.now() - at > DAY_MS) return 'stale_event';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The server.

/** The whole body and the chunks it arrived in; undefined above 32 MiB. */
function readBody(
  request: IncomingMessage,
): Promise<{ body: Buffer; chunks: Buffer[] } | undefined> {
  const limit = 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size <= limit ? { body: Buffer.concat(chunks), chunks } : undefined),
    );
    request.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function createBlindReceiver(name: string, policy: Policy, bug?: string): TestReceiver {
  return {
    name,
    ...(bug === undefined ? {} : { bug }),
    async start(jwks) {
      const keys = keysOf(jwks);
      const startedAt = Math.floor(Date.now() / 1000);
      const flaw = policy.bug;
      const processed = new Set<string>();
      const nonces = new Set<string>();
      let lastAccepted = 0;
      let warm = false;

      async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
          response.writeHead(status, { 'content-type': 'application/json', ...headers });
          response.end(JSON.stringify(body));
        };
        const path = (request.url ?? '/').split('?')[0];
        if (path !== ROUTE) {
          request.resume();
          return answer(404, { error: 'not_found' });
        }
        if (request.method !== 'POST') {
          // Bug (non-post-200): the route's health check answers every other method.
          if (flaw === 'non-post-200') {
            request.resume();
            return answer(200, { status: 'ok' });
          }
          // Bug (any-method-if-signed): app.all(); the signature is checked over the real method.
          if (flaw !== 'any-method-if-signed') {
            request.resume();
            return answer(405, { error: 'method_not_allowed' }, { allow: 'POST' });
          }
        }
        if (flaw === 'requires-content-length' && request.headers['content-length'] === undefined) {
          // Bug: a chunked body is refused.
          request.resume();
          return answer(411, { error: 'length_required' });
        }
        if (
          flaw === 'exact-content-type' &&
          request.headers['content-type'] !== 'application/json'
        ) {
          // Bug: compares the whole header, parameters included.
          request.resume();
          return answer(415, { error: 'unsupported_media_type' });
        }
        if (flaw === 'rate-limit-one-per-second' && Date.now() - lastAccepted < 1000) {
          // Bug: a rate limiter of one delivery per second in front of the route.
          request.resume();
          return answer(429, { error: 'too_many_requests' }, { 'retry-after': '1' });
        }

        const read = await readBody(request);
        if (read === undefined) return answer(413, { error: 'payload_too_large' });
        let verified = read.body;
        // Bug (first-chunk-only): req.once('data', ...) where req.on('data') was meant.
        if (flaw === 'first-chunk-only') verified = read.chunks[0] ?? Buffer.alloc(0);
        // Bug (utf8-chunk-split): body += chunk, each chunk decoded as UTF-8 on its own.
        if (flaw === 'utf8-chunk-split') {
          verified = Buffer.from(read.chunks.map((chunk) => chunk.toString('utf8')).join(''));
        }

        const remote = request.socket.remoteAddress ?? '';
        const forwarded = String(request.headers['x-forwarded-for'] ?? '')
          .split(',')[0]!
          .trim();
        const unsigned =
          request.headers['signature'] === undefined &&
          request.headers['signature-input'] === undefined;
        const trusted =
          (flaw === 'loopback-allowlist' && LOOPBACK.has(remote)) || // Bug: internal traffic
          (flaw === 'forwarded-for-allowlist' &&
            EGRESS_PREFIXES.some((prefix) => forwarded.startsWith(prefix))) || // Bug: spoofable
          (flaw === 'verify-only-if-signed' && unsigned); // Bug: "signing not enabled yet"
        if (!trusted) {
          const outcome = verifyDelivery(request, verified, keys, policy, startedAt);
          if (!outcome.ok) return answer(outcome.status, { error: outcome.error });
          if (flaw === 'nonce-replay-refused' && outcome.nonce !== undefined) {
            // Bug: "replay protection": a nonce seen before is refused, redeliveries included.
            if (nonces.has(outcome.nonce)) return answer(401, { error: 'replayed_nonce' });
            nonces.add(outcome.nonce);
          }
        }

        if (read.body.length === 0) return answer(400, { error: 'empty_body' });
        let document: unknown;
        try {
          document = JSON.parse(read.body.toString('utf8'));
        } catch {
          return answer(400, { error: 'malformed_json' });
        }
        if (!isRecord(document) || !Array.isArray(document['payload'])) {
          // Bug (missing-payload-ok): "nothing to do" instead of a malformed delivery.
          if (flaw === 'missing-payload-ok') return answer(200, { received: 0 });
          return answer(400, { error: 'missing_payload' });
        }
        const payload = document['payload'] as unknown[];
        if (flaw === 'max-100-events' && payload.length > 100) {
          return answer(413, { error: 'too_many_events' }); // Bug: a batch cap of 100.
        }
        for (const [index, event] of payload.entries()) {
          const problem = eventProblem(event, flaw);
          if (problem) return answer(400, { error: problem, at: `/payload/${index}` });
        }
        const events = payload as Event[]; // checked above (unless no-event-validation)
        if (flaw === 'created-at-strictly-increasing') {
          // Bug: requires strictly increasing created_at, compared through Date (milliseconds).
          for (let i = 1; i < events.length; i++) {
            if (Date.parse(events[i]!.created_at) <= Date.parse(events[i - 1]!.created_at)) {
              return answer(400, { error: 'events_out_of_order' });
            }
          }
        }
        if (policy.oneWebhookId && new Set(events.map((e) => e.webhook_id)).size > 1) {
          return answer(400, { error: 'mixed_webhook_ids' });
        }

        if (flaw === 'slow-cold-start' && !warm) {
          await sleep(6_000); // Bug: the database pool connects on the first delivery.
          warm = true;
        }
        const idOf = (event: unknown) => (isRecord(event) ? String(event['id']) : '');
        const fresh = policy.dedupe ? payload.filter((e) => !processed.has(idOf(e))) : payload;
        for (const event of fresh) processed.add(idOf(event));
        lastAccepted = Date.now();
        answer(200, { received: fresh.length });
      }

      const server = createServer((request, response) => {
        handle(request, response).catch(() => {
          if (!response.headersSent) response.writeHead(500).end();
          else response.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}${ROUTE}`,
        close: () => {
          server.closeAllConnections();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
  };
}

/**
 * Correct receivers of this batch: `blind-strict`, `blind-strict-any-webhook` (the base of every
 * broken one) and `blind-lenient` (see the top of the file).
 *
 * @example
 * ```ts
 * for (const receiver of blindCorrectReceivers) console.log(receiver.name);
 * ```
 */
export const blindCorrectReceivers: readonly TestReceiver[] = [
  createBlindReceiver('blind-strict', strictPolicy),
  createBlindReceiver('blind-lenient', lenientPolicy),
  createBlindReceiver('blind-strict-any-webhook', basePolicy),
];

const blindBugs: readonly (readonly [BlindBug, string])[] = [
  // Signature headers and parameters.
  [
    'covered-header-absent-as-empty',
    'a covered header the request does not carry is signed over as an empty value',
  ],
  [
    'duplicate-parameter-first-wins',
    'accepts a repeated signature-input parameter and reads the first (expires=later;expires=past)',
  ],
  [
    'string-timestamps',
    'accepts created/expires as strings via Number(); a non-numeric expires never expires',
  ],
  ['single-signature-member-only', 'answers 401 when the signature header has a second member'],
  [
    'swallowed-parse-error',
    'a malformed signature-input or signature is logged and the delivery processed anyway',
  ],
  // Time window.
  ['no-clock-skew', 'no clock skew: a created one second ahead of the local clock is refused'],
  [
    'skew-in-milliseconds',
    'the skew constant is in milliseconds but compared with seconds (8 h of skew)',
  ],
  ['window-max-10s', 'refuses signatures whose expires - created exceeds 10 s'],
  [
    'age-from-created-only',
    'holds created to 5 minutes of age and never looks at expires: an expired signature passes',
  ],
  [
    'clock-frozen-at-start',
    'reads the clock once at start: a minute later every delivery is "created in the future"',
  ],
  // Coverage and the base.
  ['requires-authority', 'requires @authority covered, which Upvest does not document'],
  ['requires-content-type-covered', 'requires content-type covered'],
  [
    'requires-signature-version-header',
    'requires an upvest-signature-version header on deliveries',
  ],
  ['query-empty-without-question-mark', 'rebuilds @query as "" (not "?") when the URL has none'],
  ['authority-drops-port', 'rebuilds @authority without the port'],
  // Encodings.
  [
    'der-by-length',
    'picks DER or raw by length (>= 138 bytes DER): refuses 137-byte DER signatures',
  ],
  [
    'raw-to-der-no-strip',
    'converts raw r||s to DER by hand without stripping leading zeros: refuses many raw signatures',
  ],
  // Digests and the body.
  ['digest-prefix-match', 'accepts a digest that is a prefix of the body hash (an empty one too)'],
  [
    'content-digest-always-sha256',
    'hashes with SHA-256 whatever content-digest names: refuses sha-512',
  ],
  ['latin1-body-hash', 'reads the body as latin1 and hashes it as UTF-8: non-ASCII bodies fail'],
  [
    'utf8-chunk-split',
    'decodes each chunk to UTF-8 on its own: a character split across chunks breaks the digest',
  ],
  ['first-chunk-only', 'hashes and verifies only the first data chunk of the body'],
  ['requires-content-length', 'answers 411 to a chunked delivery without content-length'],
  ['exact-content-type', 'refuses content-type: application/json; charset=utf-8'],
  // Methods and trust.
  ['non-post-200', 'answers 200 to any method but POST (a health check on the same route)'],
  [
    'any-method-if-signed',
    'mounted for every method: accepts a PUT whose signature covers @method PUT',
  ],
  ['loopback-allowlist', 'skips verification for requests from 127.0.0.1 ("internal traffic")'],
  [
    'forwarded-for-allowlist',
    'skips verification when x-forwarded-for starts with an allow-listed Upvest address',
  ],
  [
    'verify-only-if-signed',
    'verifies only when signature headers are present: an unsigned delivery is accepted',
  ],
  // Repeats and speed.
  ['nonce-replay-refused', 'refuses a nonce seen before: a redelivery with its signature is 401'],
  ['rate-limit-one-per-second', 'a rate limit of one delivery per second answers 429'],
  ['slow-cold-start', 'the first delivery after start waits 6 s for a lazy database connection'],
  // The payload.
  ['missing-payload-ok', 'answers 200 to a signed body without a payload array'],
  ['no-event-validation', 'does not validate events: {"payload":[{}]} is answered 200'],
  [
    'closed-object-schema',
    'answers 400 to an event whose object has a field its model does not know',
  ],
  ['max-100-events', 'answers 413 to a batch of more than 100 events'],
  [
    'created-at-strictly-increasing',
    'requires strictly increasing created_at compared as Date: refuses events in one millisecond',
  ],
  [
    'created-at-iso-roundtrip',
    'requires created_at to equal new Date(created_at).toISOString(): refuses nanoseconds',
  ],
  ['created-at-z-only', 'refuses a created_at with an offset such as +02:00'],
  ['uuid-v4-only', 'refuses event and webhook ids that are not version-4 UUIDs'],
  ['event-in-future-refused', 'refuses an event whose created_at is ahead of the local clock'],
  ['stale-events-refused', 'refuses events created more than a day ago (a retried backlog)'],
];

/**
 * `blind-strict-any-webhook` with one bug each (`bug` says which).
 *
 * @example
 * ```ts
 * console.log(blindReceivers.length);
 * ```
 */
export const blindReceivers: readonly TestReceiver[] = blindBugs.map(([flaw, bug]) =>
  createBlindReceiver(flaw, { ...basePolicy, bug: flaw }, bug),
);
