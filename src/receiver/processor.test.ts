/**
 * The delivery processor's promise under concurrency: overlapping copies of a batch, failures
 * of `onEvents` anywhere, any interleaving. Once the sender got a 200 for a batch, every event
 * of it was handed over, and handed over successfully exactly once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeliveryDedupeStore } from './dedupe.js';
import { createDeliveryProcessor } from './processor.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
} from '../testing/deliveries.js';

const pair = generateDeliveryKeyPair();
const NOW = 1_795_000_000;
const URL_SIGNED = 'https://tenant.tld/hooks';

/** Batches of distinct events, each signed once (Upvest resends a failed batch whole). */
const batches = Array.from({ length: 3 }, (_, b) => {
  const events = Array.from({ length: 3 }, (_, e) =>
    createDeliveryEvent({
      id: `00000000-0000-4000-8000-0000000000${b}${e}`,
      created_at: `2021-11-19T13:06:57.82037126${e}Z`,
    }),
  );
  const signed = signDelivery(events, { ...pair, now: NOW, url: URL_SIGNED });
  return { ids: events.map((event) => event.id), signed };
});

describe('createDeliveryProcessor under overlapping copies and failures', () => {
  it('should have handled every event exactly once when the sender got a 200 for each batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.boolean(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        async (scheduler, failures, copies, batchCount) => {
          const handled = new Map<string, number>();
          let calls = 0;
          const process = createDeliveryProcessor({
            keys: pair.jwks,
            now: () => NOW,
            async onEvents(events) {
              const failing = failures[calls++] ?? false;
              // Any interleaving of the copies' work: the scheduler decides who goes on.
              await scheduler.schedule(Promise.resolve(), 'onEvents');
              if (failing) throw new Error('the database is down');
              for (const event of events) handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
            },
          });
          const statuses: number[] = [];
          /** Sends `copies` overlapping copies per round until one of them is answered 200. */
          const sender = async (batch: (typeof batches)[number]) => {
            for (let round = 0; round < 40; round++) {
              const answers = await Promise.all(
                Array.from({ length: copies }, () => process({ method: 'POST', ...batch.signed })),
              );
              statuses.push(...answers.map((answer) => answer.status));
              if (answers.some((answer) => answer.status === 200)) return true;
            }
            return false;
          };
          let finished = false;
          const sent = Promise.all(batches.slice(0, batchCount).map(sender)).finally(() => {
            finished = true;
          });
          // Verification runs between the scheduled steps, so tasks keep arriving: release one
          // whenever one is waiting, until every sender is done.
          while (!finished) {
            if (scheduler.count() > 0) await scheduler.waitOne();
            else await new Promise((resolve) => setImmediate(resolve));
          }
          const delivered = await sent;

          expect(delivered.every(Boolean)).toBe(true);
          // Only 200, 500 (onEvents threw) and 503 (another copy is under way) are answered.
          expect(statuses.every((status) => [200, 500, 503].includes(status))).toBe(true);
          for (const { ids } of batches.slice(0, batchCount))
            for (const id of ids) expect(handled.get(id), id).toBe(1);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('createDeliveryProcessor, what it reports to onError', () => {
  const [{ signed }] = batches as [(typeof batches)[number]];
  const run = async (
    options: Partial<Parameters<typeof createDeliveryProcessor>[0]>,
    delivery = signed,
  ) => {
    const errors: unknown[] = [];
    const process = createDeliveryProcessor({
      keys: pair.jwks,
      now: () => NOW,
      onEvents: () => undefined,
      onError: (error) => errors.push(error),
      ...options,
    });
    const answer = await process({ method: 'POST', ...delivery });
    return { answer, errors };
  };

  it('should report nothing for a delivery it refuses: a refusal is no error', async () => {
    const forged = { ...signed, body: signed.body.replace('USER', 'USEr') };
    const { answer, errors } = await run({}, forged);
    expect(answer.status).toBe(401);
    expect(errors).toEqual([]);
  });

  it('should report nothing when it handles a batch without deduplication', async () => {
    const { answer, errors } = await run({ dedupe: false });
    expect(answer.status).toBe(200);
    expect(errors).toEqual([]);
  });

  it('should report only the error of onEvents when it fails without deduplication', async () => {
    const failure = new Error('the database is down');
    const { answer, errors } = await run({
      dedupe: false,
      onEvents: () => Promise.reject(failure),
    });
    expect(answer.status).toBe(500);
    expect(errors).toEqual([failure]);
  });

  it('should name the contract a dedupe store broke, and answer 503', async () => {
    const broken = {
      claim: () => Promise.resolve({ claimed: 'all' }),
      release: () => Promise.resolve(),
      commit: () => Promise.resolve(),
    } as unknown as DeliveryDedupeStore;
    const { answer, errors } = await run({ dedupe: broken });
    expect(answer.status).toBe(503);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe(
      'DeliveryDedupeStore.claim must answer { claimed, busy }',
    );
  });

  it('should answer 500 and report the error when a dedupe key function throws', async () => {
    const failure = new Error('no key');
    const { answer, errors } = await run({
      dedupeKey: () => {
        throw failure;
      },
    });
    expect(answer.status).toBe(500);
    expect(JSON.parse(String(answer.body))).toMatchObject({ type: 'internal_error' });
    expect(errors).toEqual([failure]);
  });
});
