import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryDedupeStore, type DedupeClaim } from './dedupe.js';

function store(options: { maxEntries?: number; ttlMs?: number; claimTimeoutMs?: number } = {}) {
  const clock = { now: 0 };
  return { clock, store: createMemoryDedupeStore({ ...options, now: () => clock.now }) };
}

describe('createMemoryDedupeStore', () => {
  it('should claim new ids once, report held ids busy, and skip processed ids', async () => {
    const { store: s } = store();
    expect(await s.claim(['a', 'b'])).toEqual({ claimed: ['a', 'b'], busy: [] });
    expect(await s.claim(['a', 'b', 'c'])).toEqual({ claimed: ['c'], busy: ['a', 'b'] });
    await s.commit(['a', 'b']);
    expect(await s.claim(['a', 'b', 'c'])).toEqual({ claimed: [], busy: ['c'] });
  });

  it('should make released ids claimable again', async () => {
    const { store: s } = store();
    await s.claim(['a']);
    await s.release(['a']);
    expect(await s.claim(['a'])).toEqual({ claimed: ['a'], busy: [] });
  });

  it('should claim an id repeated in one call once', async () => {
    const { store: s } = store();
    expect(await s.claim(['a', 'a'])).toEqual({ claimed: ['a'], busy: [] });
  });

  it('should let a claim lapse after claimTimeoutMs, so a dead holder does not block the batch', async () => {
    const { store: s, clock } = store({ claimTimeoutMs: 1000 });
    await s.claim(['a']);
    clock.now = 999;
    expect(await s.claim(['a'])).toEqual({ claimed: [], busy: ['a'] });
    clock.now = 1000;
    expect(await s.claim(['a'])).toEqual({ claimed: ['a'], busy: [] });
  });

  it('should forget processed ids after the time to live', async () => {
    const { store: s, clock } = store({ ttlMs: 1000 });
    await s.commit(['a']);
    clock.now = 1000;
    expect(await s.claim(['a'])).toEqual({ claimed: [], busy: [] });
    clock.now = 2001;
    expect(await s.claim(['a'])).toEqual({ claimed: ['a'], busy: [] });
  });

  it('should forget the least recently seen ids beyond its bound', async () => {
    const { store: s, clock } = store({ maxEntries: 2 });
    await s.commit(['a']);
    clock.now = 1;
    await s.commit(['b']);
    clock.now = 2;
    await s.claim(['a']); // a redelivery of a: seen again, b is now the stalest
    clock.now = 3;
    await s.commit(['c']);
    expect(await s.claim(['a', 'b', 'c'])).toEqual({ claimed: ['b'], busy: [] });
  });

  it('should hand every id to exactly one of many interleaved claimants', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }), {
          maxLength: 12,
        }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        (batches, succeeds) => {
          const { store: s } = store();
          const processed: string[] = [];
          const held: string[][] = [];
          batches.forEach((ids, i) => {
            const { claimed } = s.claim(ids) as DedupeClaim;
            held.push([...claimed]);
            // Settle the previous claim in between, as concurrent attempts would.
            const previous = held[i - 1];
            if (previous && succeeds[i - 1]) {
              processed.push(...previous);
              void s.commit(previous);
            } else if (previous) void s.release(previous);
          });
          expect(new Set(processed).size).toBe(processed.length);
        },
      ),
    );
  });
});

describe('createMemoryDedupeStore defaults', () => {
  it('should remember a processed id for seven days, then forget it', async () => {
    const { clock, store: dedupe } = store();
    await dedupe.commit([...(await dedupe.claim(['a'])).claimed]);
    clock.now = 7 * 24 * 3600 * 1000;
    expect((await dedupe.claim(['b'])).claimed).toEqual(['b']);
    expect((await dedupe.claim(['a'])).claimed).toEqual([]);
    clock.now = 2 * 7 * 24 * 3600 * 1000 + 1;
    expect((await dedupe.claim(['a'])).claimed).toEqual(['a']);
  });

  it('should hold a claim for five minutes, then let another attempt take it', async () => {
    const { clock, store: dedupe } = store();
    expect((await dedupe.claim(['a'])).claimed).toEqual(['a']);
    clock.now = 5 * 60 * 1000 - 1;
    expect(await dedupe.claim(['a'])).toEqual({ claimed: [], busy: ['a'] });
    clock.now = 5 * 60 * 1000;
    expect(await dedupe.claim(['a'])).toEqual({ claimed: ['a'], busy: [] });
  });

  it('should end the claim when the events are committed: a later copy is a duplicate, not busy', async () => {
    const { store: dedupe } = store({ claimTimeoutMs: 1 });
    await dedupe.claim(['a']);
    await dedupe.commit(['a']);
    expect(await dedupe.claim(['a'])).toEqual({ claimed: [], busy: [] });
  });

  it('should evict past its size on commit, not only on the next claim', async () => {
    const { store: dedupe } = store({ maxEntries: 1 });
    await dedupe.claim(['a', 'b']);
    await dedupe.commit(['a', 'b']);
    expect((await dedupe.claim(['a'])).claimed).toEqual(['a']);
  });
});
