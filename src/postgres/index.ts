/**
 * A durable Postgres inbox for deliveries (`upvest-webhooks/postgres`): persist a verified
 * batch before answering 200, and apply each event exactly once, in order per object, from any
 * number of receiver and worker processes. Bring a node-postgres `Pool` (peer dependency `pg`).
 *
 * @example
 * ```ts
 * import { createPostgresInbox, createInboxWorker } from 'upvest-webhooks/postgres';
 *
 * const inbox = createPostgresInbox({ pool });
 * await inbox.migrate();
 * ```
 */
export {
  createPostgresInbox,
  type DeadLetter,
  type InboxCounts,
  type PoolLike,
  type PostgresInbox,
  type PostgresInboxOptions,
  type Queryable,
  type StuckObject,
} from './inbox.js';
export { inboxSchemaSql } from './schema.js';
export {
  createInboxWorker,
  type InboxWorker,
  type InboxWorkerHealth,
  type InboxWorkerOptions,
} from './worker.js';
export type { ErrorListener, PooledClient } from './transaction.js';
export type { Logger, LogFields } from '../wire/logger.js';
