/**
 * Holdout faults: a second batch of seeded server bugs, written apart from the suite and from
 * `faults.ts`, to measure the suite on bugs its author did not plant. Each is one plausible bug
 * of a real implementation of the webhook subscriptions API, observable by a client that knows
 * the documented contract (spec/openapi.yaml, docs/rules.md, docs/mock-server.md).
 *
 * Conventions, so that each fault plants exactly one bug:
 * - A fault that rewrites a request (and so has the proxy sign it anew) only does so when the
 *   original signature verifies; otherwise the mock refuses it as it would have. Token checks
 *   stay the mock's: the original `authorization` travels on.
 * - A server that is too strict is made to refuse through the mock itself (the offending value
 *   is replaced by one the mock refuses), so the refusal comes after authentication and looks
 *   like the mock's own 400.
 * - A server that "stores as sent" keeps the value it should have refused: the mock stores a
 *   valid stand-in, and every later answer about that webhook shows the value as sent.
 */
import { createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { validateUpdateWebhook, verifyUpvestRequest } from '../../src/index.js';
import { contentDigest } from '../../src/signing/index.js';
import { generateDeliveryKeyPair } from '../../src/testing/index.js';
import type { ProxyRequest, ProxyResponse, SeededFault } from './proxy.js';

type Json = Record<string, unknown>;
type Tools = Parameters<NonNullable<SeededFault['request']>>[1];

// ---------------------------------------------------------------------------------------------
// Small helpers.

const CATEGORIES = new Set([
  'ALL',
  'USER',
  'USER_CHECK',
  'ORDER',
  'ORDER_CANCELLATION',
  'EXECUTION',
  'POSITION',
  'CASH_BALANCE',
  'ACCOUNT',
  'ACCOUNT_GROUP',
  'REPORT',
  'TREASURY_REPORT',
  'DIRECT_DEBIT',
  'WITHDRAWAL',
  'PORTFOLIO',
  'PORTFOLIO_ALLOCATION',
  'PORTFOLIO_ORDER',
  'CORPORATE_ACTION',
  'ACCOUNT_VALUATION',
  'INTRADAY_ACCOUNT_VALUATION',
  'CASH_TRANSACTION',
  'SECURITY_TRANSACTION',
  'ACCOUNT_LIQUIDATION',
  'ACCOUNT_RETURNS',
  'VIRTUAL_CASH_INCREASE',
  'VIRTUAL_CASH_DECREASE',
  'FEE_COLLECTION',
]);
const ONE_MIB = 1024 * 1024;

function parseObject(text: string): Json | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Json)
      : undefined;
  } catch {
    return undefined;
  }
}

const url = (r: ProxyRequest) => new URL(r.target, 'http://proxy.invalid');
const pathOf = (r: ProxyRequest) => url(r).pathname;
const queryOf = (r: ProxyRequest) => url(r).searchParams;
const isCreate = (r: ProxyRequest) => r.method === 'POST' && pathOf(r) === '/webhooks';
const isPatch = (r: ProxyRequest) => r.method === 'PATCH' && /^\/webhooks\/[^/]+$/.test(pathOf(r));
const isWrite = (r: ProxyRequest) => isCreate(r) || isPatch(r);
const isList = (r: ProxyRequest) => r.method === 'GET' && pathOf(r) === '/webhooks';
const isToken = (r: ProxyRequest) => r.method === 'POST' && pathOf(r) === '/auth/token';
const isKeys = (r: ProxyRequest) => r.method === 'GET' && pathOf(r) === '/auth/verify_keys';
const testedId = (r: ProxyRequest) =>
  r.method === 'POST' ? /^\/webhooks\/([^/]+)\/test$/.exec(pathOf(r))?.[1] : undefined;
const ok = (response: ProxyResponse) => response.status >= 200 && response.status < 300;
const text = (value: unknown) => (typeof value === 'string' ? value : '');
const configOf = (body: Json) =>
  typeof body['config'] === 'object' && body['config'] !== null ? (body['config'] as Json) : {};
const signatureInput = (r: ProxyRequest) => r.headers['signature-input'] ?? '';
const covers = (r: ProxyRequest, component: string) => signatureInput(r).includes(`"${component}"`);
const signed = (r: ProxyRequest) => r.headers['signature'] !== undefined;

function setBody(r: ProxyRequest, value: unknown): void {
  r.body = JSON.stringify(value);
  r.resign = true;
}

function setQuery(r: ProxyRequest, name: string, value: string | undefined): void {
  const target = url(r);
  if (value === undefined) target.searchParams.delete(name);
  else target.searchParams.set(name, value);
  r.target = `${target.pathname}${target.search}`;
  r.resign = true;
}

function setForm(r: ProxyRequest, form: URLSearchParams): void {
  r.body = form.toString();
  r.resign = true;
}

/**
 * Whether the request as it arrived carries a valid v15 signature: a fault that rewrites a
 * request (and so signs it anew) does so only then, so that it plants no signature bug besides
 * its own.
 */
async function signedWell(r: ProxyRequest, tools: Tools): Promise<boolean> {
  const { keyId, privateKey } = tools.mock.credentials;
  if (!privateKey) return true;
  const publicKey = createPublicKey(privateKey);
  const verdict = await verifyUpvestRequest(
    { method: r.method, url: `http://proxy.invalid${r.target}`, headers: r.headers, body: r.body },
    { keys: (id) => (id === keyId ? publicKey : undefined) },
  );
  return verdict.ok;
}

/** Handed from a fault's request hook to its response hook, per exchange. */
const carried = new WeakMap<ProxyRequest, unknown>();

/** Applies `change` to every webhook in a 2xx JSON answer (one webhook, or a page's `data`). */
function eachWebhook(response: ProxyResponse, change: (webhook: Json) => void): void {
  if (!ok(response) || !(response.headers['content-type'] ?? '').includes('json')) return;
  const body = parseObject(response.body);
  if (!body) return;
  const webhooks = Array.isArray(body['data'])
    ? (body['data'] as Json[])
    : typeof body['id'] === 'string' && 'url' in body
      ? [body]
      : [];
  if (webhooks.length === 0) return;
  for (const webhook of webhooks) change(webhook);
  response.body = JSON.stringify(body);
}

/** Changes the page of a 200 list answer. */
function changePage(
  response: ProxyResponse,
  change: (page: { meta: Json; data: Json[] }) => void,
): void {
  if (response.status !== 200) return;
  const page = parseObject(response.body) as { meta: Json; data: Json[] } | undefined;
  if (!page || !Array.isArray(page.data) || typeof page.meta !== 'object') return;
  change(page);
  response.body = JSON.stringify(page);
}

/** What a server shows of a webhook instead of what it stores, by webhook id. */
const overlayKey = (id: unknown) => `overlay:${String(id).toLowerCase()}`;
function overlayOf(tools: Tools, id: unknown): Json {
  return (tools.memory.get(overlayKey(id)) as Json | undefined) ?? {};
}
function addOverlay(tools: Tools, id: unknown, fields: Json): void {
  tools.memory.set(overlayKey(id), { ...overlayOf(tools, id), ...fields });
}
function applyOverlays(response: ProxyResponse, tools: Tools): void {
  eachWebhook(response, (webhook) => Object.assign(webhook, overlayOf(tools, webhook['id'])));
}

/** A problem document as the API writes one, with `request_id` equal to the header. */
function problemAnswer(status: number, slug: string, title: string, detail: string): ProxyResponse {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'content-type': 'application/problem+json', 'upvest-request-id': requestId },
    body: JSON.stringify({
      type: `https://docs.upvest.co/errors/${slug}`,
      status,
      title,
      detail,
      request_id: requestId,
    }),
  };
}

/** The host of a URL as written (before any parser normalises it). */
function hostAsWritten(value: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(value)?.[1] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
}

/** The URL with its host (as written) replaced. */
function withHost(value: string, host: string): string {
  const written = hostAsWritten(value);
  const at = value.indexOf(written, value.indexOf('//') + 2);
  return `${value.slice(0, at)}${host}${value.slice(at + written.length)}`;
}

const STAND_IN_HOST = 'stand-in.example';

/**
 * A server that lets one invalid spelling through and stores it as sent: the mock stores the
 * `repair`ed body, and every later answer shows the fields as the client sent them.
 */
function storesAsSent(
  name: string,
  applies: (body: Json) => boolean,
  repair: (body: Json) => Json,
): SeededFault {
  return {
    name,
    kind: 'too lenient',
    async request(r, tools) {
      const body = isWrite(r) ? parseObject(r.body) : undefined;
      if (!body || !applies(body) || !(await signedWell(r, tools))) return;
      const repaired = repair(body);
      const changed = Object.fromEntries(
        Object.entries(body).filter(([k, v]) => JSON.stringify(repaired[k]) !== JSON.stringify(v)),
      );
      carried.set(r, changed);
      setBody(r, repaired);
    },
    response(response, r, tools) {
      const changed = carried.get(r) as Json | undefined;
      if (changed && ok(response)) {
        eachWebhook(response, (webhook) => addOverlay(tools, webhook['id'], changed));
      } else if (!changed && isWrite(r) && ok(response)) {
        // A valid write of a field replaces whatever the server showed for it.
        const sent = Object.keys(parseObject(r.body) ?? {});
        eachWebhook(response, (webhook) => {
          const overlay = overlayOf(tools, webhook['id']);
          for (const key of sent) delete overlay[key];
          tools.memory.set(overlayKey(webhook['id']), overlay);
        });
      }
      applyOverlays(response, tools);
    },
  };
}

/** A server that normalises one invalid spelling into a valid one and stores that. */
function normalises(
  name: string,
  applies: (body: Json) => boolean,
  repair: (body: Json) => Json,
): SeededFault {
  return {
    name,
    kind: 'too lenient',
    async request(r, tools) {
      const body = isWrite(r) ? parseObject(r.body) : undefined;
      if (body && applies(body) && (await signedWell(r, tools))) setBody(r, repair(body));
    },
  };
}

/**
 * A server too strict about one valid input: when `applies` holds, the body is changed with
 * `spoil` into one the mock refuses (after authentication, with its own 400).
 */
function refusesValid(
  name: string,
  applies: (r: ProxyRequest, body: Json) => boolean,
  spoil: (r: ProxyRequest, body: Json) => void,
): SeededFault {
  return {
    name,
    kind: 'too strict',
    async request(r, tools) {
      const body = isWrite(r) ? parseObject(r.body) : undefined;
      if (!body || !applies(r, body) || !(await signedWell(r, tools))) return;
      spoil(r, body);
      r.resign = true;
    },
  };
}

const codePoints = (value: string) => [...value].length;

/**
 * A PATCH whose `field` is answered as changed but not stored: the mock gets the patch without
 * it, and the answer shows the value sent.
 */
function patchNotStored(
  name: string,
  applies: (patch: Json) => boolean,
  strip: (patch: Json) => Json,
  echo: (webhook: Json, patch: Json) => void,
): SeededFault {
  return {
    name,
    kind: 'state',
    async request(r, tools) {
      const patch = isPatch(r) ? parseObject(r.body) : undefined;
      if (!patch || !applies(patch) || !validateUpdateWebhook(patch).ok) return;
      if (!(await signedWell(r, tools))) return;
      carried.set(r, patch);
      setBody(r, strip(patch));
    },
    response(response, r) {
      const patch = carried.get(r) as Json | undefined;
      if (patch) eachWebhook(response, (webhook) => echo(webhook, patch));
    },
  };
}

const without = (body: Json, key: string): Json =>
  Object.fromEntries(Object.entries(body).filter(([k]) => k !== key));

/** A list request rewritten (signed anew) when `rewrite` says so; `answer` fixes up the page. */
function listFault(
  name: string,
  rewrite: (r: ProxyRequest, query: URLSearchParams) => unknown,
  answer?: (page: { meta: Json; data: Json[] }, carriedValue: unknown) => void,
): SeededFault {
  return {
    name,
    kind: 'state',
    async request(r, tools) {
      if (!isList(r)) return;
      const query = queryOf(r);
      const before = r.target;
      const value = rewrite(r, query);
      if (r.target === before && !r.resign) return;
      if (!(await signedWell({ ...r, target: before, resign: false }, tools))) {
        r.target = before;
        r.resign = false;
        return;
      }
      carried.set(r, value ?? true);
    },
    response(response, r) {
      if (!carried.has(r) || !answer) return;
      changePage(response, (page) => answer(page, carried.get(r)));
    },
  };
}

/** The whole list in the requested sort and order, fetched from the real store. */
async function fullList(r: ProxyRequest, tools: Tools): Promise<Json[] | undefined> {
  const query = queryOf(r);
  const all = new URLSearchParams({ offset: '0', limit: '1000' });
  for (const name of ['sort', 'order']) {
    const value = query.get(name);
    if (value) all.set(name, value);
  }
  const answer = await tools.ask({
    method: 'GET',
    target: `/webhooks?${all.toString()}`,
    headers: {},
    body: '',
  });
  if (answer.status !== 200) return undefined;
  return (parseObject(answer.body)?.['data'] as Json[] | undefined) ?? undefined;
}

const plainInteger = (value: string | null) =>
  value !== null && /^(0|[1-9][0-9]{0,9})$/.test(value) ? Number(value) : undefined;

/**
 * A signature fault: a signature (with its signature-input) that lacks what the profile demands
 * is signed anew.
 */
const acceptsSignatureWithout = (
  name: string,
  lacks: (r: ProxyRequest) => boolean | Promise<boolean>,
): SeededFault => ({
  name,
  kind: 'signature',
  async request(r) {
    if (signed(r) && signatureInput(r) !== '' && (await lacks(r))) r.resign = true;
  },
});

/** A token-request fault: when `applies` holds, the form is repaired (and signed anew). */
function tokenFault(
  name: string,
  applies: (form: URLSearchParams, r: ProxyRequest, tools: Tools) => boolean,
  repair: (form: URLSearchParams, r: ProxyRequest, tools: Tools) => void,
): SeededFault {
  return {
    name,
    kind: 'auth',
    async request(r, tools) {
      if (!isToken(r)) return;
      const form = new URLSearchParams(r.body);
      if (!applies(form, r, tools) || !(await signedWell(r, tools))) return;
      repair(form, r, tools);
      setForm(r, form);
    },
  };
}

/** Serves another key set at `GET /auth/verify_keys`. */
function keysFault(
  name: string,
  serve: (jwks: { keys: Json[] }, tools: Tools) => { keys: Json[] },
): SeededFault {
  return {
    name,
    kind: 'contract',
    response(response, r, tools) {
      if (!isKeys(r) || response.status !== 200) return;
      const jwks = parseObject(response.body) as { keys: Json[] } | undefined;
      if (jwks && Array.isArray(jwks.keys)) response.body = JSON.stringify(serve(jwks, tools));
    },
  };
}

function freshKeys(): { keys: Json[] } {
  return { keys: generateDeliveryKeyPair().jwks.keys.map((key) => ({ ...key })) };
}

/** The request id a fault writes: in the header, and in a problem body. */
function setRequestId(response: ProxyResponse, id: string): void {
  response.headers['upvest-request-id'] = id;
  const problem = response.status >= 400 ? parseObject(response.body) : undefined;
  if (problem && 'request_id' in problem) {
    problem['request_id'] = id;
    response.body = JSON.stringify(problem);
  }
}

// ---------------------------------------------------------------------------------------------
// The faults.

/**
 * The holdout faults, by family: validation spellings, read-after-write, lists, auth and
 * signatures, answer bodies, test deliveries.
 *
 * @example
 * ```ts
 * process.exitCode = await selfTest('holdout');
 * ```
 */
export const holdoutFaults: readonly SeededFault[] = [
  // (1) Validation spellings let through or wrongly refused.

  // R2: the host is not an IP address in any spelling; 3232235521 is 192.168.0.1.
  storesAsSent(
    'accepts an IPv4 host written as one decimal integer (R2)',
    (b) => /^\d+$/.test(hostAsWritten(text(b['url']))),
    (b) => ({ ...b, url: withHost(text(b['url']), STAND_IN_HOST) }),
  ),
  // R2: hex parts (0x7f.0.0.1, 0xc0a80001) and shortened forms (127.1) are IPv4 too.
  storesAsSent(
    'accepts hex and shortened IPv4 host spellings (R2)',
    (b) => {
      const host = hostAsWritten(text(b['url']));
      const parts = host.split('.');
      const numeric = parts.every((p) => /^(0x[0-9a-f]*|\d+)$/i.test(p));
      return numeric && (/0x/i.test(host) || (parts.length > 1 && parts.length < 4));
    },
    (b) => ({ ...b, url: withHost(text(b['url']), STAND_IN_HOST) }),
  ),
  // R2: an IPv6 literal in brackets is an IP host.
  storesAsSent(
    'accepts a bracketed IPv6 host (R2)',
    (b) => hostAsWritten(text(b['url'])).startsWith('['),
    (b) => ({ ...b, url: withHost(text(b['url']), STAND_IN_HOST) }),
  ),
  // R1 url.userinfo: no user name or password, not even an empty `@`.
  storesAsSent(
    'accepts user info in the URL (url.userinfo)',
    (b) => /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(text(b['url'])),
    (b) => ({ ...b, url: text(b['url']).replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1') }),
  ),
  // R1 url.fragment: no `#fragment`, not even an empty one.
  storesAsSent(
    'accepts a URL with a fragment (url.fragment)',
    (b) => text(b['url']).includes('#'),
    (b) => ({ ...b, url: text(b['url']).slice(0, text(b['url']).indexOf('#')) }),
  ),
  // R2 url.reserved_host / single_label_host: localhost and .local/.internal never resolve publicly.
  storesAsSent(
    'accepts localhost and reserved host names (R2)',
    (b) => /(^|\.)(localhost|local|internal)$/i.test(hostAsWritten(text(b['url']))),
    (b) => ({ ...b, url: withHost(text(b['url']), STAND_IN_HOST) }),
  ),
  // R5 / spec pattern ^[1-9][0-9]?[sm]$: `05s` has a leading zero.
  storesAsSent(
    'accepts a delay with a leading zero (R5)',
    (b) => /^0[1-9]s$|^0[1-2][0-9]s$|^030s$/.test(text(configOf(b)['delay'])),
    (b) => ({
      ...b,
      config: { ...configOf(b), delay: `${Number.parseInt(text(configOf(b)['delay']), 10)}s` },
    }),
  ),
  // R5 delay.minutes_unit: the guide allows seconds only, `1m`–`99m` pass the pattern but not R5.
  storesAsSent(
    'accepts a delay in minutes (R5)',
    (b) => /^[1-9][0-9]?m$/.test(text(configOf(b)['delay'])),
    (b) => ({ ...b, config: { ...configOf(b), delay: '30s' } }),
  ),
  // Spec WebhookCategory enum: case-sensitive, `order` is not `ORDER`.
  normalises(
    'accepts lower-case categories and upper-cases them (R7)',
    (b) =>
      Array.isArray(b['type']) &&
      b['type'].some(
        (t) => typeof t === 'string' && t !== t.toUpperCase() && CATEGORIES.has(t.toUpperCase()),
      ),
    (b) => ({
      ...b,
      type: (b['type'] as unknown[]).map((t) => (typeof t === 'string' ? t.toUpperCase() : t)),
    }),
  ),
  // R1 url.whitespace_or_control: a URL with surrounding white space is refused, not trimmed.
  normalises(
    'trims white space around the URL instead of refusing it',
    (b) => typeof b['url'] === 'string' && b['url'] !== b['url'].trim() && b['url'].trim() !== '',
    (b) => ({ ...b, url: text(b['url']).trim() }),
  ),
  // Spec max_package_size type: integer; "2048" is a string.
  normalises(
    'accepts max_package_size as a numeric string',
    (b) => /^\d+$/.test(text(configOf(b)['max_package_size'])),
    (b) => ({
      ...b,
      config: { ...configOf(b), max_package_size: Number(configOf(b)['max_package_size']) },
    }),
  ),
  // Spec WebhookUrl maxLength 1000: a longer URL is refused.
  storesAsSent(
    'accepts a URL longer than 1000 characters',
    (b) => codePoints(text(b['url'])) > 1000 && text(b['url']).startsWith('https://'),
    (b) => ({ ...b, url: `https://${STAND_IN_HOST}/long` }),
  ),
  // Spec WebhookTitle maxLength 100, counted in code points: 100 × "é" is 200 UTF-8 bytes.
  refusesValid(
    'counts the title in UTF-8 bytes, refusing 100 non-ASCII characters',
    (_, b) =>
      typeof b['title'] === 'string' &&
      codePoints(b['title']) <= 100 &&
      Buffer.byteLength(b['title']) > 100,
    (r, b) => setBody(r, { ...b, title: 'x'.repeat(101) }),
  ),
  // Spec WebhookTitle maxLength 100 counts code points: 60 emoji are 120 UTF-16 code units.
  refusesValid(
    'counts the title in UTF-16 code units, refusing astral characters',
    (_, b) =>
      typeof b['title'] === 'string' && codePoints(b['title']) <= 100 && b['title'].length > 100,
    (r, b) => setBody(r, { ...b, title: 'x'.repeat(101) }),
  ),
  // docs/mock-server.md "Content types": application/json with any parameter, e.g. a charset.
  refusesValid(
    'refuses content-type application/json; charset=utf-8',
    (r) => /^application\/json\s*;/i.test(r.headers['content-type'] ?? ''),
    (r) => void (r.headers['content-type'] = 'text/plain; charset=utf-8'),
  ),
  // Spec WebhookUrl maxLength 1000: exactly 1000 code points is allowed (an off-by-one `>=`).
  refusesValid(
    'refuses a URL of exactly 1000 characters',
    (_, b) => codePoints(text(b['url'])) === 1000,
    (r, b) => setBody(r, { ...b, url: `${text(b['url'])}x` }),
  ),
  // docs/rules.md url.scheme_not_https: the scheme is `https` in any case.
  refusesValid(
    'refuses an upper-case HTTPS scheme',
    (_, b) => /^https:/i.test(text(b['url'])) && !text(b['url']).startsWith('https:'),
    (r, b) => setBody(r, { ...b, url: text(b['url']).replace(/^https:/i, 'ftp:') }),
  ),
  // Spec WebhookCreateRequest: `type` is optional and defaults to ["ALL"] (R7).
  refusesValid(
    'requires type on create',
    (r, b) => isCreate(r) && b['type'] === undefined,
    (r, b) => setBody(r, { ...b, type: [] }),
  ),
  // Spec WebhookUpdateRequest requires nothing: `{}` is a valid (no-op) update.
  refusesValid(
    'refuses an empty PATCH body',
    (r, b) => isPatch(r) && Object.keys(b).length === 0,
    (r) => setBody(r, { title: 'x'.repeat(101) }),
  ),
  // docs/mock-server.md check 1: a body of at most maxBodyBytes (1 MiB) is read, not refused.
  {
    name: 'answers 413 to a body of exactly 1 MiB (an off-by-one limit)',
    kind: 'too strict',
    request(r) {
      if (Buffer.byteLength(r.body) === ONE_MIB) r.body += ' ';
    },
  },

  // (2) Read-after-write.

  // PATCH replaces the fields it names: a new url must be stored, not only answered.
  patchNotStored(
    'answers a PATCH of url without storing it',
    (p) => typeof p['url'] === 'string',
    (p) => without(p, 'url'),
    (w, p) => void (w['url'] = p['url']),
  ),
  // PATCH replaces `type` as a whole: the new list must be stored.
  patchNotStored(
    'answers a PATCH of type without storing it',
    (p) => Array.isArray(p['type']),
    (p) => without(p, 'type'),
    (w, p) => void (w['type'] = p['type']),
  ),
  // PATCH merges config member by member: a new max_package_size must be stored.
  patchNotStored(
    'answers a PATCH of config.max_package_size without storing it',
    (p) => configOf(p)['max_package_size'] !== undefined,
    (p) => ({ ...p, config: without(configOf(p), 'max_package_size') }),
    (w, p) =>
      void (w['config'] = {
        ...(w['config'] as Json),
        max_package_size: configOf(p)['max_package_size'],
      }),
  ),
  // R9 and PATCH semantics: an empty title is a value to store (a falsy check skips it).
  patchNotStored(
    'answers a PATCH to an empty title without storing it',
    (p) => p['title'] === '',
    (p) => without(p, 'title'),
    (w) => void (w['title'] = ''),
  ),
  // PATCH of enabled: enabling a webhook must persist, or it never receives events.
  patchNotStored(
    'answers a PATCH of enabled without storing it',
    (p) => typeof p['enabled'] === 'boolean',
    (p) => without(p, 'enabled'),
    (w, p) => void (w['enabled'] = p['enabled']),
  ),
  // docs/mock-server.md "PATCH merges": `type` is replaced as a whole, not merged.
  {
    name: 'merges a PATCHed type with the stored one instead of replacing it',
    kind: 'state',
    async request(r, tools) {
      const patch = isPatch(r) ? parseObject(r.body) : undefined;
      if (!patch || !Array.isArray(patch['type']) || !validateUpdateWebhook(patch).ok) return;
      if (!(await signedWell(r, tools))) return;
      const current = await tools.ask({ method: 'GET', target: r.target, headers: {}, body: '' });
      const stored = current.status === 200 ? parseObject(current.body)?.['type'] : undefined;
      if (!Array.isArray(stored)) return;
      const union = [...new Set([...(stored as string[]), ...(patch['type'] as string[])])];
      setBody(r, { ...patch, type: union.includes('ALL') ? ['ALL'] : union });
    },
  },
  // docs/mock-server.md "PATCH merges": config members not named are kept.
  {
    name: 'replaces the whole config on PATCH, dropping members not named',
    kind: 'state',
    response(response, r, tools) {
      const patch = isPatch(r) && ok(response) ? parseObject(r.body) : undefined;
      if (patch && typeof patch['config'] === 'object' && patch['config'] !== null) {
        const named = Object.fromEntries(
          Object.entries(configOf(patch)).filter(
            ([k]) => k === 'delay' || k === 'max_package_size',
          ),
        );
        eachWebhook(response, (webhook) => addOverlay(tools, webhook['id'], { config: named }));
      }
      applyOverlays(response, tools);
    },
  },
  // PATCH keeps the fields it does not name: a PATCH without type must not reset it to ALL.
  {
    name: 'resets type to ALL on a PATCH that does not name it',
    kind: 'state',
    async request(r, tools) {
      const patch = isPatch(r) ? parseObject(r.body) : undefined;
      if (!patch || 'type' in patch || !validateUpdateWebhook(patch).ok) return;
      if (await signedWell(r, tools)) setBody(r, { ...patch, type: ['ALL'] });
    },
  },
  // POST /webhooks: the created webhook keeps the config sent (docs/mock-server.md "config").
  {
    name: 'answers a create with its config but does not store the config',
    kind: 'state',
    async request(r, tools) {
      const body = isCreate(r) ? parseObject(r.body) : undefined;
      if (!body || Object.keys(configOf(body)).length === 0) return;
      if (!(await signedWell(r, tools))) return;
      carried.set(r, configOf(body));
      setBody(r, without(body, 'config'));
    },
    response(response, r) {
      const config = carried.get(r) as Json | undefined;
      if (!config || response.status !== 201) return;
      eachWebhook(response, (webhook) => {
        const { delay, max_package_size } = config;
        webhook['config'] = {
          ...(delay === undefined ? {} : { delay }),
          ...(max_package_size === undefined ? {} : { max_package_size }),
        };
      });
    },
  },
  // R8: webhooks are created disabled; the create schema has no `enabled`.
  {
    name: 'honours enabled: true on create (R8)',
    kind: 'state',
    async request(r, tools) {
      const body = isCreate(r) ? parseObject(r.body) : undefined;
      if (!body || body['enabled'] !== true || !(await signedWell(r, tools))) return;
      const auth = r.headers['authorization'];
      const headers = auth === undefined ? {} : { authorization: auth };
      const created = await tools.ask({
        method: 'POST',
        target: '/webhooks',
        headers,
        body: JSON.stringify(without(body, 'enabled')),
      });
      const id = parseObject(created.body)?.['id'];
      if (created.status !== 201 || typeof id !== 'string') return created;
      const enabled = await tools.ask({
        method: 'PATCH',
        target: `/webhooks/${id}`,
        headers,
        body: JSON.stringify({ enabled: true }),
      });
      return enabled.status === 200 ? { ...enabled, status: 201 } : created;
    },
  },
  // updated_at moves when a PATCH changes the webhook.
  {
    name: 'never moves updated_at after create',
    kind: 'state',
    response(response, r, tools) {
      if (isCreate(r) && response.status === 201) {
        eachWebhook(response, (w) => addOverlay(tools, w['id'], { updated_at: w['created_at'] }));
      }
      applyOverlays(response, tools);
    },
  },
  // created_at never changes.
  {
    name: 'moves created_at on every PATCH',
    kind: 'state',
    response(response, r, tools) {
      if (isPatch(r) && response.status === 200) {
        eachWebhook(response, (w) => addOverlay(tools, w['id'], { created_at: w['updated_at'] }));
      }
      applyOverlays(response, tools);
    },
  },

  // (3) Lists.

  // facts §7 offset: an offset at or past total_count is an empty page.
  {
    name: 'answers an offset past the end with the last page',
    kind: 'state',
    async request(r, tools) {
      if (isList(r) && (plainInteger(queryOf(r).get('offset')) ?? 0) > 0) {
        carried.set(r, await fullList(r, tools));
      }
    },
    response(response, r) {
      const all = carried.get(r) as Json[] | undefined;
      if (!all) return;
      changePage(response, (page) => {
        const total = Number(page.meta['total_count']);
        const limit = Number(page.meta['limit']);
        if (page.data.length > 0 || total === 0 || Number(page.meta['offset']) < total) return;
        page.data = all.slice(Math.max(0, total - limit), total);
        page.meta['count'] = page.data.length;
      });
    },
  },
  // docs/mock-server.md "Listing": limit=0 answers an empty page (a `limit || 100` bug).
  listFault('treats limit=0 as the default limit', (r, q) => {
    if (q.get('limit') === '0') setQuery(r, 'limit', undefined);
  }),
  // Spec limit maximum 1000: a larger limit is refused with 400.
  listFault(
    'accepts a limit above 1000 and says so in meta',
    (r, q) => {
      const limit = plainInteger(q.get('limit'));
      if (limit === undefined || limit <= 1000) return undefined;
      setQuery(r, 'limit', '1000');
      return limit;
    },
    (page, limit) => void (page.meta['limit'] = limit),
  ),
  // facts §7: meta.sort says the sort applied.
  {
    name: 'says sort created_at in meta whatever the sort',
    kind: 'state',
    response: (response, r) =>
      void (isList(r) && changePage(response, (page) => void (page.meta['sort'] = 'created_at'))),
  },
  // facts §7: meta carries sort and order.
  {
    name: 'omits sort and order from meta',
    kind: 'state',
    response: (response, r) =>
      void (
        isList(r) &&
        changePage(response, (page) => {
          delete page.meta['sort'];
          delete page.meta['order'];
        })
      ),
  },
  // facts §7 order=DESC sorts the whole list descending before paging.
  listFault(
    'applies order=DESC by reversing the page, not the list',
    (r, q) => void (q.get('order') === 'DESC' && setQuery(r, 'order', 'ASC')),
    (page) => {
      page.data.reverse();
      page.meta['order'] = 'DESC';
    },
  ),
  // docs/mock-server.md "Listing": ties are broken by id, so paging never skips or repeats.
  {
    name: 'breaks sort ties at random, so pages repeat or skip webhooks',
    kind: 'state',
    async request(r, tools) {
      if (isList(r)) carried.set(r, await fullList(r, tools));
    },
    response(response, r) {
      const all = carried.get(r) as Json[] | undefined;
      if (!all) return;
      const sort = queryOf(r).get('sort') || 'created_at';
      changePage(response, (page) => {
        const shuffled: Json[] = [];
        for (let start = 0; start < all.length;) {
          let end = start + 1;
          const key = JSON.stringify(all[start]?.[sort]);
          while (end < all.length && JSON.stringify(all[end]?.[sort]) === key) end += 1;
          const run = all.slice(start, end).sort(() => Math.random() - 0.5);
          shuffled.push(...run);
          start = end;
        }
        const offset = Number(page.meta['offset']);
        page.data = shuffled.slice(offset, offset + Number(page.meta['limit']));
        page.meta['count'] = page.data.length;
      });
    },
  },
  // facts §7 total_count is the number of webhooks, not of this page's items.
  {
    name: 'says the page size as total_count',
    kind: 'state',
    response: (response, r) =>
      void (
        isList(r) &&
        changePage(response, (page) => void (page.meta['total_count'] = page.data.length))
      ),
  },
  // facts §7 offset counts items, not pages.
  listFault(
    'reads offset as a page number',
    (r, q) => {
      const offset = plainInteger(q.get('offset'));
      const limit = plainInteger(q.get('limit')) ?? 100;
      if (!offset || limit === 0 || offset * limit > 2 ** 31 - 1) return undefined;
      setQuery(r, 'offset', String(offset * limit));
      return offset;
    },
    (page, offset) => void (page.meta['offset'] = offset),
  ),
  // facts §7 limit: at most `limit` items (an off-by-one `<=`).
  listFault(
    'returns one item more than limit',
    (r, q) => {
      const limit = plainInteger(q.get('limit'));
      if (limit === undefined || limit === 0 || limit >= 1000) return undefined;
      setQuery(r, 'limit', String(limit + 1));
      return limit;
    },
    (page, limit) => void (page.meta['limit'] = limit),
  ),
  // Spec sort enum includes url: the list is sorted by url when asked.
  listFault(
    'ignores sort=url but says url in meta',
    (r, q) => void (q.get('sort') === 'url' && setQuery(r, 'sort', undefined)),
    (page) => void (page.meta['sort'] = 'url'),
  ),

  // (4) Auth and signatures.

  // v15 profile: `authorization` is covered when the header is sent.
  acceptsSignatureWithout(
    'accepts a signature that does not cover authorization',
    (r) => r.headers['authorization'] !== undefined && !covers(r, 'authorization'),
  ),
  // v15 profile: `upvest-client-id` is always covered.
  acceptsSignatureWithout(
    'accepts a signature that does not cover upvest-client-id',
    (r) => r.headers['upvest-client-id'] !== undefined && !covers(r, 'upvest-client-id'),
  ),
  // v15 profile: `@query` is covered when the URL has a query.
  acceptsSignatureWithout(
    'accepts a signature that does not cover @query',
    (r) => url(r).search !== '' && !covers(r, '@query'),
  ),
  // v15 profile: `content-digest` is covered when there is a body (the header itself is right).
  acceptsSignatureWithout(
    'accepts a signature that does not cover content-digest',
    async (r) =>
      r.body !== '' &&
      r.headers['content-digest'] === (await contentDigest(r.body)) &&
      !covers(r, 'content-digest'),
  ),
  // v15 profile: signatures carry `expires`.
  acceptsSignatureWithout(
    'accepts a signature without expires',
    (r) => signatureInput(r) !== '' && !/;expires=/.test(signatureInput(r)),
  ),
  // v15 profile: signatures carry a `nonce`.
  acceptsSignatureWithout(
    'accepts a signature without a nonce',
    (r) => signatureInput(r) !== '' && !/;nonce=/.test(signatureInput(r)),
  ),
  // facts §9.1: the token request is signed like every other request.
  {
    name: 'accepts an unsigned token request',
    kind: 'signature',
    request: (r) => void (isToken(r) && !signed(r) && (r.resign = true)),
  },
  // POST /auth/token: a wrong client secret answers 401.
  tokenFault(
    'issues a token for a wrong client secret',
    (form, _, { mock }) => form.get('client_secret') !== mock.credentials.clientSecret,
    (form, _, { mock }) => form.set('client_secret', mock.credentials.clientSecret),
  ),
  // POST /auth/token: an unknown client id answers 401.
  {
    name: 'issues a token for an unknown client id',
    kind: 'auth',
    async request(r, tools) {
      if (!isToken(r)) return;
      const form = new URLSearchParams(r.body);
      const { clientId } = tools.mock.credentials;
      const id = form.get('client_id');
      if (id === null || id === clientId || !(await signedWell(r, tools))) return;
      form.set('client_id', clientId);
      if (r.headers['upvest-client-id'] === id) r.headers['upvest-client-id'] = clientId;
      setForm(r, form);
    },
  },
  // TokenRequest grant_type enum [client_credentials]: anything else answers 400.
  tokenFault(
    'accepts any grant_type',
    (form) => form.get('grant_type') !== 'client_credentials',
    (form) => form.set('grant_type', 'client_credentials'),
  ),
  // docs/mock-server.md "Tokens": only the two webhook scopes are granted; unknown ones answer 400.
  tokenFault(
    'drops unknown scopes instead of refusing them',
    (form) =>
      (form.get('scope') ?? '')
        .split(' ')
        .some((s) => s !== '' && s !== 'webhooks:read' && s !== 'webhooks:admin') &&
      (form.get('scope') ?? '')
        .split(' ')
        .some((s) => s === 'webhooks:read' || s === 'webhooks:admin'),
    (form) =>
      form.set(
        'scope',
        (form.get('scope') ?? '')
          .split(' ')
          .filter((s) => s === 'webhooks:read' || s === 'webhooks:admin')
          .join(' '),
      ),
  ),
  // Spec upvest-api-version: the only version is `1`; `1.0`, `01`, `v1` are other values.
  {
    name: 'reads upvest-api-version with parseInt (accepts 1.0, 01, 1x)',
    kind: 'auth',
    async request(r, tools) {
      const version = r.headers['upvest-api-version'];
      if (version === undefined || version === '1' || Number.parseInt(version, 10) !== 1) return;
      if (!(await signedWell(r, tools))) return;
      r.headers['upvest-api-version'] = '1';
      r.resign = true;
    },
  },

  // (5) Answer bodies and headers.

  // Every answer carries a fresh upvest-request-id.
  {
    name: 'sends the same upvest-request-id on every answer',
    kind: 'contract',
    response(response, _, { memory }) {
      const id = (memory.get('request-id') as string | undefined) ?? randomUUID();
      memory.set('request-id', id);
      setRequestId(response, id);
    },
  },
  // A problem's request_id equals the upvest-request-id header.
  {
    name: 'writes a request_id in problems that differs from the header',
    kind: 'contract',
    response(response) {
      const problem = response.status >= 400 ? parseObject(response.body) : undefined;
      if (problem && typeof problem['request_id'] === 'string') {
        problem['request_id'] = randomUUID();
        response.body = JSON.stringify(problem);
      }
    },
  },
  // upvest-request-id is a UUID (spec UpvestRequestId header).
  {
    name: 'sends an upvest-request-id that is not a UUID',
    kind: 'contract',
    response: (response) => setRequestId(response, `req_${randomBytes(12).toString('hex')}`),
  },
  // Spec Webhook additionalProperties: false; a secret must never be in an answer.
  {
    name: 'answers a create with a signing_secret field',
    kind: 'contract',
    response(response, r) {
      if (!isCreate(r) || response.status !== 201) return;
      eachWebhook(response, (w) => void (w['signing_secret'] = randomBytes(24).toString('hex')));
    },
  },
  // Spec Webhook created_at/updated_at format: date-time (RFC 3339, with an offset).
  {
    name: 'writes timestamps without a time zone',
    kind: 'contract',
    response: (response) =>
      eachWebhook(response, (w) => {
        for (const key of ['created_at', 'updated_at'])
          w[key] = text(w[key]).replace(/(Z|[+-]\d\d:\d\d)$/i, '');
      }),
  },
  // Spec Webhook requires config; an empty one is `{}`, not absent (a Go `omitempty`).
  {
    name: 'omits an empty config from webhooks',
    kind: 'contract',
    response: (response) =>
      eachWebhook(response, (w) => {
        if (JSON.stringify(w['config']) === '{}') delete w['config'];
      }),
  },
  // Spec TokenResponse expires_in: integer.
  {
    name: 'answers the token with expires_in as a string',
    kind: 'contract',
    response(response, r) {
      const token = isToken(r) && response.status === 200 ? parseObject(response.body) : undefined;
      if (token && typeof token['expires_in'] === 'number') {
        token['expires_in'] = String(token['expires_in']);
        response.body = JSON.stringify(token);
      }
    },
  },
  // Problem status equals the HTTP status (RFC 9457; docs/mock-server.md).
  {
    name: 'writes status 400 in every problem whatever the HTTP status',
    kind: 'contract',
    response(response) {
      const problem = response.status > 400 ? parseObject(response.body) : undefined;
      if (problem && typeof problem['status'] === 'number') {
        problem['status'] = 400;
        response.body = JSON.stringify(problem);
      }
    },
  },
  // docs/mock-server.md "Secrets": no detail echoes a credential.
  {
    name: 'echoes the client secret in a refused token request',
    kind: 'contract',
    response(response, r) {
      const problem =
        isToken(r) && response.status === 401 ? parseObject(response.body) : undefined;
      const secret = new URLSearchParams(r.body).get('client_secret');
      if (problem && secret) {
        problem['detail'] = `no client has the secret ${secret}`;
        response.body = JSON.stringify(problem);
      }
    },
  },
  // docs/rules.md "The URL is returned as written": not normalised by a URL parser.
  {
    name: 'answers the URL normalised instead of as written',
    kind: 'contract',
    response: (response) =>
      eachWebhook(response, (w) => {
        if (URL.canParse(text(w['url']))) w['url'] = new URL(text(w['url'])).href;
      }),
  },
  // Spec: 2xx bodies are application/json.
  {
    name: 'sends successful JSON answers as text/plain',
    kind: 'contract',
    response(response) {
      if (ok(response) && response.body !== '') {
        response.headers['content-type'] = 'text/plain; charset=utf-8';
      }
    },
  },

  // (6) Test deliveries and the keys that verify them.

  // GET /auth/verify_keys serves the keys test deliveries are signed with.
  keysFault('serves verification keys that do not sign deliveries', (_, { memory }) => {
    const keys = (memory.get('fresh-keys') as { keys: Json[] } | undefined) ?? freshKeys();
    memory.set('fresh-keys', keys);
    return keys;
  }),
  // GET /auth/verify_keys: a key set with no key verifies no delivery.
  keysFault('serves an empty key set', () => ({ keys: [] })),
  // GET /auth/verify_keys: the served key must stay the one deliveries are signed with.
  keysFault('serves a new key on every fetch', () => freshKeys()),
  // Spec get_jwks: a delivery's keyid names the key (`kid`) that signed it.
  keysFault('serves the delivery key under another kid', (jwks, { memory }) => {
    const kid = (memory.get('kid') as string | undefined) ?? randomUUID();
    memory.set('kid', kid);
    return { keys: jwks.keys.map((key) => ({ ...key, kid })) };
  }),
  // POST /webhooks/{id}/test: 404 for an unknown id; a 202 promises a delivery that never comes.
  {
    name: 'accepts a test of an unknown or deleted webhook with 202',
    kind: 'state',
    response(response, r) {
      if (testedId(r) === undefined || response.status !== 404) return;
      response.status = 202;
      response.body = '';
      delete response.headers['content-type'];
    },
  },
  // docs/mock-server.md "Test deliveries": sent whether the webhook is enabled or not (R8
  // creates every webhook disabled, so testing before enabling must work).
  {
    name: 'refuses to test a disabled webhook',
    kind: 'too strict',
    async request(r, tools) {
      const id = testedId(r);
      if (id === undefined) return;
      const current = await tools.ask({
        method: 'GET',
        target: `/webhooks/${id}`,
        headers: {},
        body: '',
      });
      if (current.status === 200) carried.set(r, parseObject(current.body)?.['enabled']);
    },
    response(response, r) {
      if (response.status === 202 && carried.get(r) === false) {
        Object.assign(
          response,
          problemAnswer(400, 'invalid_request', 'Bad request', 'the webhook is disabled'),
        );
      }
    },
  },
];
