/**
 * What `GET /webhooks` must answer, given the webhooks the model holds (facts §7): the query's
 * bounds (400 outside them), its defaults (`sort=created_at`, `order=ASC`, `offset=0`,
 * `limit=100`), `meta` that says what was applied, and a page that is the right window of the
 * webhooks in the right order, each exactly as stored.
 */
import { isDeepStrictEqual } from 'node:util';
import { sortOrders, webhookSortFields } from '../../generated/constants.js';
import { instant, type Differences, type ModelWebhook, type WebhookModel } from './webhooks.js';

/** The sort keys of the list (facts §7), from the spec's `sort` parameter. */
export const SORT_KEYS = webhookSortFields;
export type SortKey = (typeof SORT_KEYS)[number];

/** The directions of the list, from the spec's `order` parameter. */
export const SORT_ORDERS = sortOrders;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** The list's documented limits: `limit` 0 to 1000, 100 by default. */
const LIST_LIMITS = { defaultLimit: 100, maxLimit: 1000 } as const;

/** A list query as sent: any of its parameters, as text (a case may send nonsense). */
export type ListQuery = Readonly<Partial<Record<'offset' | 'limit' | 'sort' | 'order', string>>>;

/** A query as the server must apply it. */
export interface EffectiveQuery {
  readonly offset: number;
  readonly limit: number;
  readonly sort: SortKey;
  readonly order: SortOrder;
}

const WHOLE = /^(0|[1-9][0-9]*)$/;
const INT32_MAX = 2 ** 31 - 1;

/**
 * The query the server must apply, or why it must answer 400. An empty value counts as absent
 * (`allowEmptyValue`).
 *
 * @example
 * ```ts
 * effectiveQuery({ limit: '1001' }); // { ok: false, why: 'limit above 1000' }
 * ```
 */
export function effectiveQuery(
  query: ListQuery,
): { ok: true; query: EffectiveQuery } | { ok: false; why: string } {
  const number = (name: 'offset' | 'limit', fallback: number) => {
    const text = query[name];
    if (text === undefined || text === '') return fallback;
    return WHOLE.test(text) && Number(text) <= INT32_MAX ? Number(text) : undefined;
  };
  const offset = number('offset', 0);
  const limit = number('limit', LIST_LIMITS.defaultLimit);
  const sort = query.sort || 'created_at';
  const order = query.order || 'ASC';
  if (offset === undefined)
    return { ok: false, why: `offset ${query.offset ?? ''} is no whole number` };
  if (limit === undefined)
    return { ok: false, why: `limit ${query.limit ?? ''} is no whole number` };
  if (limit > LIST_LIMITS.maxLimit)
    return { ok: false, why: `limit above ${LIST_LIMITS.maxLimit}` };
  if (!(SORT_KEYS as readonly string[]).includes(sort))
    return { ok: false, why: `sort ${sort} is no sort key` };
  if (!(SORT_ORDERS as readonly string[]).includes(order))
    return { ok: false, why: `order ${order} is neither ${SORT_ORDERS.join(' nor ')}` };
  return { ok: true, query: { offset, limit, sort: sort as SortKey, order: order as SortOrder } };
}

/**
 * Compares two webhooks by a sort key, as far as every reading agrees: instants for the
 * timestamps, `false` before `true`, and text by code unit only where a collation would agree
 * (lower-case letters and digits after a shared prefix); `undefined` when the readings differ,
 * so the order of such a pair is not judged.
 */
function compareBy(key: SortKey, a: ModelWebhook, b: ModelWebhook): number | undefined {
  if (key === 'enabled') return Number(a.enabled) - Number(b.enabled);
  if (key === 'created_at' || key === 'updated_at') {
    const x = instant(a[key]);
    const y = instant(b[key]);
    return x === undefined || y === undefined ? undefined : x < y ? -1 : x > y ? 1 : 0;
  }
  const x = a[key];
  const y = b[key];
  let common = 0;
  while (common < x.length && x[common] === y[common]) common += 1;
  const rest = (text: string) => text.slice(common);
  if (!/^[a-z0-9]*$/.test(rest(x)) || !/^[a-z0-9]*$/.test(rest(y))) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A page as the API answers it. */
interface Page {
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly data?: readonly ModelWebhook[];
}

/**
 * Where a page departs from the model: `meta` (offset, limit, count, total_count, and sort and
 * order where the server states them), the number of items for the window, each item exactly as
 * the model holds it, no item twice, and the order by the sort key wherever it can be told.
 *
 * @example
 * ```ts
 * judgePage(model, effective, JSON.parse(exchange.responseBody)); // [] when it agrees
 * ```
 */
export function judgePage(
  model: WebhookModel,
  query: EffectiveQuery,
  answer: unknown,
): Differences {
  const out: Differences = [];
  const page = (answer ?? {}) as Page;
  const data: readonly ModelWebhook[] = Array.isArray(page.data)
    ? (page.data as readonly ModelWebhook[])
    : [];
  const meta = page.meta ?? {};
  const total = model.all().length;
  const expect = (field: string, want: unknown, got: unknown) => {
    if (!isDeepStrictEqual(want, got))
      out.push(`/meta/${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  };
  expect('offset', query.offset, meta['offset']);
  expect('limit', query.limit, meta['limit']);
  expect('count', data.length, meta['count']);
  expect('total_count', total, meta['total_count']);
  // Optional in the schema: judged where the server states them (see `metaOmits`).
  if ('sort' in meta) expect('sort', query.sort, meta['sort']);
  if ('order' in meta) expect('order', query.order, meta['order']);
  const window = Math.max(0, Math.min(query.limit, total - query.offset));
  if (data.length !== window) {
    out.push(
      `/data: ${data.length} items for offset ${query.offset} and limit ${query.limit} of ${total} webhooks, expected ${window}`,
    );
  }
  const seen = new Set<string>();
  data.forEach((item, index) => {
    const id = typeof item?.id === 'string' ? item.id.toLowerCase() : '';
    if (seen.has(id)) out.push(`/data/${index}: ${id} appears twice on the page`);
    seen.add(id);
    const stored = model.get(id);
    if (!stored)
      out.push(`/data/${index}: ${id || 'an item without id'} is no webhook the server holds`);
    else if (!isDeepStrictEqual(item, stored))
      out.push(
        `/data/${index}: ${id} differs from what the server stored: ${JSON.stringify(item)}`,
      );
  });
  out.push(
    ...crossPageOrder(query.sort, query.order, data).map((d) =>
      d.replace('of the walk', 'of the page'),
    ),
  );
  data.forEach((item, index) => {
    const rank = query.offset + index;
    const [earliest, latest] = ranksOf(model.all(), item, query);
    if (rank < earliest || rank > latest) {
      out.push(
        `/data/${index}: ${item.id} sorts at position ${earliest === latest ? earliest : `${earliest} to ${latest}`} of the list, but the page puts it at ${rank}`,
      );
    }
  });
  return out;
}

/**
 * The positions (0-based) an item can hold in the whole sorted list: after every item that sorts
 * before it for sure, before every item that sorts after it for sure; ties, and pairs whose order
 * the readings disagree on, may fall either way.
 */
function ranksOf(
  all: readonly ModelWebhook[],
  item: ModelWebhook,
  query: EffectiveQuery,
): [number, number] {
  const direction = query.order === 'DESC' ? -1 : 1;
  let before = 0;
  let maybe = 0;
  for (const other of all) {
    if (other.id.toLowerCase() === item.id.toLowerCase()) continue;
    const found = compareBy(query.sort, other, item);
    if (found === undefined || found === 0) maybe += 1;
    else if (found * direction < 0) before += 1;
  }
  return [before, before + maybe];
}

/**
 * What a page's `meta` leaves unsaid that the spec's own example states: `sort` and `order` are
 * optional in the schema, so their absence is drift to note, not a breach.
 *
 * @example
 * ```ts
 * metaOmits({ meta: { offset: 0, limit: 100, count: 0, total_count: 0 }, data: [] }); // ['sort', 'order']
 * ```
 */
export function metaOmits(answer: unknown): string[] {
  const meta = ((answer ?? {}) as Page).meta ?? {};
  return ['sort', 'order'].filter((field) => !(field in meta));
}

/**
 * Where a walk over every page breaks the sort across pages (a server that sorts each page but
 * not the list): the items in the order the pages gave them, judged pair by pair as
 * {@link judgePage} judges one page.
 *
 * @example
 * ```ts
 * crossPageOrder('title', 'DESC', [...page1, ...page2]); // [] when the pages continue each other
 * ```
 */
export function crossPageOrder(
  sort: SortKey,
  order: SortOrder,
  items: readonly ModelWebhook[],
): Differences {
  const direction = order === 'DESC' ? -1 : 1;
  const out: Differences = [];
  for (let i = 1; i < items.length; i += 1) {
    const a = items[i - 1];
    const b = items[i];
    const found = a && b ? compareBy(sort, a, b) : undefined;
    if (found !== undefined && found * direction > 0) {
      out.push(
        `item ${i} of the walk: ${sort} ${order} puts ${JSON.stringify(b?.[sort])} after ${JSON.stringify(a?.[sort])}`,
      );
    }
  }
  return out;
}
