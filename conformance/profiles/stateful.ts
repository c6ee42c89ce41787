import { isDeepStrictEqual } from 'node:util';
import type { OperationId } from '../../generated/constants.js';
import { checkExchange } from '../checks/exchange.js';
import { deleteAll } from './scratch.js';
import type { ProfileContext, RawRequest } from '../run/context.js';
import type { Exchange } from '../report/results.js';
import { baseExamples } from '../cases/negative.js';

type Webhook = Record<string, unknown> & { id: string };
type Page = { meta: Record<string, unknown>; data: Webhook[] };

/** How many webhooks the paging checks create: enough for three pages of two. */
const PAGED = 5;
const PAGE_SIZE = 2;

function parse<T>(exchange: Exchange | undefined): T | undefined {
  try {
    return exchange && exchange.responseBody ? (JSON.parse(exchange.responseBody) as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `stateful`: what a server stores, not only what it answers. Read after write (create, update,
 * enable, disable and a config change are visible on GET and in the list); use after free (GET,
 * PATCH, test and a second DELETE of a deleted webhook answer 404, and the list no longer has
 * it); paging (over enough webhooks for several pages, in both orders: every webhook exactly
 * once, `sort` and `order` honoured, `meta` agreeing with the data). It creates what it needs,
 * under titles no other run uses, and always deletes it.
 *
 * @example
 * ```ts
 * await runStateful(context); // records into context.log; deletes what it created
 * ```
 */
export async function runStateful(context: ProfileContext): Promise<void> {
  const run = `conformance-${Date.now().toString(36)}`;
  const seed = baseExamples(context.document).body;
  const created: string[] = [];

  async function send(
    operation: OperationId,
    name: string,
    request: RawRequest,
    expected: number,
  ): Promise<Exchange | undefined> {
    const where = { profile: 'stateful' as const, operation, case: name };
    const exchange = await context.sendRaw(request);
    if (!exchange) {
      context.log.add({ ...where, check: 'answered', outcome: 'fail', detail: 'no answer' });
      return undefined;
    }
    checkExchange(context.log, where, exchange, expected);
    const body = parse<{ id?: unknown }>(exchange);
    if (exchange.status === 201 && typeof body?.id === 'string') created.push(body.id);
    return exchange;
  }
  const expect = (
    operation: OperationId,
    name: string,
    check: string,
    ok: boolean,
    detail: string,
  ): boolean =>
    context.log.expect({ profile: 'stateful', operation, case: name }, check, ok, detail);

  try {
    const first = parse<Webhook>(
      await send(
        'create_webhook',
        'read after write',
        { method: 'POST', path: '/webhooks', body: { ...seed, title: `${run} a` } },
        201,
      ),
    );
    if (first?.id) await readAfterWrite(first, send, expect, run);
    await paging(seed, run, send, expect);
    if (first?.id) await useAfterFree(first.id, send, expect);
  } finally {
    await deleteAll(context, created);
  }
}

type Send = (
  operation: OperationId,
  name: string,
  request: RawRequest,
  expected: number,
) => Promise<Exchange | undefined>;
type Expect = (
  operation: OperationId,
  name: string,
  check: string,
  ok: boolean,
  detail: string,
) => boolean;

async function readAfterWrite(first: Webhook, send: Send, expect: Expect, run: string) {
  const path = `/webhooks/${first.id}`;
  const got = parse<Webhook>(
    await send('retrieve_webhook', 'read after write', { method: 'GET', path }, 200),
  );
  expect(
    'retrieve_webhook',
    'read after write',
    'GET returns what create answered',
    isDeepStrictEqual(got, first),
    differences(first, got),
  );

  const changes: [string, Record<string, unknown>][] = [
    ['a new title', { title: `${run} renamed` }],
    ['enabled', { enabled: true }],
    ['a new delay', { config: { delay: '7s' } }],
    ['disabled', { enabled: false }],
  ];
  for (const [what, patch] of changes) {
    const name = `update to ${what}`;
    const answered = parse<Webhook>(
      await send('update_webhook', name, { method: 'PATCH', path, body: patch }, 200),
    );
    const stored = parse<Webhook>(
      await send('retrieve_webhook', name, { method: 'GET', path }, 200),
    );
    for (const [key, value] of Object.entries(patch)) {
      const want =
        key === 'config' ? { ...(first['config'] as object), ...(value as object) } : value;
      expect(
        'update_webhook',
        name,
        `the answer shows ${key}`,
        isDeepStrictEqual(answered?.[key], want),
        `answered ${JSON.stringify(answered?.[key])}, sent ${JSON.stringify(value)}`,
      );
      expect(
        'retrieve_webhook',
        name,
        `GET shows the stored ${key}`,
        isDeepStrictEqual(stored?.[key], want),
        `GET has ${JSON.stringify(stored?.[key])} after the update answered ${JSON.stringify(answered?.[key])}: the update was answered but not stored`,
      );
    }
    expect(
      'update_webhook',
      name,
      'updated_at does not go back',
      text(answered?.['updated_at']) >= text(first['updated_at']),
      `updated_at ${String(answered?.['updated_at'])} before created ${String(first['updated_at'])}`,
    );
    const listed = parse<Page>(
      await send('list_webhooks', name, { method: 'GET', path: '/webhooks?limit=1000' }, 200),
    );
    const inList = listed?.data.find((w) => w.id === first.id);
    expect(
      'list_webhooks',
      name,
      'the list shows the stored webhook',
      inList !== undefined && isDeepStrictEqual(inList, stored),
      inList ? differences(stored, inList) : 'the webhook is not in the list',
    );
  }
}

async function paging(seed: Record<string, unknown>, run: string, send: Send, expect: Expect) {
  const ids: string[] = [];
  // Created in an order their titles do not have, so a server that sorts by creation time
  // instead of by title is told apart.
  for (const i of [3, 1, 5, 2, 4].slice(0, PAGED)) {
    const made = parse<Webhook>(
      await send(
        'create_webhook',
        'paging',
        { method: 'POST', path: '/webhooks', body: { ...seed, title: `${run} page ${i}` } },
        201,
      ),
    );
    if (made?.id) ids.push(made.id);
  }
  if (ids.length < PAGED) return;
  for (const order of ['ASC', 'DESC'] as const) {
    const name = `paging by title ${order}`;
    const seen: Webhook[] = [];
    let total: unknown;
    let pages = 0;
    for (let offset = 0; pages < 1000; offset += PAGE_SIZE, pages++) {
      const query = `limit=${PAGE_SIZE}&offset=${offset}&sort=title&order=${order}`;
      const page = parse<Page>(
        await send('list_webhooks', name, { method: 'GET', path: `/webhooks?${query}` }, 200),
      );
      if (!page || !Array.isArray(page.data)) return;
      const meta = page.meta ?? {};
      expect(
        'list_webhooks',
        name,
        'meta.count is the number of items on the page',
        meta['count'] === page.data.length,
        `meta.count ${String(meta['count'])}, ${page.data.length} items (offset ${offset})`,
      );
      expect(
        'list_webhooks',
        name,
        'limit is honoured',
        page.data.length <= PAGE_SIZE,
        `${page.data.length} items with limit=${PAGE_SIZE}`,
      );
      expect(
        'list_webhooks',
        name,
        'meta echoes offset and limit',
        meta['offset'] === offset && meta['limit'] === PAGE_SIZE,
        `meta.offset ${String(meta['offset'])}, meta.limit ${String(meta['limit'])} for offset=${offset}&limit=${PAGE_SIZE}`,
      );
      if (total === undefined) total = meta['total_count'];
      else
        expect(
          'list_webhooks',
          name,
          'meta.total_count is the same on every page',
          meta['total_count'] === total,
          `${String(meta['total_count'])} on a later page, ${text(total)} on the first`,
        );
      seen.push(...page.data);
      if (page.data.length < PAGE_SIZE || typeof total !== 'number' || offset + PAGE_SIZE >= total)
        break;
    }
    expect(
      'list_webhooks',
      name,
      'meta.total_count counts every webhook',
      seen.length === total,
      `${seen.length} webhooks over all pages, total_count ${String(total)}`,
    );
    const ours = seen.filter((w) => ids.includes(w.id));
    const counts = ids.map((id) => ours.filter((w) => w.id === id).length);
    expect(
      'list_webhooks',
      name,
      'every webhook appears exactly once across pages',
      counts.every((c) => c === 1),
      `seen ${counts.join(', ')} times: the server ignores offset or repeats items`,
    );
    const titles = ours.map((w) => String(w['title']));
    const sorted = [...titles].sort();
    if (order === 'DESC') sorted.reverse();
    expect(
      'list_webhooks',
      name,
      `sort=title&order=${order} is honoured`,
      isDeepStrictEqual(titles, sorted),
      `got ${titles.join(' | ')}`,
    );
  }
}

async function useAfterFree(id: string, send: Send, expect: Expect) {
  const path = `/webhooks/${id}`;
  await send('delete_webhook', 'use after free', { method: 'DELETE', path }, 204);
  await send('retrieve_webhook', 'use after free', { method: 'GET', path }, 404);
  await send(
    'update_webhook',
    'use after free',
    { method: 'PATCH', path, body: { title: 'after delete' } },
    404,
  );
  await send('test_webhook', 'use after free', { method: 'POST', path: `${path}/test` }, 404);
  await send('delete_webhook', 'delete twice', { method: 'DELETE', path }, 404);
  const listed = parse<Page>(
    await send(
      'list_webhooks',
      'use after free',
      { method: 'GET', path: '/webhooks?limit=1000' },
      200,
    ),
  );
  expect(
    'list_webhooks',
    'use after free',
    'the list no longer has the deleted webhook',
    !listed?.data.some((w) => w.id === id),
    'the deleted webhook is still listed',
  );
}

/** A value as text for a comparison or a message, never `[object Object]`. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function differences(expected: unknown, actual: unknown): string {
  if (isDeepStrictEqual(expected, actual)) return 'equal';
  const a = (expected ?? {}) as Record<string, unknown>;
  const b = (actual ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys
    .filter((key) => !isDeepStrictEqual(a[key], b[key]))
    .map((key) => `${key}: ${JSON.stringify(a[key])} vs ${JSON.stringify(b[key])}`)
    .join('; ');
}
