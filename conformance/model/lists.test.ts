import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossPageOrder, effectiveQuery, judgePage } from './lists.js';
import { WebhookModel, type ModelWebhook } from './webhooks.js';

const webhook = (n: number, change: Partial<ModelWebhook> = {}): ModelWebhook => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  created_at: `2026-01-01T00:00:0${n}.000Z`,
  updated_at: `2026-01-01T00:00:0${n}.000Z`,
  title: `run p${n}`,
  url: `https://tenant.tld/run/p${n}`,
  enabled: n % 2 === 0,
  type: ['ALL'],
  config: {},
  ...change,
});

describe('effectiveQuery', () => {
  it.each([
    [{}, { offset: 0, limit: 100, sort: 'created_at', order: 'ASC' }],
    [
      { limit: '', offset: '' },
      { offset: 0, limit: 100 },
    ],
    [{ limit: '0' }, { limit: 0 }],
    [
      { limit: '1000', sort: 'title', order: 'DESC' },
      { limit: 1000, sort: 'title', order: 'DESC' },
    ],
  ])('should apply %j as %j', (query, applied) => {
    expect(effectiveQuery(query)).toMatchObject({ ok: true, query: applied });
  });

  it.each([
    { limit: '1001' },
    { offset: '-1' },
    { limit: '+5' },
    { limit: '1e2' },
    { offset: '2147483648' },
    { sort: 'id' },
    { order: 'asc' },
  ])('should refuse %j with 400', (query) => {
    expect(effectiveQuery(query)).toMatchObject({ ok: false });
  });
});

describe('judgePage', () => {
  const all = [1, 2, 3, 4, 5].map((n) => webhook(n));
  const model = new WebhookModel(all);
  const query = { offset: 1, limit: 2, sort: 'title', order: 'ASC' } as const;
  const page = (data: ModelWebhook[], meta: Record<string, unknown> = {}) => ({
    meta: {
      offset: 1,
      limit: 2,
      count: data.length,
      total_count: 5,
      sort: 'title',
      order: 'ASC',
      ...meta,
    },
    data,
  });

  it('should accept the right window in the right order', () => {
    expect(judgePage(model, query, page([all[1]!, all[2]!]))).toEqual([]);
  });

  it.each([
    ['the window of another offset', page([all[0]!, all[1]!]), '/data'],
    ['the order reversed', page([all[2]!, all[1]!]), 'puts'],
    ['an item twice', page([all[1]!, all[1]!]), 'twice'],
    [
      'an item as it was before an update',
      page([{ ...all[1]!, title: 'old' }, all[2]!]),
      'differs',
    ],
    ['a wrong total', page([all[1]!, all[2]!], { total_count: 4 }), '/meta/total_count'],
    ['a sort that was not applied', page([all[1]!, all[2]!], { sort: 'created_at' }), '/meta/sort'],
    ['a count that is not the items', page([all[1]!, all[2]!], { count: 3 }), '/meta/count'],
  ])('should find %s', (_name, answer, found) => {
    expect(judgePage(model, query, answer).join('\n')).toContain(found);
  });

  it('should find the pages of a walk that do not continue each other, whatever the tie order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: 2 }), (items) => {
        const sorted = [...items].sort((a, b) => a.title.localeCompare(b.title));
        expect(crossPageOrder('title', 'ASC', sorted)).toEqual([]);
        const reversed = [...sorted].reverse();
        expect(crossPageOrder('title', 'ASC', reversed).length).toBeGreaterThan(0);
      }),
    );
  });

  it('should not judge the order of titles a collation would sort otherwise', () => {
    const mixed = [webhook(1, { title: 'User webhook' }), webhook(2, { title: 'conformance a' })];
    expect(crossPageOrder('title', 'ASC', mixed)).toEqual([]);
    expect(crossPageOrder('title', 'ASC', [...mixed].reverse())).toEqual([]);
  });
});
