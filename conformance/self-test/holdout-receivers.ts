/**
 * Hand-written webhook receivers for measuring the receiver conformance suite
 * (`runReceiverConformance`): endpoints a tenant might write with `node:http` and `node:crypto`
 * alone, without this package's handler. `correctReceivers` verify deliveries the way Upvest's
 * delivery profile needs; each of `brokenReceivers` is the strict receiver with exactly one
 * realistic tenant bug, named in its `bug`, each observable from outside (some request exists
 * that it answers differently from a correct receiver: 2xx to something not genuine or
 * malformed, or not 2xx to a genuine delivery).
 *
 * The broken receivers start from `strict-without-webhook-id-check`, the strict receiver minus
 * its one-`webhook_id`-per-delivery check: the suite gives every event of a batch its own random
 * `webhook_id`, so a receiver with that (correct) check fails the suite whatever else it does,
 * and a bug planted on top of it would be "caught" for the wrong reason.
 *
 * `holdout-receivers-run.ts` runs the suite against each of them.
 */
import {
  createHash,
  createHmac,
  createPublicKey,
  timingSafeEqual,
  verify as verifySignature,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import type { JsonWebKeySet } from '../../src/index.js';

/**
 * A receiver under test: `start` serves it on 127.0.0.1 trusting `jwks`, and answers the URL to
 * deliver to (its path is `/webhooks/upvest`).
 *
 * @example
 * ```ts
 * const { url, close } = await correctReceivers[0].start(jwksOf(key));
 * ```
 */
export interface TestReceiver {
  readonly name: string;
  /** What is wrong with it; absent for a correct receiver. */
  readonly bug?: string;
  start(jwks: JsonWebKeySet): Promise<{ url: string; close(): Promise<void> }>;
}

/** The one bug planted into the strict receiver (see `brokenReceivers` for what each means). */
type Flaw =
  | 'future-created'
  | 'ignores-expires'
  | 'expires-in-milliseconds'
  | 'no-created-required'
  | 'no-expires-required'
  | 'no-path-required'
  | 'no-method-required'
  | 'no-digest-required'
  | 'missing-digest-ok'
  | 'content-digest-not-checked'
  | 'digest-case-insensitive'
  | 'digest-prefix-case-sensitive'
  | 'reserialised-digest'
  | 'hmac-alg'
  | 'ignores-alg'
  | 'jwks-from-keyid-url'
  | 'unverified-result-ignored'
  | 'positional-labels'
  | 'window-on-other-member'
  | 'params-reserialised'
  | 'refuses-raw'
  | 'refuses-der'
  | 'refuses-v6'
  | 'refuses-v15'
  | 'refuses-content-digest'
  | 'refuses-legacy-digest'
  | 'path-from-x-original-uri'
  | 'path-router-relative'
  | 'path-with-query'
  | 'method-hardcoded'
  | 'drops-connection-on-bad-json'
  | '500-on-bad-json'
  | 'empty-body-ok'
  | 'refuses-empty-batch'
  | 'refuses-unknown-types'
  | 'refuses-extra-fields'
  | 'millisecond-created-at'
  | 'body-limit-100kb'
  | 'body-limit-1mib'
  | 'slow-inline-processing'
  | 'slow-large-bodies'
  | '500-on-redelivery'
  | '409-on-redelivery'
  | '304-on-redelivery'
  | '200-before-verifying'
  | 'redirect-trailing-slash'
  | '500-on-unsigned'
  | '500-on-unknown-key'
  | '200-with-error-body';

interface ReceiverConfig {
  /** Seconds of clock skew allowed on `created` (future) and `expires` (past). */
  readonly skewSeconds: number;
  /** Every event of a delivery must carry the same `webhook_id`. */
  readonly oneWebhookId: boolean;
  /** Remember event ids in memory and skip those already processed. */
  readonly dedupe: boolean;
  /** Require `created` (strict); `expires` is always required unless a flaw says otherwise. */
  readonly requireCreated: boolean;
  /** Require `@method` to be covered (strict); a lenient receiver only takes POST anyway. */
  readonly requireMethodCovered: boolean;
  /** When no key has the `keyid` as its `kid`, try every key of the JWKS (lenient). */
  readonly anyKeyFallback: boolean;
  readonly flaw?: Flaw;
}

const strictConfig: ReceiverConfig = {
  skewSeconds: 60,
  oneWebhookId: true,
  dedupe: true,
  requireCreated: true,
  requireMethodCovered: true,
  anyKeyFallback: false,
};

const MOUNT_PATH = '/webhooks/upvest';

// ---------------------------------------------------------------------------------------------
// Structured fields, parsed by hand as a tenant would (enough of RFC 8941 for these headers).

type Bare = string | number | boolean;

interface Member {
  readonly label: string;
  /** The member's value as serialised in the header: the `@signature-params` value. */
  readonly raw: string;
  readonly components?: readonly string[];
  readonly bytes?: Buffer;
  readonly params: ReadonlyMap<string, Bare>;
}

/** Splits at `separator` outside quoted strings and parentheses. */
function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unquote(text: string): string | undefined {
  const match = /^"((?:[^"\\]|\\["\\])*)"$/.exec(text);
  return match ? match[1]!.replace(/\\(["\\])/g, '$1') : undefined;
}

function parseParams(text: string): Map<string, Bare> | undefined {
  const params = new Map<string, Bare>();
  if (text.trim() === '') return params;
  if (!text.startsWith(';')) return undefined;
  for (const part of splitOutside(text.slice(1), ';')) {
    const [name, ...rest] = part.trim().split('=');
    if (!name || !/^[a-z*][a-z0-9_\-.*]*$/.test(name)) return undefined;
    const value = rest.join('=');
    if (rest.length === 0) params.set(name, true);
    else if (/^-?\d{1,15}$/.test(value)) params.set(name, Number(value));
    else if (value.startsWith('"')) {
      const unquoted = unquote(value);
      if (unquoted === undefined) return undefined;
      params.set(name, unquoted);
    } else if (/^[A-Za-z*][\w:/!#$%&'*+\-.^`|~]*$/.test(value)) params.set(name, value);
    else return undefined;
  }
  return params;
}

/** A dictionary of inner lists or byte sequences, or undefined when malformed. */
function parseDictionary(text: string): Member[] | undefined {
  const members: Member[] = [];
  for (const part of splitOutside(text, ',')) {
    const match = /^([a-z*][a-z0-9_\-.*]*)=(.*)$/s.exec(part.trim());
    if (!match) return undefined;
    const label = match[1]!;
    const raw = match[2]!;
    if (raw.startsWith('(')) {
      const inner = /^\((?:[^"()]|"(?:[^"\\]|\\["\\])*")*\)/.exec(raw); // to the closing `)`
      if (!inner) return undefined;
      const close = inner[0].length - 1;
      const items = raw
        .slice(1, close)
        .split(' ')
        .filter((item) => item !== '');
      const components: string[] = [];
      for (const item of items) {
        const name = unquote(item);
        if (name === undefined) return undefined; // component parameters are not supported
        components.push(name);
      }
      const params = parseParams(raw.slice(close + 1));
      if (!params) return undefined;
      members.push({ label, raw, components, params });
    } else if (raw.startsWith(':')) {
      const end = raw.indexOf(':', 1);
      if (end < 0 || !/^[A-Za-z0-9+/=]*$/.test(raw.slice(1, end))) return undefined;
      const params = parseParams(raw.slice(end + 1));
      if (!params) return undefined;
      members.push({ label, raw, bytes: Buffer.from(raw.slice(1, end), 'base64'), params });
    } else return undefined;
  }
  return members;
}

// ---------------------------------------------------------------------------------------------
// Verification.

type Verdict =
  { readonly ok: true } | { readonly ok: false; readonly status: number; readonly reason: string };

const refuse = (reason: string, status = 401): Verdict => ({ ok: false, status, reason });

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.join(', ') : value).trim();
}

const b64 = (algorithm: 'sha256' | 'sha512', bytes: Buffer) =>
  createHash(algorithm).update(bytes).digest('base64');

type DigestVerdict = 'match' | 'mismatch' | 'malformed';

/** `digest: SHA-256=<b64>[, SHA-512=<b64>]` (RFC 3230): every known algorithm must match. */
function checkLegacyDigest(value: string, body: Buffer, flaw: Flaw | undefined): DigestVerdict {
  let known = 0;
  for (const part of value.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) return 'malformed';
    const name = part.slice(0, at).trim();
    const given = part.slice(at + 1).trim();
    const algorithm =
      flaw === 'digest-prefix-case-sensitive'
        ? // Bug: matched against the lower-case names of content-digest.
          ({ 'sha-256': 'sha256', 'sha-512': 'sha512' } as const)[name]
        : ({ 'sha-256': 'sha256', 'sha-512': 'sha512' } as const)[name.toLowerCase()];
    if (!algorithm) continue;
    known++;
    if (!digestEquals(given, b64(algorithm, body), flaw)) return 'mismatch';
  }
  return known > 0 ? 'match' : 'malformed';
}

/** `content-digest: sha-512=:<b64>:` (RFC 9530): every known algorithm must match. */
function checkContentDigest(value: string, body: Buffer, flaw: Flaw | undefined): DigestVerdict {
  const members = parseDictionary(value);
  if (!members) return 'malformed';
  let known = 0;
  for (const member of members) {
    const algorithm = ({ 'sha-256': 'sha256', 'sha-512': 'sha512' } as const)[member.label];
    if (!algorithm) continue;
    if (!member.bytes) return 'malformed';
    known++;
    if (!digestEquals(member.raw.split(':')[1]!, b64(algorithm, body), flaw)) return 'mismatch';
  }
  return known > 0 ? 'match' : 'malformed';
}

function digestEquals(given: string, expected: string, flaw: Flaw | undefined): boolean {
  // Bug: base64 is case-sensitive; this compares like hex.
  if (flaw === 'digest-case-insensitive') return given.toLowerCase() === expected.toLowerCase();
  return given === expected;
}

function publicKeyOf(jwk: JsonWebKeySet['keys'][number]): KeyObject {
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-521', x: jwk.x ?? '', y: jwk.y ?? '' },
    format: 'jwk',
  });
}

const verifyAsync = promisify(verifySignature);

async function verifyDeliverySignature(
  request: IncomingMessage,
  body: Buffer,
  jwks: JsonWebKeySet,
  config: ReceiverConfig,
): Promise<Verdict> {
  const flaw = config.flaw;
  const now = Math.floor(Date.now() / 1000);

  const inputText =
    flaw === '500-on-unsigned'
      ? // Bug: assumes the headers are there; a TypeError on an unsigned request becomes a 500.
        (request.headers['signature-input'] as string).trim()
      : header(request, 'signature-input');
  const signatureText =
    flaw === '500-on-unsigned'
      ? (request.headers['signature'] as string).trim()
      : header(request, 'signature');
  if (!inputText || !signatureText) return refuse('missing_signature');
  const inputs = parseDictionary(inputText);
  const signatures = parseDictionary(signatureText);
  if (!inputs?.length || !signatures?.length) return refuse('malformed_signature_header');

  // Which signature is verified, and whose parameters are checked.
  let input: Member | undefined = inputs[0];
  let signature = signatures.find((s) => s.label === input?.label);
  let window = input;
  if (flaw === 'positional-labels') {
    // Bug: pairs the first `signature-input` member with the first `signature` member.
    signature = signatures[0];
  } else if (flaw === 'window-on-other-member') {
    // Bug: the time window is read from the first `signature-input` member, but the signature
    // verified is the one the `signature` header names first.
    signature = signatures[0];
    input = inputs.find((i) => i.label === signature?.label);
  }
  if (!input?.components || !signature?.bytes || !window?.components) {
    return refuse('missing_signature');
  }
  if (flaw !== 'window-on-other-member') window = input;
  const components = input.components;
  if (new Set(components).size !== components.length) return refuse('malformed_signature_header');

  // Time window.
  const created = window.params.get('created');
  const expires = window.params.get('expires');
  const createdRequired = config.requireCreated && flaw !== 'no-created-required';
  const expiresRequired = flaw !== 'no-expires-required';
  if (created !== undefined && typeof created !== 'number') return refuse('malformed_created');
  if (expires !== undefined && typeof expires !== 'number') return refuse('malformed_expires');
  if (created === undefined && createdRequired) return refuse('missing_created');
  if (expires === undefined && expiresRequired) return refuse('missing_expires');
  if (created !== undefined && flaw !== 'future-created' && created > now + config.skewSeconds) {
    return refuse('created_in_future');
  }
  if (expires !== undefined && flaw !== 'ignores-expires') {
    // Bug (expires-in-milliseconds): `expires` is in seconds, Date.now() in milliseconds.
    const clock = flaw === 'expires-in-milliseconds' ? Date.now() : now;
    if (expires < clock - config.skewSeconds) return refuse('expired');
  }

  // Required coverage.
  const covered = new Set(components);
  if (config.requireMethodCovered && flaw !== 'no-method-required' && !covered.has('@method')) {
    return refuse('method_not_covered');
  }
  if (flaw !== 'no-path-required' && !covered.has('@path')) return refuse('path_not_covered');
  const digestHeaders =
    flaw === 'refuses-content-digest'
      ? ['digest']
      : flaw === 'refuses-legacy-digest'
        ? ['content-digest']
        : ['digest', 'content-digest'];
  const coveredDigest = digestHeaders.some((name) => covered.has(name));
  const presentDigest = ['digest', 'content-digest'].some((name) => header(request, name));
  if (!coveredDigest) {
    const excused =
      flaw === 'no-digest-required' || (flaw === 'missing-digest-ok' && !presentDigest);
    if (!excused) return refuse('digest_not_covered');
  }

  // Algorithm.
  const alg = input.params.get('alg');
  const hmac = flaw === 'hmac-alg' && alg === 'hmac-sha256';
  if (alg !== undefined && alg !== 'ecdsa-p521-sha512' && !hmac && flaw !== 'ignores-alg') {
    return refuse('unsupported_algorithm');
  }

  // Key.
  const keyId = input.params.get('keyid');
  if (typeof keyId !== 'string') return refuse('missing_keyid');
  let keys: KeyObject[];
  const byKid = jwks.keys.find((k) => k.kid === keyId);
  if (flaw === '500-on-unknown-key') {
    // Bug: `find(...)!`; an unknown keyid throws in createPublicKey and becomes a 500.
    keys = [publicKeyOf(byKid!)];
  } else if (byKid) {
    keys = [publicKeyOf(byKid)];
  } else if (flaw === 'jwks-from-keyid-url' && /^https?:\/\//.test(keyId)) {
    // Bug: a keyid that is a URL (`https://host/jwks.json#kid`) is fetched, jku-style.
    const [url, kid] = keyId.split('#');
    const fetched = (await (await fetch(url!)).json()) as JsonWebKeySet;
    const jwk = fetched.keys.find((k) => kid === undefined || k.kid === kid);
    keys = jwk ? [publicKeyOf(jwk)] : [];
  } else if (config.anyKeyFallback) {
    keys = jwks.keys.map(publicKeyOf);
  } else keys = [];
  if (keys.length === 0) return refuse('unknown_key');

  // Body digests: every digest header present must match the bytes received.
  let digestBody = body;
  if (flaw === 'reserialised-digest') {
    // Bug: the digest is checked over the parsed-and-re-serialised JSON, as after express.json().
    try {
      digestBody = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
    } catch {
      digestBody = body;
    }
  }
  const legacy = header(request, 'digest');
  if (legacy !== undefined && checkLegacyDigest(legacy, digestBody, flaw) !== 'match') {
    return refuse('digest_mismatch');
  }
  const content = header(request, 'content-digest');
  if (
    content !== undefined &&
    flaw !== 'content-digest-not-checked' && // Bug: trusts content-digest, checks digest only.
    checkContentDigest(content, digestBody, flaw) !== 'match'
  ) {
    return refuse('digest_mismatch');
  }

  // The base, rebuilt from signature-input and the request as received.
  const target = request.url ?? '/';
  const pathOnly = target.split('?')[0]!;
  const query = target.includes('?') ? target.slice(target.indexOf('?')) : '?';
  const path =
    flaw === 'path-with-query'
      ? target // Bug: req.url, query included.
      : flaw === 'path-router-relative'
        ? pathOnly.replace(/^\/[^/]+/, '') || '/' // Bug: the mount prefix is stripped.
        : flaw === 'path-from-x-original-uri'
          ? (header(request, 'x-original-uri') ?? pathOnly) // Bug: trusts a client header.
          : pathOnly;
  const values: string[] = [];
  for (const name of components) {
    let value: string | undefined;
    if (name === '@method') value = flaw === 'method-hardcoded' ? 'POST' : request.method;
    else if (name === '@path') value = path;
    else if (name === '@query') value = query;
    else if (name === '@authority') value = header(request, 'host')?.toLowerCase();
    else if (name.startsWith('@') || name !== name.toLowerCase()) value = undefined;
    else value = header(request, name);
    if (value === undefined) return refuse('missing_component');
    values.push(value);
  }
  const paramsValue =
    flaw === 'params-reserialised'
      ? // Bug: rebuilt from the parsed parameters in a fixed order, not taken as sent.
        `(${components.map((c) => `"${c}"`).join(' ')})` +
        [...input.params]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => (typeof v === 'string' ? `;${k}="${v}"` : `;${k}=${String(v)}`))
          .join('')
      : input.raw;
  const baseOf = (quoted: boolean) => {
    const name = (n: string) => (quoted ? `"${n}"` : n);
    return [
      ...components.map((c, i) => `${name(c)}: ${values[i]!}`),
      `${name('@signature-params')}: ${paramsValue}`,
    ].join('\n');
  };
  const formats: boolean[] = [];
  if (flaw !== 'refuses-v6') formats.push(false);
  if (flaw !== 'refuses-v15') formats.push(true);
  const encodings: ('der' | 'ieee-p1363')[] = [];
  if (flaw !== 'refuses-der') encodings.push('der');
  if (flaw !== 'refuses-raw') encodings.push('ieee-p1363');

  const bytes = signature.bytes;
  for (const quoted of formats) {
    const base = Buffer.from(baseOf(quoted));
    for (const key of keys) {
      if (hmac) {
        // Bug: honours alg="hmac-sha256", keyed with the public key's (public) bytes.
        const mac = createHmac('sha256', key.export({ type: 'spki', format: 'der' }))
          .update(base)
          .digest();
        if (mac.length === bytes.length && timingSafeEqual(mac, bytes)) return { ok: true };
        continue;
      }
      for (const dsaEncoding of encodings) {
        if (flaw === 'unverified-result-ignored') {
          // Bug: the promisified verify resolves to false for a bad signature; only a throw is
          // treated as a failure.
          try {
            await verifyAsync('sha512', base, { key, dsaEncoding }, bytes);
            return { ok: true };
          } catch {
            continue;
          }
        }
        try {
          if (verifySignature('sha512', base, { key, dsaEncoding }, bytes)) return { ok: true };
        } catch {
          // A byte string that is not DER: try the next encoding.
        }
      }
    }
  }
  return refuse('bad_signature');
}

// ---------------------------------------------------------------------------------------------
// The receiver.

/** Event types this tenant handles (for the receiver that refuses the others). */
const HANDLED_TYPES = new Set([
  'USER.CREATED',
  'USER.ACTIVATED',
  'USER.DEACTIVATED',
  'ORDER.NEW',
  'ORDER.PROCESSING',
  'ORDER.FILLED',
  'ORDER.CANCELLED',
  'REPORT.CREATED',
]);
const EVENT_FIELDS = new Set(['id', 'created_at', 'type', 'object', 'webhook_id']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function bodyLimitOf(flaw: Flaw | undefined): number {
  if (flaw === 'body-limit-100kb') return 100 * 1024; // express.json()'s default
  if (flaw === 'body-limit-1mib') return 1024 * 1024; // "max_package_size is at most 1 MiB"
  return 32 * 1024 * 1024;
}

/** Reads the whole body; `undefined` when it exceeds `limit` (the rest is drained). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });
}

function createReceiver(name: string, config: ReceiverConfig, bug?: string): TestReceiver {
  return {
    name,
    ...(bug === undefined ? {} : { bug }),
    async start(jwks) {
      const processed = new Set<string>();
      const flaw = config.flaw;

      async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        let answered = false;
        const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          if (answered) return; // 200-before-verifying: the answer went out already
          answered = true;
          response.writeHead(status, { 'content-type': 'application/json', ...headers });
          response.end(JSON.stringify(body));
        };
        const target = request.url ?? '/';
        const path = target.split('?')[0]!;

        if (flaw === 'redirect-trailing-slash' && !path.endsWith('/')) {
          // Bug: the framework's trailing-slash redirect sits in front of the webhook route.
          request.resume();
          return void reply(308, {}, { location: `${path}/` });
        }
        if (flaw === '200-before-verifying') {
          // Bug: acknowledges first "so Upvest is not kept waiting", then verifies and logs.
          reply(200, { received: true });
        }
        if (path.replace(/\/$/, '') !== MOUNT_PATH) {
          request.resume();
          return void reply(404, { error: 'not_found' });
        }
        if (request.method !== 'POST' && flaw !== 'method-hardcoded') {
          request.resume();
          return void reply(405, { error: 'method_not_allowed' }, { allow: 'POST' });
        }
        const body = await readBody(request, bodyLimitOf(flaw));
        if (body === undefined) return void reply(413, { error: 'payload_too_large' });

        // Verify before trusting anything in the body.
        const verdict = await verifyDeliverySignature(request, body, jwks, config);
        if (!verdict.ok) {
          // Bug (200-with-error-body): the failure is in the body, the status says success.
          const status = flaw === '200-with-error-body' ? 200 : verdict.status;
          return void reply(status, { ok: false, error: verdict.reason });
        }

        if (body.length === 0) {
          // Bug (empty-body-ok): an empty body is treated as "nothing to do".
          if (flaw === 'empty-body-ok') return void reply(200, { received: 0 });
          return void reply(400, { error: 'empty_body' });
        }
        let document: unknown;
        try {
          document = JSON.parse(body.toString('utf8'));
        } catch {
          if (flaw === 'drops-connection-on-bad-json') return void request.socket.destroy();
          if (flaw === '500-on-bad-json') return void reply(500, { error: 'internal' });
          return void reply(400, { error: 'malformed_json' });
        }
        if (!isObject(document) || !Array.isArray(document['payload'])) {
          return void reply(400, { error: 'no_payload' });
        }
        const events = document['payload'] as unknown[];
        const fraction = flaw === 'millisecond-created-at' ? '(\\.\\d{3})?' : '(\\.\\d{1,9})?';
        const timestamp = new RegExp(
          `^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}${fraction}(Z|[+-]\\d{2}:\\d{2})$`,
        );
        for (const event of events) {
          if (
            !isObject(event) ||
            typeof event['id'] !== 'string' ||
            typeof event['created_at'] !== 'string' ||
            !timestamp.test(event['created_at']) ||
            typeof event['type'] !== 'string' ||
            !isObject(event['object']) ||
            typeof event['webhook_id'] !== 'string'
          ) {
            return void reply(400, { error: 'invalid_event' });
          }
          if (
            flaw === 'refuses-extra-fields' &&
            Object.keys(event).some((k) => !EVENT_FIELDS.has(k))
          ) {
            return void reply(400, { error: 'unexpected_field' });
          }
          if (flaw === 'refuses-unknown-types' && !HANDLED_TYPES.has(event['type'])) {
            return void reply(422, { error: 'unknown_event_type' });
          }
        }
        const typed = events as { id: string; webhook_id: string }[];
        if (flaw === 'refuses-empty-batch' && typed.length === 0) {
          return void reply(400, { error: 'empty_batch' });
        }
        if (config.oneWebhookId && new Set(typed.map((e) => e.webhook_id)).size > 1) {
          return void reply(400, { error: 'mixed_webhook_ids' });
        }

        const seen = typed.filter((e) => processed.has(e.id));
        if (seen.length > 0) {
          // Bug (500-on-redelivery): dedupe is a unique constraint whose violation is a 500.
          if (flaw === '500-on-redelivery') return void reply(500, { error: 'duplicate key' });
          if (seen.length === typed.length) {
            if (flaw === '409-on-redelivery')
              return void reply(409, { error: 'already_processed' });
            if (flaw === '304-on-redelivery') return void reply(304, {});
          }
        }
        const fresh = config.dedupe ? typed.filter((e) => !processed.has(e.id)) : typed;
        if (flaw === 'slow-inline-processing') await sleep(3_000 * fresh.length);
        if (flaw === 'slow-large-bodies' && body.length > 512 * 1024) await sleep(6_000);
        for (const event of fresh) processed.add(event.id);
        reply(200, { received: fresh.length });
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
        url: `http://127.0.0.1:${port}${MOUNT_PATH}`,
        close: () => {
          server.closeAllConnections();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
  };
}

const baseConfig: ReceiverConfig = { ...strictConfig, oneWebhookId: false };

/**
 * Correct hand-written receivers: `strict` (everything the delivery profile allows checked,
 * including one `webhook_id` per delivery), the same without the `webhook_id` check (the base of
 * every broken receiver), and `lenient-but-correct` (5 min skew, `created` optional, `@method`
 * not required covered, any JWKS key tried when the `keyid` is unknown, no dedupe: redeliveries
 * are applied again idempotently).
 *
 * @example
 * ```ts
 * for (const receiver of correctReceivers) console.log(receiver.name);
 * ```
 */
export const correctReceivers: readonly TestReceiver[] = [
  createReceiver('strict', strictConfig),
  createReceiver('strict-without-webhook-id-check', baseConfig),
  createReceiver('lenient-but-correct', {
    skewSeconds: 300,
    oneWebhookId: false,
    dedupe: false,
    requireCreated: false,
    requireMethodCovered: false,
    anyKeyFallback: true,
  }),
];

const bugs: readonly (readonly [Flaw, string])[] = [
  // Time window.
  ['future-created', 'accepts a `created` hours in the future (no future check)'],
  ['ignores-expires', 'never checks `expires`: an expired signature is accepted'],
  [
    'expires-in-milliseconds',
    'compares `expires` (seconds) with Date.now() (milliseconds): refuses every delivery',
  ],
  ['no-created-required', 'accepts a signature without `created`'],
  ['no-expires-required', 'accepts a signature without `expires` (checks it only when present)'],
  // Coverage.
  ['no-path-required', 'does not require `@path` covered: a delivery for another URL replays here'],
  ['no-method-required', 'does not require `@method` covered'],
  [
    'no-digest-required',
    'does not require the digest header covered: body and digest can be swapped together',
  ],
  [
    'missing-digest-ok',
    'accepts a delivery with no digest header at all (checks the digest only when present)',
  ],
  // Digests.
  [
    'content-digest-not-checked',
    'never compares `content-digest` with the body (checks `digest` only)',
  ],
  ['digest-case-insensitive', 'compares the base64 digest case-insensitively'],
  [
    'digest-prefix-case-sensitive',
    'reads `digest: SHA-256=` case-sensitively as `sha-256=`: refuses every `digest` delivery',
  ],
  [
    'reserialised-digest',
    'checks the digest over JSON.stringify(JSON.parse(body)), not the raw bytes',
  ],
  // Algorithms and keys.
  ['hmac-alg', 'accepts alg="hmac-sha256" keyed with the public key\'s SPKI bytes'],
  ['ignores-alg', 'ignores the `alg` parameter (accepts any value)'],
  [
    'jwks-from-keyid-url',
    'fetches a JWKS from a `keyid` that is a URL (jku-style) and trusts its keys',
  ],
  [
    'unverified-result-ignored',
    'awaits the promisified crypto.verify but ignores its `false`: any signature verifies',
  ],
  // Labels and parameters.
  [
    'positional-labels',
    'pairs the first signature-input member with the first signature member, whatever their labels',
  ],
  [
    'window-on-other-member',
    'checks created/expires of the first signature-input member but verifies the member the signature names',
  ],
  [
    'params-reserialised',
    'rebuilds @signature-params from parsed parameters in alphabetical order: refuses every delivery',
  ],
  // Formats.
  ['refuses-raw', 'accepts only DER ECDSA signatures (refuses raw r||s)'],
  ['refuses-der', 'accepts only raw r||s signatures, as RFC 9421 says (refuses DER)'],
  ['refuses-v6', 'builds only the v15 base (quoted names): refuses the documented v6 deliveries'],
  ['refuses-v15', 'builds only the v6 base (unquoted names): refuses v15 deliveries'],
  ['refuses-content-digest', 'requires the `digest` header: refuses `content-digest` deliveries'],
  ['refuses-legacy-digest', 'requires `content-digest`: refuses `digest: SHA-256=` deliveries'],
  // The path and the method.
  [
    'path-from-x-original-uri',
    'takes @path from the client-supplied x-original-uri header when present',
  ],
  [
    'path-router-relative',
    'rebuilds @path from the router-relative URL (drops the /webhooks prefix): refuses every delivery',
  ],
  [
    'path-with-query',
    'signs @path with the query string (req.url): refuses deliveries to a URL with a query',
  ],
  [
    'method-hardcoded',
    'mounted for every method with "POST" hard-coded into the base: accepts a PUT',
  ],
  // The body.
  [
    'drops-connection-on-bad-json',
    'drops the connection on malformed JSON under a valid signature',
  ],
  ['500-on-bad-json', 'answers 500 to malformed JSON under a valid signature'],
  ['empty-body-ok', 'answers 200 to an empty body under a valid signature'],
  ['refuses-empty-batch', 'answers 400 to an empty batch `{"payload":[]}`'],
  ['refuses-unknown-types', 'answers 422 to event types it does not handle'],
  ['refuses-extra-fields', 'answers 400 to an event with a field beyond the five documented'],
  [
    'millisecond-created-at',
    'validates created_at with a millisecond regex: refuses the nine-digit timestamps Upvest sends',
  ],
  ['body-limit-100kb', 'limits the body to 100 KB (express.json default): 413 for a large event'],
  [
    'body-limit-1mib',
    'limits the body to max_package_size (1 MiB): 413 for one event larger than that',
  ],
  // Speed and answers.
  ['slow-inline-processing', 'processes every event before answering (3 s each)'],
  ['slow-large-bodies', 'scans bodies above 512 KB synchronously before answering (6 s)'],
  ['500-on-redelivery', 'dedupe is a unique constraint: a redelivery answers 500'],
  ['409-on-redelivery', 'answers 409 Conflict to a batch it processed before'],
  ['304-on-redelivery', 'answers 304 Not Modified to a batch it processed before'],
  ['200-before-verifying', 'answers 200 before verifying (verifies and logs afterwards)'],
  [
    'redirect-trailing-slash',
    'a trailing-slash redirect (308) sits in front of the route: never 2xx',
  ],
  ['500-on-unsigned', 'answers 500 to an unsigned request (header parsing throws)'],
  ['500-on-unknown-key', 'answers 500 to an unknown keyid (the key lookup throws)'],
  ['200-with-error-body', 'answers 200 with {"ok":false} to a delivery that fails verification'],
];

/**
 * `strict-without-webhook-id-check` with one bug each (`bug` says which).
 *
 * @example
 * ```ts
 * console.log(brokenReceivers.map((r) => `${r.name}: ${r.bug}`).join('\n'));
 * ```
 */
export const brokenReceivers: readonly TestReceiver[] = bugs.map(([flaw, bug]) =>
  createReceiver(flaw, { ...baseConfig, flaw }, bug),
);
