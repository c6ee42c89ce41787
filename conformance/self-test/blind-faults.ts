/**
 * Blind faults: a third batch of seeded server bugs, written apart from the suite, from
 * `faults.ts` and from the holdout batch, to measure the suite on bugs nobody tuned it for. Each
 * is one plausible bug of a real implementation of the webhook subscriptions API that a client
 * knowing the documented contract (spec/openapi.yaml, docs/rules.md, docs/mock-server.md, the
 * facts sheet) can observe without a delivery receiver.
 *
 * Conventions, so that each fault plants exactly one bug:
 * - A fault that changes a request (and so has the proxy sign it anew), or replays it through
 *   `tools.ask`, only does so when the request as it arrived carries a valid signature; otherwise
 *   the mock judges it as it would have. The original `authorization` travels on, so token and
 *   scope checks stay the mock's.
 * - A server too strict about a valid input is made to refuse it through the mock itself (the
 *   value is spoilt into one the mock refuses), so the refusal comes after authentication.
 */
import { createPublicKey, randomUUID } from 'node:crypto';
import {
  validateCreateWebhook,
  validateUpdateWebhook,
  verifyUpvestRequest,
} from '../../src/index.js';
import { contentDigest } from '../../src/signing/index.js';
import { acceptsJson } from '../../src/testing/mock-request.js';
import type { ProxyRequest, ProxyResponse, SeededFault } from './proxy.js';

type Json = Record<string, unknown>;
type Tools = Parameters<NonNullable<SeededFault['request']>>[1];
type Page = { meta: Json; data: Json[] };

// ---------------------------------------------------------------------------------------------
// Helpers.

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

const urlOf = (r: ProxyRequest) => new URL(r.target, 'http://proxy.invalid');
const pathOf = (r: ProxyRequest) => urlOf(r).pathname;
const queryOf = (r: ProxyRequest) => urlOf(r).searchParams;
const ITEM = /^\/webhooks\/([^/]+)$/;
const itemId = (r: ProxyRequest) => ITEM.exec(pathOf(r))?.[1];
const isCreate = (r: ProxyRequest) => r.method === 'POST' && pathOf(r) === '/webhooks';
const isPatch = (r: ProxyRequest) => r.method === 'PATCH' && itemId(r) !== undefined;
const isDelete = (r: ProxyRequest) => r.method === 'DELETE' && itemId(r) !== undefined;
const isRetrieve = (r: ProxyRequest) => r.method === 'GET' && itemId(r) !== undefined;
const isWrite = (r: ProxyRequest) => isCreate(r) || isPatch(r);
const isList = (r: ProxyRequest) => r.method === 'GET' && pathOf(r) === '/webhooks';
const isToken = (r: ProxyRequest) => r.method === 'POST' && pathOf(r) === '/auth/token';
const testedId = (r: ProxyRequest) =>
  r.method === 'POST' ? /^\/webhooks\/([^/]+)\/test$/.exec(pathOf(r))?.[1] : undefined;
const text = (value: unknown) => (typeof value === 'string' ? value : '');
const configOf = (body: Json) =>
  typeof body['config'] === 'object' && body['config'] !== null ? (body['config'] as Json) : {};
const signatureInput = (r: ProxyRequest) => r.headers['signature-input'] ?? '';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const plainInteger = (value: string | null) =>
  value !== null && /^(0|[1-9][0-9]{0,9})$/.test(value) ? Number(value) : undefined;

function setBody(r: ProxyRequest, value: unknown): void {
  r.body = JSON.stringify(value);
  r.resign = true;
}

function setQuery(r: ProxyRequest, name: string, value: string | undefined): void {
  const target = urlOf(r);
  if (value === undefined) target.searchParams.delete(name);
  else target.searchParams.set(name, value);
  r.target = `${target.pathname}${target.search}`;
  r.resign = true;
}

/** Whether the request as it arrived carries a valid v15 signature of the tenant's key. */
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

/** Sends the request on as it is (signed anew), with its own token, through `tools.ask`. */
function relay(r: ProxyRequest, tools: Tools, headers: Record<string, string> = {}) {
  return tools.ask({
    method: r.method,
    target: r.target,
    headers: { ...r.headers, ...headers },
    body: r.body,
  });
}

/** Reads the stored state with an admin token. */
function read(tools: Tools, target: string): Promise<ProxyResponse> {
  return tools.ask({ method: 'GET', target, headers: {}, body: '' });
}

async function storedWebhook(tools: Tools, id: string): Promise<Json | undefined> {
  const answer = await read(tools, `/webhooks/${id}`);
  return answer.status === 200 ? parseObject(answer.body) : undefined;
}

/** Every stored webhook, in the mock's order for `sort` and `order` (both optional). */
async function everyWebhook(tools: Tools, sort?: string, order?: string): Promise<Json[]> {
  const query = new URLSearchParams({ offset: '0', limit: '1000' });
  if (sort) query.set('sort', sort);
  if (order) query.set('order', order);
  const answer = await read(tools, `/webhooks?${query.toString()}`);
  const data = answer.status === 200 ? parseObject(answer.body)?.['data'] : undefined;
  return Array.isArray(data) ? (data as Json[]) : [];
}

/** Handed from a fault's request hook to its response hook, per exchange. */
const carried = new WeakMap<ProxyRequest, unknown>();

const isJsonAnswer = (response: ProxyResponse) =>
  (response.headers['content-type'] ?? '').includes('json');

function changePage(response: ProxyResponse, change: (page: Page) => void): void {
  if (response.status !== 200 || !isJsonAnswer(response)) return;
  const page = parseObject(response.body) as Page | undefined;
  if (!page || !Array.isArray(page.data) || typeof page.meta !== 'object') return;
  change(page);
  response.body = JSON.stringify(page);
}

function changeWebhook(response: ProxyResponse, change: (webhook: Json) => void): void {
  if (response.status < 200 || response.status > 299 || !isJsonAnswer(response)) return;
  const webhook = parseObject(response.body);
  if (!webhook || typeof webhook['id'] !== 'string') return;
  change(webhook);
  response.body = JSON.stringify(webhook);
}

function changeProblem(response: ProxyResponse, change: (problem: Json) => void): void {
  if (response.status < 400) return;
  const problem = parseObject(response.body);
  if (!problem) return;
  change(problem);
  response.body = JSON.stringify(problem);
}

/** Turns an answer into another problem, keeping its request id. */
function reproblem(response: ProxyResponse, status: number, slug: string, title: string): void {
  const requestId = response.headers['upvest-request-id'] ?? randomUUID();
  const before = parseObject(response.body) ?? {};
  response.status = status;
  response.headers['content-type'] = 'application/problem+json';
  delete response.headers['allow'];
  response.body = JSON.stringify({
    type: `https://docs.upvest.co/errors/${slug}`,
    status,
    title,
    detail: text(before['detail']) || title,
    request_id: requestId,
  });
}

const byId = (a: Json, b: Json) =>
  text(a['id']).toLowerCase() < text(b['id']).toLowerCase() ? -1 : 1;

/**
 * A list answered in another order than the documented one: when `applies` holds for the query,
 * the whole list is fetched and sorted with `compare` (ties by id), and the page cut from it.
 */
function reorders(
  name: string,
  applies: (query: URLSearchParams) => boolean,
  compare: (a: Json, b: Json) => number,
  metaSort?: string,
): SeededFault {
  return {
    name,
    kind: metaSort === undefined ? 'state' : 'too lenient',
    async request(r, tools) {
      if (!isList(r) || !applies(queryOf(r))) return;
      if (metaSort !== undefined) {
        if (!(await signedWell(r, tools))) return;
        setQuery(r, 'sort', undefined);
      }
      carried.set(r, await everyWebhook(tools));
    },
    response(response, r) {
      const all = carried.get(r) as Json[] | undefined;
      if (!all) return;
      const direction = queryOf(r).get('order') === 'DESC' ? -1 : 1;
      const sorted = [...all].sort((a, b) => compare(a, b) * direction || byId(a, b));
      changePage(response, (page) => {
        const offset = Number(page.meta['offset']);
        page.data = sorted.slice(offset, offset + Number(page.meta['limit']));
        page.meta['count'] = page.data.length;
        if (metaSort !== undefined) page.meta['sort'] = metaSort;
      });
    },
  };
}

/** A list query rewritten (signed anew) when `rewrite` changes it; `answer` fixes up the page. */
function listFault(
  name: string,
  rewrite: (r: ProxyRequest, query: URLSearchParams) => unknown,
  answer?: (page: Page, value: unknown) => void,
  kind: SeededFault['kind'] = 'state',
): SeededFault {
  return {
    name,
    kind,
    async request(r, tools) {
      if (!isList(r)) return;
      const before = r.target;
      const value = rewrite(r, queryOf(r));
      if (r.target === before && !r.resign) return;
      if (!(await signedWell({ ...r, target: before, resign: false }, tools))) {
        r.target = before;
        r.resign = false;
        return;
      }
      carried.set(r, value ?? true);
    },
    response(response, r) {
      if (carried.has(r) && answer) changePage(response, (page) => answer(page, carried.get(r)));
    },
  };
}

/** A server that lets an invalid body through by repairing it (and stores the repair). */
function repairs(
  name: string,
  applies: (body: Json, r: ProxyRequest) => boolean,
  repair: (body: Json) => Json,
): SeededFault {
  return {
    name,
    kind: 'too lenient',
    async request(r, tools) {
      const body = isWrite(r) ? parseObject(r.body) : undefined;
      if (body && applies(body, r) && (await signedWell(r, tools))) setBody(r, repair(body));
    },
  };
}

/** A server too strict about a valid body: when `applies` holds, the mock is made to refuse it. */
function refuses(name: string, applies: (body: Json, r: ProxyRequest) => boolean): SeededFault {
  return {
    name,
    kind: 'too strict',
    async request(r, tools) {
      const body = isWrite(r) ? parseObject(r.body) : undefined;
      if (!body || !applies(body, r) || !(await signedWell(r, tools))) return;
      setBody(r, { ...body, title: 'x'.repeat(101) });
    },
  };
}

/** A valid create or update (per the package's validators) whose body `applies`. */
const validWrite = (r: ProxyRequest, body: Json) =>
  isCreate(r) ? validateCreateWebhook(body).ok : validateUpdateWebhook(body).ok;

/** The host of a URL as written. */
function hostAsWritten(value: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(value)?.[1] ?? '';
  return authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '');
}

/** Problem answers whose request id header a fault drops, by status. */
function noRequestIdOn(name: string, status: number): SeededFault {
  return {
    name,
    kind: 'contract',
    response(response) {
      if (response.status === status) delete response.headers['upvest-request-id'];
    },
  };
}

const hiddenIds = (tools: Tools) => {
  const hidden = (tools.memory.get('hidden') as Set<string> | undefined) ?? new Set<string>();
  tools.memory.set('hidden', hidden);
  return hidden;
};

// ---------------------------------------------------------------------------------------------
// The faults.

/**
 * The blind faults, by family: read-after-write state, lists, validation, errors, auth and
 * signatures, answer headers and bodies, test deliveries.
 *
 * @example
 * ```ts
 * process.exitCode = await selfTest('blind');
 * ```
 */
export const blindFaults: readonly SeededFault[] = [
  // (1) State and read-after-write.

  // DELETE answers 204 and the webhook is gone (404 afterwards): a soft delete only hides it from the list.
  {
    name: 'soft-deletes: a deleted webhook is only hidden from the list',
    kind: 'state',
    async request(r, tools) {
      const id = itemId(r);
      if (!isDelete(r) || id === undefined || !(await signedWell(r, tools))) return;
      // The same checks as a DELETE (admin scope, 404), through a no-op update.
      const probe = await tools.ask({
        method: 'PATCH',
        target: r.target,
        headers: { ...r.headers, accept: 'application/json', 'content-type': 'application/json' },
        body: '{}',
      });
      if (probe.status !== 200) return probe;
      hiddenIds(tools).add(id.toLowerCase());
      return {
        status: 204,
        headers: { 'upvest-request-id': probe.headers['upvest-request-id'] ?? randomUUID() },
        body: '',
      };
    },
    response(response, r, tools) {
      const hidden = hiddenIds(tools);
      if (!isList(r) || hidden.size === 0) return;
      changePage(response, (page) => {
        page.data = page.data.filter((w) => !hidden.has(text(w['id']).toLowerCase()));
        page.meta['count'] = page.data.length;
        page.meta['total_count'] = Math.max(0, Number(page.meta['total_count']) - hidden.size);
      });
    },
  },
  // PATCH /webhooks/{id} changes that webhook only: an UPDATE keyed on the URL changes its twins too.
  {
    name: 'applies a PATCH to every webhook with the same URL',
    kind: 'state',
    async request(r, tools) {
      const id = itemId(r);
      const patch = isPatch(r) ? parseObject(r.body) : undefined;
      if (!id || !patch || !validateUpdateWebhook(patch).ok || !(await signedWell(r, tools)))
        return;
      const before = await storedWebhook(tools, id);
      const answer = await relay(r, tools);
      if (answer.status !== 200 || !before) return answer;
      for (const other of await everyWebhook(tools)) {
        const otherId = text(other['id']);
        if (otherId.toLowerCase() === id.toLowerCase() || other['url'] !== before['url']) continue;
        await tools.ask({
          method: 'PATCH',
          target: `/webhooks/${otherId}`,
          headers: {},
          body: r.body,
        });
      }
      return answer;
    },
  },
  // POST /webhooks creates a new webhook (new id) every time; nothing makes title+url unique.
  {
    name: 'answers a create with an existing webhook of the same title and URL',
    kind: 'state',
    async request(r, tools) {
      const body = isCreate(r) ? parseObject(r.body) : undefined;
      if (!body || typeof body['url'] !== 'string' || !(await signedWell(r, tools))) return;
      const twin = (await everyWebhook(tools)).find(
        (w) => w['url'] === body['url'] && w['title'] === body['title'],
      );
      if (!twin) return;
      const answer = await relay(r, tools);
      const created = answer.status === 201 ? parseObject(answer.body) : undefined;
      if (!created) return answer;
      await tools.ask({
        method: 'DELETE',
        target: `/webhooks/${text(created['id'])}`,
        headers: {},
        body: '',
      });
      return { ...answer, body: JSON.stringify(twin) };
    },
  },
  // facts §7 total_count is the number of webhooks there are, deleted ones not among them.
  {
    name: 'counts deleted webhooks in total_count',
    kind: 'state',
    response(response, r, { memory }) {
      if (isDelete(r) && response.status === 204)
        memory.set('deleted', Number(memory.get('deleted') ?? 0) + 1);
      const deleted = Number(memory.get('deleted') ?? 0);
      if (isList(r) && deleted > 0)
        changePage(response, (page) => {
          page.meta['total_count'] = Number(page.meta['total_count']) + deleted;
        });
    },
  },
  // facts §3.3 PATCH is partial: a PATCH that does not name `enabled` leaves it as it is (R8 is for create).
  {
    name: 'disables the webhook again on a PATCH that does not name enabled',
    kind: 'state',
    async request(r, tools) {
      const patch = isPatch(r) ? parseObject(r.body) : undefined;
      if (!patch || 'enabled' in patch || Object.keys(patch).length === 0) return;
      if (validateUpdateWebhook(patch).ok && (await signedWell(r, tools)))
        setBody(r, { ...patch, enabled: false });
    },
  },
  // Webhook updated_at is when it last changed: a later read never shows an older one than the PATCH did.
  {
    name: 'shows the updated_at of before the last PATCH on later reads',
    kind: 'state',
    async request(r, tools) {
      const id = itemId(r);
      if (isPatch(r) && id) carried.set(r, (await storedWebhook(tools, id))?.['updated_at']);
    },
    response(response, r, { memory }) {
      const prior = carried.get(r);
      if (isPatch(r) && response.status === 200 && typeof prior === 'string') {
        changeWebhook(response, (w) => {
          if (w['updated_at'] !== prior) memory.set(`stale:${text(w['id']).toLowerCase()}`, prior);
        });
        return;
      }
      const stale = (w: Json) => {
        const value = memory.get(`stale:${text(w['id']).toLowerCase()}`);
        if (typeof value === 'string') w['updated_at'] = value;
      };
      if (isRetrieve(r)) changeWebhook(response, stale);
      if (isList(r)) changePage(response, (page) => page.data.forEach(stale));
    },
  },
  // PATCH 200 answers the webhook as updated (spec update_webhook 200: the merged webhook).
  {
    name: 'answers a PATCH with the webhook as it was before the update',
    kind: 'state',
    async request(r, tools) {
      const id = itemId(r);
      if (isPatch(r) && id) carried.set(r, await storedWebhook(tools, id));
    },
    response(response, r) {
      const before = carried.get(r) as Json | undefined;
      if (before && response.status === 200) response.body = JSON.stringify(before);
    },
  },
  // R8: webhooks are created disabled, and the 201 says so.
  {
    name: 'answers a create with enabled: true',
    kind: 'contract',
    response(response, r) {
      if (isCreate(r) && response.status === 201)
        changeWebhook(response, (w) => (w['enabled'] = true));
    },
  },
  // R7 / spec Webhook.type: the categories are stored as sent, every one of them.
  repairs(
    'stores only the first category of a list',
    (b, r) => Array.isArray(b['type']) && b['type'].length > 1 && validWrite(r, b),
    (b) => ({ ...b, type: (b['type'] as unknown[]).slice(0, 1) }),
  ),
  // Spec WebhookTitle: a string up to 100 characters, stored as sent (no trimming).
  repairs(
    'trims white space around the title',
    (b, r) =>
      typeof b['title'] === 'string' && b['title'] !== b['title'].trim() && validWrite(r, b),
    (b) => ({ ...b, title: text(b['title']).trim() }),
  ),
  // R8: only PATCH enabled: true enables a webhook; a test delivery changes nothing stored.
  {
    name: 'enables the webhook when it is tested',
    kind: 'state',
    async request(r, tools) {
      const id = testedId(r);
      if (id === undefined || !(await signedWell(r, tools))) return;
      const answer = await relay(r, tools);
      if (answer.status === 202)
        await tools.ask({
          method: 'PATCH',
          target: `/webhooks/${id}`,
          headers: {},
          body: '{"enabled":true}',
        });
      return answer;
    },
  },
  // DELETE /webhooks/{id} removes that webhook only: a DELETE keyed on the URL removes its twins.
  {
    name: 'deletes every webhook with the same URL',
    kind: 'state',
    async request(r, tools) {
      const id = itemId(r);
      if (!isDelete(r) || !id || !(await signedWell(r, tools))) return;
      const before = await storedWebhook(tools, id);
      const answer = await relay(r, tools);
      if (answer.status !== 204 || !before) return answer;
      for (const other of await everyWebhook(tools)) {
        if (other['url'] !== before['url']) continue;
        await tools.ask({
          method: 'DELETE',
          target: `/webhooks/${text(other['id'])}`,
          headers: {},
          body: '',
        });
      }
      return answer;
    },
  },

  // (2) Lists.

  // facts §7 offset counts items: page two starts right after page one, it does not repeat its last item.
  listFault(
    'starts every page after the first one item early',
    (r, q) => {
      const offset = plainInteger(q.get('offset'));
      if (!offset) return undefined;
      setQuery(r, 'offset', String(offset - 1));
      return offset;
    },
    (page, offset) => void (page.meta['offset'] = offset),
  ),
  // facts §7 order=DESC applies to every sort key, updated_at included.
  listFault(
    'ignores order=DESC when sorting by updated_at',
    (r, q) =>
      void (
        q.get('sort') === 'updated_at' &&
        q.get('order') === 'DESC' &&
        setQuery(r, 'order', 'ASC')
      ),
    (page) => void (page.meta['order'] = 'DESC'),
  ),
  // docs/mock-server.md "Listing": titles sort in UTF-16 code unit order, upper case before lower case.
  reorders(
    'sorts titles case-insensitively',
    (q) => q.get('sort') === 'title',
    (a, b) => {
      const left = text(a['title']).toLowerCase();
      const right = text(b['title']).toLowerCase();
      return left < right ? -1 : left > right ? 1 : 0;
    },
  ),
  // facts §7 meta.count is the number of items on this page, the last page too.
  {
    name: 'says count = limit on a short last page',
    kind: 'state',
    response(response, r) {
      if (!isList(r)) return;
      changePage(response, (page) => {
        const limit = Number(page.meta['limit']);
        if (page.data.length > 0 && page.data.length < limit) page.meta['count'] = limit;
      });
    },
  },
  // Spec Limit maximum 1000: a limit up to 1000 is honoured, not capped at the default.
  listFault('caps limit at 100', (r, q) => {
    const limit = plainInteger(q.get('limit'));
    if (limit !== undefined && limit > 100 && limit <= 1000) setQuery(r, 'limit', '100');
  }),
  // facts §7 offset has no maximum: past the end is an empty page, not an error.
  {
    name: 'refuses an offset at or past the end with 400',
    kind: 'too strict',
    async request(r, tools) {
      const offset = plainInteger(queryOf(r).get('offset'));
      if (!isList(r) || !offset || !(await signedWell(r, tools))) return;
      const count = await read(tools, '/webhooks?limit=0');
      const meta = parseObject(count.body)?.['meta'] as Json | undefined;
      const total = Number(meta?.['total_count']);
      if (Number.isFinite(total) && offset >= total) setQuery(r, 'offset', '-1');
    },
  },
  // docs/mock-server.md "Listing": enabled sorts false before true in ASC.
  reorders(
    'sorts enabled true before false',
    (q) => q.get('sort') === 'enabled',
    (a, b) => Number(b['enabled']) - Number(a['enabled']),
  ),
  // facts §7 sort default created_at: without sort, the list is in creation order.
  reorders('lists in id order when no sort is given', (q) => !q.get('sort'), byId),
  // facts §7 meta.offset is the offset applied.
  {
    name: 'says offset 0 in meta on every page',
    kind: 'state',
    response: (response, r) =>
      void (isList(r) && changePage(response, (page) => void (page.meta['offset'] = 0))),
  },
  // Spec Sort enum [created_at, updated_at, title, url, enabled]: sort=id (the example's meta) answers 400.
  reorders('accepts sort=id', (q) => q.get('sort') === 'id', byId, 'id'),
  // Spec Order enum [ASC, DESC] is case-sensitive: order=desc answers 400.
  listFault(
    'accepts order=desc in lower case',
    (r, q) => void (q.get('order') === 'desc' && setQuery(r, 'order', 'DESC')),
    undefined,
    'too lenient',
  ),
  // Spec Limit allowEmptyValue: `?limit=` counts as absent, not as an error.
  listFault(
    'refuses an empty limit',
    (r, q) => void (q.get('limit') === '' && setQuery(r, 'limit', 'x')),
    undefined,
    'too strict',
  ),

  // (3) Validation.

  // R5 / spec pattern ^[1-9][0-9]?[sm]$: 0s is not a delay (minimum 1s).
  repairs(
    'accepts delay 0s as 1s (R5)',
    (b) => configOf(b)['delay'] === '0s',
    (b) => ({ ...b, config: { ...configOf(b), delay: '1s' } }),
  ),
  // R5: a delay is <number><unit>; a bare number has no unit.
  repairs(
    'accepts a delay without a unit as seconds (R5)',
    (b) => /^[1-9][0-9]?$/.test(text(configOf(b)['delay'])),
    (b) => ({ ...b, config: { ...configOf(b), delay: `${text(configOf(b)['delay'])}s` } }),
  ),
  // Spec WebhookUpdateRequest.title is a string: null is refused, not read as "unchanged".
  repairs(
    'accepts title: null in a PATCH as no change',
    (b, r) => isPatch(r) && b['title'] === null,
    ({ title: _, ...rest }) => rest,
  ),
  // Spec WebhookCategory list has no maxItems: any number of distinct categories is valid.
  refuses(
    'refuses more than 10 categories',
    (b, r) => Array.isArray(b['type']) && b['type'].length > 10 && validWrite(r, b),
  ),
  // Spec WebhookCategory enum includes PORTFOLIO and CORPORATE_ACTION (facts §11.8: no 1.9.0 events, still valid).
  refuses(
    'refuses the categories without 1.9.0 events (PORTFOLIO, CORPORATE_ACTION)',
    (b, r) =>
      Array.isArray(b['type']) &&
      b['type'].some((t) => t === 'PORTFOLIO' || t === 'CORPORATE_ACTION') &&
      validWrite(r, b),
  ),
  // R1/R2 ask for https and a DNS host only: a URL without a path is valid.
  refuses(
    'refuses a URL without a path',
    (b, r) => /^https:\/\/[^/?#]+\/?$/i.test(text(b['url'])) && validWrite(r, b),
  ),
  // Spec WebhookCreateRequest additionalProperties: false, no `enabled` (R8): refused, not ignored.
  repairs(
    'accepts enabled in a create body and ignores it (R8)',
    (b, r) => isCreate(r) && 'enabled' in b,
    ({ enabled: _, ...rest }) => rest,
  ),
  // facts §3.3 update request rejects id, created_at, updated_at (the docs' PATCH example sends them).
  repairs(
    'accepts id, created_at and updated_at in a PATCH and ignores them',
    (b, r) => isPatch(r) && ['id', 'created_at', 'updated_at'].some((k) => k in b),
    ({ id: _i, created_at: _c, updated_at: _u, ...rest }) => rest,
  ),
  // Spec max_package_size minimum 100: 0 is not "no limit".
  repairs(
    'accepts max_package_size 0 as no limit (R6)',
    (b) => configOf(b)['max_package_size'] === 0,
    (b) => {
      const { max_package_size: _, ...config } = configOf(b);
      return { ...b, config };
    },
  ),
  // R6 max_package_size is in bytes, 100–1048576: 12400 (the proxy's value) is not a KiB multiple and is valid.
  refuses('refuses a max_package_size that is not a multiple of 1024 (R6)', (b, r) => {
    const size = configOf(b)['max_package_size'];
    return typeof size === 'number' && size % 1024 !== 0 && validWrite(r, b);
  }),
  // facts §3.2 create requires title and url only; config is optional.
  refuses(
    'requires config on create',
    (b, r) => isCreate(r) && !('config' in b) && validWrite(r, b),
  ),
  // facts §3.3 update requires nothing: a PATCH of url alone is valid.
  refuses(
    'requires title on every PATCH',
    (b, r) => isPatch(r) && Object.keys(b).length > 0 && !('title' in b) && validWrite(r, b),
  ),
  // Host names are case-insensitive (RFC 1035), R2 asks for a DNS name only.
  refuses(
    'refuses upper-case letters in the URL host',
    (b, r) => /[A-Z]/.test(hostAsWritten(text(b['url']))) && validWrite(r, b),
  ),
  // docs/mock-server.md "Content types": create and update take application/json only (400 otherwise).
  {
    name: 'accepts a JSON body sent as text/plain',
    kind: 'too lenient',
    async request(r, tools) {
      const type = r.headers['content-type'] ?? '';
      if (
        isWrite(r) &&
        /^text\/plain/i.test(type) &&
        parseObject(r.body) &&
        (await signedWell(r, tools))
      ) {
        r.headers['content-type'] = 'application/json';
        r.resign = true;
      }
    },
  },

  // (4) Errors.

  // facts §6 Problem requires type and status.
  {
    name: 'writes problems without type',
    kind: 'contract',
    response: (response) => changeProblem(response, (p) => void delete p['type']),
  },
  // facts §2.1: an unknown webhook id answers 404.
  {
    name: 'answers an unknown webhook id with 400',
    kind: 'contract',
    response(response, r) {
      const id = itemId(r) ?? testedId(r);
      if (response.status === 404 && id !== undefined && UUID.test(id))
        reproblem(response, 400, 'invalid_request', 'Invalid request');
    },
  },
  // docs/mock-server.md check 9 / facts §6: a token lacking the scope is 403 forbidden, not 401.
  {
    name: 'answers 401 to a token that lacks the scope',
    kind: 'contract',
    response(response) {
      if (response.status === 403) reproblem(response, 401, 'unauthorised', 'Unauthorised');
    },
  },
  // facts §6: a missing or unknown token is 401 unauthorised, not 403.
  {
    name: 'answers 403 to a missing or unknown token',
    kind: 'contract',
    response(response, r) {
      if (response.status !== 401 || isToken(r)) return;
      if (/token/i.test(text(parseObject(response.body)?.['detail'])))
        reproblem(response, 403, 'forbidden', 'Forbidden');
    },
  },
  // docs/mock-server.md "accept": */* and application/* allow the JSON an operation answers.
  {
    name: 'answers 406 to accept */* or application/*',
    kind: 'too strict',
    async request(r, tools) {
      const accept = r.headers['accept'];
      if (!accept || /application\/json/i.test(accept) || !acceptsJson(accept)) return;
      if (!(await signedWell(r, tools))) return;
      r.headers['accept'] = 'text/html';
      r.resign = true;
    },
  },
  // Spec delete_webhook declares no 406: it answers no body, so accept does not matter.
  {
    name: 'answers 406 to a DELETE whose accept excludes JSON',
    kind: 'protocol',
    response(response, r) {
      const accept = r.headers['accept'];
      if (isDelete(r) && response.status === 204 && accept && !acceptsJson(accept))
        reproblem(response, 406, 'not_acceptable', 'Not acceptable');
    },
  },
  // facts §6 "Missing Client ID" is a 400.
  {
    name: 'answers a missing upvest-client-id with 401',
    kind: 'contract',
    response(response) {
      if (response.status === 400 && /missing_client_id/.test(response.body))
        reproblem(response, 401, 'unauthorised', 'Unauthorised');
    },
  },
  // docs/mock-server.md check 3: a known path with another method is 405 with allow, not 404.
  {
    name: 'answers a method the path lacks with 404',
    kind: 'protocol',
    response(response) {
      if (response.status === 405) reproblem(response, 404, 'not_found', 'Not found');
    },
  },
  // Spec Problem.status: integer.
  {
    name: 'writes the problem status as a string',
    kind: 'contract',
    response: (response) =>
      changeProblem(response, (p) => {
        if (typeof p['status'] === 'number') p['status'] = String(p['status']);
      }),
  },

  // (5) Auth and signatures.

  // docs/mock-server.md check 8: a token the server did not issue (or that expired) is 401.
  {
    name: 'accepts any well-formed bearer token',
    kind: 'auth',
    async request(r, tools) {
      if (isToken(r) || !/^Bearer \S+$/.test(r.headers['authorization'] ?? '')) return;
      if (!(await signedWell(r, tools))) return;
      const answer = await relay(r, tools);
      if (answer.status !== 401 || !/access token/i.test(answer.body)) return answer;
      return relay(r, tools, {
        authorization: `Bearer ${tools.mock.issueToken(['webhooks:admin'])}`,
      });
    },
  },
  // docs/mock-server.md check 6: an upvest-client-id that is not the tenant's answers 401.
  {
    name: "accepts another tenant's upvest-client-id",
    kind: 'auth',
    async request(r, tools) {
      const id = r.headers['upvest-client-id'];
      const own = tools.mock.credentials.clientId;
      if (isToken(r) || !id || !UUID.test(id) || id.toLowerCase() === own.toLowerCase()) return;
      if (!(await signedWell(r, tools))) return;
      r.headers['upvest-client-id'] = own;
      r.resign = true;
    },
  },
  // facts §10: the token's scope is the one asked for; webhooks:read does not grant admin.
  {
    name: 'grants webhooks:admin when webhooks:read is asked',
    kind: 'auth',
    async request(r, tools) {
      if (!isToken(r)) return;
      const form = new URLSearchParams(r.body);
      const scope = form.get('scope') ?? '';
      if (!scope.split(' ').includes('webhooks:read') || scope.includes('webhooks:admin')) return;
      if (!(await signedWell(r, tools))) return;
      form.set('scope', scope.replace('webhooks:read', 'webhooks:admin'));
      r.body = form.toString();
      r.resign = true;
    },
  },
  // facts §10: the token request is application/x-www-form-urlencoded.
  {
    name: 'accepts a JSON token request',
    kind: 'auth',
    async request(r, tools) {
      if (!isToken(r) || !/json/i.test(r.headers['content-type'] ?? '')) return;
      const body = parseObject(r.body);
      if (!body || !(await signedWell(r, tools))) return;
      r.body = new URLSearchParams(
        Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]),
      ).toString();
      r.headers['content-type'] = 'application/x-www-form-urlencoded';
      r.resign = true;
    },
  },
  // facts §9.1: upvest-signature-version is 15; a v6 label is another format.
  {
    name: 'accepts upvest-signature-version 6',
    kind: 'signature',
    request(r) {
      if (r.headers['upvest-signature-version'] === '6')
        r.headers['upvest-signature-version'] = '15';
    },
  },
  // v15 profile (docs/mock-server.md "Signatures"): the signature covers @method.
  {
    name: 'accepts a signature that does not cover @method',
    kind: 'signature',
    request: (r) =>
      void (
        r.headers['signature'] &&
        signatureInput(r) !== '' &&
        !signatureInput(r).includes('"@method"') &&
        (r.resign = true)
      ),
  },
  // facts §9.1: content-digest binds the body, the signature binds the digest; a matching digest alone proves nothing.
  {
    name: 'skips the signature check when the content-digest matches the body',
    kind: 'signature',
    async request(r, tools) {
      if (!r.headers['signature'] || r.body === '') return;
      if (r.headers['content-digest'] !== (await contentDigest(r.body))) return;
      if (!(await signedWell(r, tools))) r.resign = true;
    },
  },

  // (6) Answer headers and bodies.

  // facts §2.1: every answer carries upvest-request-id, a 204 too.
  noRequestIdOn('sends no upvest-request-id on a 204', 204),
  // facts §2.1: every answer carries upvest-request-id, a 202 too.
  noRequestIdOn('sends no upvest-request-id on a 202', 202),
  // facts §2.1: every answer carries upvest-request-id, a 401 too.
  noRequestIdOn('sends no upvest-request-id on a 401', 401),
  // Spec delete_webhook: 204, no body.
  {
    name: 'answers a DELETE with 200 and the deleted webhook',
    kind: 'contract',
    async request(r, tools) {
      const id = itemId(r);
      if (!isDelete(r) || !id || !(await signedWell(r, tools))) return;
      const before = await storedWebhook(tools, id);
      const answer = await relay(r, tools);
      if (answer.status !== 204 || !before) return answer;
      return {
        status: 200,
        headers: { ...answer.headers, 'content-type': 'application/json' },
        body: JSON.stringify(before),
      };
    },
  },
  // facts §3.1 Webhook requires updated_at, in list items too.
  {
    name: 'omits updated_at from list items',
    kind: 'contract',
    response: (response, r) =>
      void (
        isList(r) &&
        changePage(response, (page) => page.data.forEach((w) => delete w['updated_at']))
      ),
  },

  // (7) Test deliveries.

  // Spec test_webhook: 202 without a body.
  {
    name: 'answers a test with 202 and a JSON body',
    kind: 'contract',
    response(response, r) {
      if (testedId(r) === undefined || response.status !== 202) return;
      response.headers['content-type'] = 'application/json';
      response.body = JSON.stringify({ status: 'queued' });
    },
  },
  // Spec test_webhook: 202 Accepted (asynchronous), not 200.
  {
    name: 'answers a test with 200',
    kind: 'contract',
    response(response, r) {
      if (testedId(r) !== undefined && response.status === 202) response.status = 200;
    },
  },
];
