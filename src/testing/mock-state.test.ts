import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateWebhook, validateWebhookList } from '../../generated/validators.js';
import { UpvestConfigurationError } from '../errors.js';
import { seedRequest, seedResponse } from '../test-support/fixtures.js';
import type { Webhook, WebhookCategory } from '../types.js';
import { MockState } from './mock-state.js';

const at = (iso: string) => () => new Date(iso);

describe('MockState', () => {
  describe('create', () => {
    it('should create every webhook disabled (R8), with an id and the clock as both timestamps', () => {
      const state = new MockState([], at('2026-03-01T10:00:00Z'));
      const webhook = state.create(seedRequest);
      expect(validateWebhook(webhook)).toBe(true);
      expect(webhook).toEqual({
        ...seedRequest,
        id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        enabled: false,
        created_at: '2026-03-01T10:00:00.000Z',
        updated_at: '2026-03-01T10:00:00.000Z',
      });
    });

    it.each<[string, Parameters<MockState['create']>[0], Partial<Webhook>]>([
      [
        'no type: ALL (R7)',
        { title: 't', url: 'https://tenant.tld/' },
        { type: ['ALL'], config: {} },
      ],
      [
        'a delay only',
        { title: 't', url: 'https://tenant.tld/', config: { delay: '1s' } },
        { config: { delay: '1s' } },
      ],
      ['an empty config', { title: 't', url: 'https://tenant.tld/', config: {} }, { config: {} }],
      [
        'an undocumented config member: dropped',
        { title: 't', url: 'https://tenant.tld/', config: { delay: '1s', colour: 'red' } as never },
        { config: { delay: '1s' } },
      ],
    ])('should fill in %s', (_name, input, expected) => {
      expect(new MockState([], at('2026-03-01T10:00:00Z')).create(input)).toMatchObject(expected);
    });

    it('should not share arrays with its input', () => {
      const input = { ...seedRequest, type: ['USER'] as WebhookCategory[] };
      const state = new MockState([], at('2026-03-01T10:00:00Z'));
      const { id } = state.create(input);
      input.type.push('ORDER');
      expect(state.get(id)?.type).toEqual(['USER']);
    });
  });

  describe('update', () => {
    const seeded = (now = at('2026-03-01T10:00:00Z')) =>
      new MockState([{ ...seedResponse, config: { delay: '2s', max_package_size: 51200 } }], now);

    it.each<[string, Parameters<MockState['update']>[1], Partial<Webhook>]>([
      ['a title', { title: 'Renamed' }, { title: 'Renamed' }],
      ['enabled', { enabled: true }, { enabled: true }],
      ['the categories', { type: ['ALL'] }, { type: ['ALL'] }],
      [
        'one config member',
        { config: { delay: '5s' } },
        { config: { delay: '5s', max_package_size: 51200 } },
      ],
      [
        'an undocumented config member',
        { config: { colour: 'red' } as never },
        { config: { delay: '2s', max_package_size: 51200 } },
      ],
    ])('should merge %s into the webhook', (_name, patch, expected) => {
      expect(seeded().update(seedResponse.id, patch)).toMatchObject(expected);
    });

    it('should move updated_at when something changed, and only then', () => {
      const state = seeded();
      expect(state.update(seedResponse.id, {})?.updated_at).toBe(seedResponse.updated_at);
      expect(
        state.update(seedResponse.id, { title: seedResponse.title, config: { delay: '2s' } })
          ?.updated_at,
      ).toBe(seedResponse.updated_at);
      expect(state.update(seedResponse.id, { enabled: true })?.updated_at).toBe(
        '2026-03-01T10:00:00.000Z',
      );
    });

    it('should answer undefined for an unknown id and change nothing', () => {
      const state = seeded();
      expect(state.update('00000000-0000-4000-8000-000000000000', { title: 'x' })).toBeUndefined();
      expect(state.all()).toEqual([expect.objectContaining({ title: seedResponse.title })]);
    });
  });

  describe('ids', () => {
    it('should find, update and delete a webhook by its id in either case', () => {
      const state = new MockState(
        [{ ...seedResponse, id: seedResponse.id.toUpperCase() }],
        at('2026-03-01T10:00:00Z'),
      );
      expect(state.get(seedResponse.id)?.title).toBe(seedResponse.title);
      expect(state.update(seedResponse.id, { title: 'x' })?.title).toBe('x');
      expect(state.delete(seedResponse.id.toUpperCase())).toBe(true);
      expect(state.all()).toEqual([]);
    });
  });

  describe('seed', () => {
    it('should come back on reset, as it was', () => {
      const state = new MockState([seedResponse], at('2026-03-01T10:00:00Z'));
      state.update(seedResponse.id, { title: 'x' });
      state.create(seedRequest);
      state.reset();
      expect(state.all()).toEqual([seedResponse]);
    });

    it.each<[string, Webhook[]]>([
      ['a webhook without an id', [{ ...seedResponse, id: undefined } as unknown as Webhook]],
      ['a date that is no date-time', [{ ...seedResponse, created_at: 'yesterday' }]],
      ['the same id twice', [seedResponse, { ...seedResponse }]],
    ])('should refuse %s', (_name, seed) => {
      expect(() => new MockState(seed, at('2026-03-01T10:00:00Z'))).toThrow(
        UpvestConfigurationError,
      );
    });
  });

  describe('list', () => {
    const webhook = (n: number, fields: Partial<Webhook>): Webhook => ({
      ...seedResponse,
      id: `0000000${n}-0000-4000-8000-000000000000`,
      ...fields,
    });

    it('should break ties by id ascending in either order, so that pages are stable', () => {
      const state = new MockState(
        [webhook(3, {}), webhook(1, {}), webhook(2, {})],
        at('2026-03-01T10:00:00Z'),
      );
      for (const order of ['ASC', 'DESC'] as const) {
        expect(state.list({ order }).data.map((w) => w.id[7])).toEqual(['1', '2', '3']);
      }
    });

    it('should sort by title in code unit order, upper case first', () => {
      const state = new MockState(
        [
          webhook(1, { title: 'b' }),
          webhook(2, { title: 'B' }),
          webhook(3, { title: 'a' }),
          webhook(4, { title: 'ä' }),
        ],
        at('2026-03-01T10:00:00Z'),
      );
      expect(state.list({ sort: 'title' }).data.map((w) => w.title)).toEqual(['B', 'a', 'b', 'ä']);
    });

    it('should page through every webhook exactly once, for any sort, order and page size', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              title: fc.constantFrom('a', 'b', 'c'),
              enabled: fc.boolean(),
              created_at: fc.constantFrom(
                '2021-07-21T14:10:00Z',
                '2021-07-21T14:10:00.00Z',
                '2021-07-21T16:10:00+02:00',
                '2022-01-01T00:00:00.5Z',
              ),
            }),
            { maxLength: 12 },
          ),
          fc.constantFrom(...(['created_at', 'updated_at', 'title', 'url', 'enabled'] as const)),
          fc.constantFrom(...(['ASC', 'DESC'] as const)),
          fc.integer({ min: 1, max: 5 }),
          (fields, sort, order, limit) => {
            const seed = fields
              .map((f, i) => webhook(i, f))
              .map((w, i) => ({
                ...w,
                id: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`,
              }));
            const state = new MockState(seed, at('2026-03-01T10:00:00Z'));
            const seen: string[] = [];
            for (let offset = 0; offset < seed.length + limit; offset += limit) {
              const page = state.list({ sort, order, offset, limit });
              expect(validateWebhookList(page)).toBe(true);
              expect(page.meta).toEqual({
                offset,
                limit,
                count: page.data.length,
                total_count: seed.length,
                sort,
                order,
              });
              seen.push(...page.data.map((w) => w.id));
            }
            expect(seen.sort()).toEqual(seed.map((w) => w.id).sort());
          },
        ),
      );
    });
  });
});
