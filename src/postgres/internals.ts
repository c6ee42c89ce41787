/**
 * What an inbox's worker needs of it and its users do not: the pool and the quoted table names,
 * kept off `PostgresInbox` itself. Only inboxes made by `createPostgresInbox` have them.
 */
import { UpvestConfigurationError } from '../errors.js';
import type { PoolLike } from './transaction.js';
import type { InboxTables } from './schema.js';

/** The pool and tables of an inbox. */
export interface InboxInternals {
  readonly pool: PoolLike;
  readonly tables: InboxTables;
}

// Keyed by the inbox object: collected with it, and nothing else can read or forge an entry.
const internals = new WeakMap<object, InboxInternals>();

/**
 * Records the internals of an inbox as it is made.
 *
 * @example
 * ```ts
 * return withInternals({ store, … }, { pool, tables });
 * ```
 */
export function withInternals<T extends object>(inbox: T, parts: InboxInternals): T {
  internals.set(inbox, parts);
  return inbox;
}

/**
 * The internals of an inbox made by `createPostgresInbox`; a configuration error for any other
 * object (one shaped like an inbox but not made by it).
 *
 * @example
 * ```ts
 * const { pool, tables } = internalsOf(inbox);
 * ```
 */
export function internalsOf(inbox: object): InboxInternals {
  const parts = internals.get(inbox);
  if (!parts) {
    throw new UpvestConfigurationError('the inbox must come from createPostgresInbox');
  }
  return parts;
}
