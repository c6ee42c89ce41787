import { decimalEpochSeconds } from '../deliveries/created-at.js';
import { isKnownEventType, type DeliveryEvent } from '../deliveries/events.js';
import { UpvestConfigurationError } from '../errors.js';
import { inboxSchemaSql, inboxTables, type InboxTables } from './schema.js';

/**
 * What the inbox needs of a node-postgres client: `query`. A `pg.Pool`, a `pg.Client` and a
 * `pg.PoolClient` all are one; nothing of `pg` is imported at run time.
 */
export interface Queryable {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** What the inbox needs of a node-postgres pool: a `pg.Pool`. */
export interface PoolLike extends Queryable {
  connect(): Promise<Queryable & { release(error?: Error | boolean): void }>;
}

/**
 * Options of {@link createPostgresInbox}.
 *
 * @example
 * ```ts
 * const options: PostgresInboxOptions = { pool: new pg.Pool(), table: 'billing.upvest_inbox' };
 * ```
 */
export interface PostgresInboxOptions {
  /** A node-postgres `Pool` (peer dependency `pg`); the inbox never ends it. */
  readonly pool: PoolLike;
  /** The event table, `name` or `schema.name` (default `upvest_inbox`); `<name>_objects` sits beside it. */
  readonly table?: string;
  /**
   * The key a redelivered event is recognised by (default its `id`, R17). Use
   * `` (e) => `${e.webhook_id}/${e.id}` `` when several webhooks deliver the same event to one
   * inbox and each must apply it; the handler's `dedupeKey` should then be the same.
   */
  readonly dedupeKey?: (event: DeliveryEvent) => string;
  /**
   * What events are kept in order for (default `object.id` when it is a string; the events of
   * `USER.DATA_CHANGE_FAILED` carry `object.user_id` instead and are then unordered). Events
   * with the same key are applied in `created_at` order; `null` means no order is kept.
   */
  readonly objectKey?: (event: DeliveryEvent) => string | null;
}

/**
 * Counts for metrics: events per state and the age of the oldest pending one.
 *
 * @example
 * ```ts
 * const { pending, oldestPendingSeconds } = await inbox.counts();
 * ```
 */
export interface InboxCounts {
  readonly pending: number;
  readonly applied: number;
  readonly skipped: number;
  readonly dead: number;
  /** Seconds since the oldest pending event arrived; 0 when none is pending. */
  readonly oldestPendingSeconds: number;
}

/**
 * An event that failed too often and waits for a person (see `inbox.replay`).
 *
 * @example
 * ```ts
 * for (const letter of await inbox.deadLetters()) log.error(letter.lastError, letter.event.id);
 * ```
 */
export interface DeadLetter {
  readonly dedupeKey: string;
  readonly event: DeliveryEvent;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly receivedAt: Date;
}

/**
 * A durable inbox of delivered events in Postgres; see {@link createPostgresInbox}.
 *
 * @example
 * ```ts
 * const handler = createNodeDeliveryHandler({ keys, dedupe: false, onEvents: inbox.store });
 * ```
 */
export interface PostgresInbox {
  /** Creates the tables and indexes if missing (`inboxSchemaSql`); safe to run from every instance at start. */
  migrate(): Promise<void>;
  /**
   * Stores a verified batch in one statement, each event once whatever the redeliveries
   * (`ON CONFLICT DO NOTHING` on the dedupe key), and resolves once it is committed; throws
   * when it is not, so the handler answers 500 and Upvest delivers the batch again. Pass it as
   * the handler's `onEvents`, with `dedupe: false`. Resolves with how many events were new.
   */
  readonly store: (events: readonly DeliveryEvent[]) => Promise<number>;
  /** Counts per state, for metrics. */
  counts(): Promise<InboxCounts>;
  /** The dead letters, oldest first (default at most 100). */
  deadLetters(options?: { readonly limit?: number }): Promise<DeadLetter[]>;
  /** Makes dead letters pending again with a fresh attempt count; resolves with how many. */
  replay(dedupeKeys: readonly string[]): Promise<number>;
  /**
   * Deletes applied and skipped events older than `olderThanDays`; resolves with how many. A
   * redelivery of a deleted event would be stored and applied again, so keep them longer than
   * Upvest could still redeliver (it retries until a 2xx; once answered, a batch is not resent).
   */
  prune(options: { readonly olderThanDays: number }): Promise<number>;
  /** The quoted table names. Internal: for the worker. */
  readonly tables: InboxTables;
  /** The pool. Internal: for the worker. */
  readonly pool: PoolLike;
}

const defaultObjectKey = (event: DeliveryEvent): string | null => {
  const id = event.object['id'];
  return typeof id === 'string' ? id : null;
};

/** An event as it was delivered, without the `known` flag parsing added. */
function deliveredForm(event: DeliveryEvent): Record<string, unknown> {
  const { known: _known, ...delivered } = event;
  return delivered;
}

/**
 * An event read back from the inbox: the delivered JSON, with `known` as parsing sets it.
 *
 * @example
 * ```ts
 * const event = eventFromRow(row.payload);
 * ```
 */
export function eventFromRow(payload: unknown): DeliveryEvent {
  const event = payload as Omit<DeliveryEvent, 'known'>;
  return { ...event, known: isKnownEventType(event.type) } as DeliveryEvent;
}

/**
 * A durable inbox for deliveries in Postgres, safe with any number of receiver instances: the
 * handler verifies a delivery and stores its events before answering 200 (R17: persist, then
 * work asynchronously), a redelivered batch adds nothing, and workers
 * ({@link createInboxWorker}) apply each event exactly once, in `created_at` order per object.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createNodeDeliveryHandler } from 'upvest-webhooks';
 * import { createPostgresInbox, createInboxWorker } from 'upvest-webhooks/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const inbox = createPostgresInbox({ pool });
 * await inbox.migrate();
 * const handler = createNodeDeliveryHandler({ keys, dedupe: false, onEvents: inbox.store });
 * const worker = createInboxWorker(inbox, {
 *   onEvent: async (event, tx) => {
 *     await tx.query('insert into fills (order_id) values ($1)', [event.object['id']]);
 *   },
 * });
 * worker.start();
 * ```
 */
export function createPostgresInbox(options: PostgresInboxOptions): PostgresInbox {
  if (typeof options.pool?.query !== 'function' || typeof options.pool.connect !== 'function') {
    throw new UpvestConfigurationError('pool must be a node-postgres Pool (query and connect)');
  }
  const { pool } = options;
  const tables = inboxTables(options.table);
  const { events, objects } = tables;
  const dedupeKeyOf = options.dedupeKey ?? ((event: DeliveryEvent) => event.id);
  const objectKeyOf = options.objectKey ?? defaultObjectKey;

  // One statement, so one transaction: the events and their objects' rows commit together or
  // not at all. Rows go in dedupe-key order and objects in key order, so two receivers storing
  // overlapping batches at once wait for each other instead of deadlocking.
  const storeSql = `
WITH incoming AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::jsonb[])
    AS t(dedupe_key, event_id, webhook_id, type, object_key, created_at, created_at_key, payload)
), stored AS (
  INSERT INTO ${events} (dedupe_key, event_id, webhook_id, type, object_key, created_at, created_at_key, payload)
  SELECT * FROM incoming ORDER BY dedupe_key
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING object_key
), known_objects AS (
  INSERT INTO ${objects} (object_key)
  SELECT DISTINCT object_key FROM stored WHERE object_key IS NOT NULL ORDER BY object_key
  ON CONFLICT (object_key) DO NOTHING
)
SELECT count(*)::int AS stored FROM stored`;

  const store = async (batch: readonly DeliveryEvent[]): Promise<number> => {
    if (batch.length === 0) return 0;
    const columns: unknown[][] = [[], [], [], [], [], [], [], []];
    for (const event of batch) {
      const createdAtKey = decimalEpochSeconds(event.created_at);
      // Parsing has checked created_at (R13); an event that got here without it is a bug.
      if (createdAtKey === undefined) {
        throw new TypeError(`event ${event.id} has no RFC 3339 created_at`);
      }
      const row = [
        dedupeKeyOf(event),
        event.id,
        event.webhook_id,
        event.type,
        objectKeyOf(event),
        event.created_at,
        createdAtKey,
        JSON.stringify(deliveredForm(event)),
      ];
      row.forEach((value, column) => columns[column]!.push(value));
    }
    const result = await pool.query(storeSql, columns);
    return Number(result.rows[0]?.['stored'] ?? 0);
  };

  return {
    tables,
    pool,
    store,
    async migrate() {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // Instances starting together would race on CREATE ... IF NOT EXISTS; one at a time.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [events]);
        await client.query(inboxSchemaSql(options.table));
        await client.query('COMMIT');
        client.release();
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(error as Error);
        throw error;
      }
    },
    async counts() {
      const { rows } = await pool.query(
        `SELECT
           count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*) FILTER (WHERE status = 'applied')::int AS applied,
           count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
           count(*) FILTER (WHERE status = 'dead')::int AS dead,
           coalesce(extract(epoch FROM now() - min(received_at) FILTER (WHERE status = 'pending')), 0)::float8 AS oldest
         FROM ${events}`,
      );
      const row = rows[0] ?? {};
      return {
        pending: Number(row['pending'] ?? 0),
        applied: Number(row['applied'] ?? 0),
        skipped: Number(row['skipped'] ?? 0),
        dead: Number(row['dead'] ?? 0),
        oldestPendingSeconds: Number(row['oldest'] ?? 0),
      };
    },
    async deadLetters({ limit = 100 } = {}) {
      const { rows } = await pool.query(
        `SELECT dedupe_key, payload, attempts, last_error, received_at FROM ${events}
         WHERE status = 'dead' ORDER BY received_at, dedupe_key LIMIT $1`,
        [limit],
      );
      return rows.map((row) => ({
        dedupeKey: String(row['dedupe_key']),
        event: eventFromRow(row['payload']),
        attempts: Number(row['attempts']),
        lastError: (row['last_error'] as string | null) ?? null,
        receivedAt: row['received_at'] as Date,
      }));
    },
    async replay(dedupeKeys) {
      const result = await pool.query(
        `UPDATE ${events} SET status = 'pending', attempts = 0, available_at = now(), last_error = NULL
         WHERE status = 'dead' AND dedupe_key = ANY($1::text[])`,
        [[...dedupeKeys]],
      );
      return result.rowCount ?? 0;
    },
    async prune({ olderThanDays }) {
      if (!(Number.isFinite(olderThanDays) && olderThanDays >= 0)) {
        throw new UpvestConfigurationError('olderThanDays must be a number of days, 0 or more');
      }
      const result = await pool.query(
        `DELETE FROM ${events} WHERE status IN ('applied', 'skipped')
         AND applied_at < now() - make_interval(secs => $1::float8 * 86400)`,
        [olderThanDays],
      );
      return result.rowCount ?? 0;
    },
  };
}
