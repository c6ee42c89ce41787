/**
 * Remembers which events were processed, so a batch Upvest delivers again (it retries whole
 * batches, R15) hands each event to your code once. Back it with your database in production:
 * the in-memory default forgets on restart and is per process.
 *
 * `claim` must be atomic: of concurrent callers claiming the same id, one gets it.
 *
 * @example
 * ```ts
 * const store: DeliveryDedupeStore = {
 *   claim: (ids) => db.insertIgnoringDuplicates('events_in_progress', ids),
 *   commit: (ids) => db.markProcessed(ids),
 *   release: (ids) => db.deleteInProgress(ids),
 * };
 * ```
 */
export interface DeliveryDedupeStore {
  /** Reserves the ids not yet processed or in progress, and returns those it reserved. */
  claim(ids: readonly string[]): Promise<readonly string[]> | readonly string[];
  /** Marks reserved ids processed: they are never handed out again. */
  commit(ids: readonly string[]): Promise<void> | void;
  /** Gives reserved ids back after a failure, so the retried batch processes them. */
  release(ids: readonly string[]): Promise<void> | void;
}

/** Options of {@link createMemoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /** How many processed ids to remember (default 100 000); the oldest are forgotten first. */
  readonly maxEntries?: number;
  /** How long to remember a processed id (default 7 days). */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * An in-memory, bounded {@link DeliveryDedupeStore}: processed ids are kept in insertion order
 * up to `maxEntries` and for `ttlMs`.
 *
 * @example
 * ```ts
 * const handler = createNodeDeliveryHandler({ keys, onEvents, dedupe: createMemoryDedupeStore({ maxEntries: 10_000 }) });
 * ```
 */
export function createMemoryDedupeStore(
  options: MemoryDedupeStoreOptions = {},
): DeliveryDedupeStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const ttl = options.ttlMs ?? 7 * 24 * 3600 * 1000;
  const now = options.now ?? Date.now;
  const processed = new Map<string, number>();
  const inProgress = new Set<string>();

  const isProcessed = (id: string) => {
    const at = processed.get(id);
    if (at === undefined) return false;
    if (now() - at > ttl) {
      processed.delete(id);
      return false;
    }
    return true;
  };

  return {
    claim(ids) {
      const claimed = [...new Set(ids)].filter((id) => !inProgress.has(id) && !isProcessed(id));
      for (const id of claimed) inProgress.add(id);
      return claimed;
    },
    commit(ids) {
      for (const id of ids) {
        inProgress.delete(id);
        processed.delete(id);
        processed.set(id, now());
      }
      while (processed.size > maxEntries) {
        const oldest = processed.keys().next().value;
        if (oldest === undefined) break;
        processed.delete(oldest);
      }
    },
    release(ids) {
      for (const id of ids) inProgress.delete(id);
    },
  };
}
