/**
 * The answer of {@link DeliveryDedupeStore.claim}. Ids in neither list were processed before.
 *
 * @example
 * ```ts
 * const claim: DedupeClaim = { claimed: ['a'], busy: ['b'] }; // 'c', also asked for, was processed
 * ```
 */
export interface DedupeClaim {
  /** Ids reserved for this caller: process them, then `commit` (or `release` on failure). */
  readonly claimed: readonly string[];
  /** Ids another caller holds right now (a concurrent attempt of the same batch). */
  readonly busy: readonly string[];
}

/**
 * Remembers which events were processed, so that a batch Upvest delivers again (it retries whole
 * batches, R15, and may retry while the first attempt is still running) hands each event to your
 * code once. Back it with your database in production: the in-memory default forgets on restart
 * and is per process.
 *
 * The contract:
 * - `claim` is atomic: of concurrent callers claiming the same id, one gets it, the others see
 *   it `busy`.
 * - A claim is a lease: if its holder dies without `commit` or `release`, the id must become
 *   claimable again after a while (a few minutes), or the batch stays blocked (R16).
 * - `commit` marks ids processed for as long as Upvest may redeliver them (days).
 *
 * @example
 * ```ts
 * // With a table events(id primary key, state, claimed_at):
 * const store: DeliveryDedupeStore = {
 *   async claim(ids) {
 *     // INSERT … ON CONFLICT (id) DO UPDATE SET claimed_at = now()
 *     //   WHERE events.state = 'claimed' AND events.claimed_at < now() - interval '5 minutes'
 *     // RETURNING id  -> claimed; ids still claimed by someone else -> busy
 *     return db.claimEvents(ids);
 *   },
 *   commit: (ids) => db.query("UPDATE events SET state = 'processed' WHERE id = ANY($1)", [ids]),
 *   release: (ids) => db.query("DELETE FROM events WHERE id = ANY($1) AND state = 'claimed'", [ids]),
 * };
 * ```
 */
export interface DeliveryDedupeStore {
  /** Reserves the ids neither processed nor claimed by another caller. */
  claim(ids: readonly string[]): Promise<DedupeClaim> | DedupeClaim;
  /** Marks claimed ids processed: they are never claimed again (within the store's memory). */
  commit(ids: readonly string[]): Promise<void> | void;
  /** Gives claimed ids back after a failure, so the retried batch processes them. */
  release(ids: readonly string[]): Promise<void> | void;
}

/**
 * Options of {@link createMemoryDedupeStore}.
 *
 * @example
 * ```ts
 * const options: MemoryDedupeStoreOptions = { maxEntries: 10_000, ttlMs: 24 * 3600_000 };
 * ```
 */
export interface MemoryDedupeStoreOptions {
  /** How many processed ids to remember (default 100 000); the least recently seen go first. */
  readonly maxEntries?: number;
  /** How long to remember a processed id after it was last seen (default 7 days). */
  readonly ttlMs?: number;
  /** How long a claim holds before another caller may take it over (default 5 minutes). */
  readonly claimTimeoutMs?: number;
  /** The clock in milliseconds; inject for tests. */
  readonly now?: () => number;
}

/**
 * An in-memory {@link DeliveryDedupeStore}: processed ids are kept in least-recently-seen order,
 * up to `maxEntries` and for `ttlMs` after they were last seen; claims expire after
 * `claimTimeoutMs`. Per process and lost on restart: after a restart, a redelivered batch is
 * processed again, so keep `onEvents` idempotent anyway.
 *
 * @example
 * ```ts
 * const handler = createNodeDeliveryHandler({
 *   keys,
 *   onEvents,
 *   dedupe: createMemoryDedupeStore({ maxEntries: 10_000 }),
 * });
 * ```
 */
export function createMemoryDedupeStore(
  options: MemoryDedupeStoreOptions = {},
): DeliveryDedupeStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const ttl = options.ttlMs ?? 7 * 24 * 3600 * 1000;
  const claimTimeout = options.claimTimeoutMs ?? 5 * 60 * 1000;
  const now = options.now ?? Date.now;
  /** id -> when last seen; Map keeps insertion order, so the first entry is the stalest. */
  const processed = new Map<string, number>();
  /** id -> when claimed */
  const claims = new Map<string, number>();

  const touch = (id: string, at: number) => {
    processed.delete(id);
    processed.set(id, at);
  };

  const evict = (at: number) => {
    for (const [id, seen] of processed) {
      if (processed.size <= maxEntries && at - seen <= ttl) break;
      processed.delete(id);
    }
  };

  return {
    claim(ids) {
      const at = now();
      evict(at);
      const claimed: string[] = [];
      const busy: string[] = [];
      for (const id of new Set(ids)) {
        const seen = processed.get(id);
        if (seen !== undefined) {
          // A redelivery: remember it for longer, it may come again.
          touch(id, at);
          continue;
        }
        const since = claims.get(id);
        if (since !== undefined && at - since < claimTimeout) {
          busy.push(id);
          continue;
        }
        claims.set(id, at);
        claimed.push(id);
      }
      return { claimed, busy };
    },
    commit(ids) {
      const at = now();
      for (const id of ids) {
        claims.delete(id);
        touch(id, at);
      }
      evict(at);
    },
    release(ids) {
      for (const id of ids) claims.delete(id);
    },
  };
}
