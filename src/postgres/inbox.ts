import { decimalEpochSeconds } from '../receiver/created-at.js';
import { isKnownEventType, type DeliveryEvent } from '../receiver/events.js';
import { UpvestConfigurationError } from '../errors.js';
import { attachRawText, rawEventText } from '../receiver/raw-events.js';
import { inboxSchemaSql, inboxTables } from './schema.js';
import { withInternals } from './internals.js';
import { asciiText, isDataError, jsonbCanHold, storableText } from './storable.js';
import { inTransaction, type PoolLike, type Queryable } from './transaction.js';
import { quietTelemetry, type Telemetry } from '../wire/telemetry.js';

export type { PoolLike, Queryable } from './transaction.js';

const encoder = new TextEncoder();

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
  /**
   * Where the events stored are counted (`upvest.inbox.events.stored`):
   * `openTelemetry()` of `upvest-webhooks/telemetry`. Nothing is recorded without it.
   */
  readonly telemetry?: Telemetry;
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
 * An object whose events wait behind one that keeps failing: that event (the earliest pending of
 * its object, tried at least once) and how many of the object's events wait behind it.
 *
 * @example
 * ```ts
 * for (const stuck of await inbox.stuck()) log.warn(stuck.objectKey, stuck.lastError, stuck.waiting);
 * ```
 */
export interface StuckObject {
  readonly objectKey: string;
  readonly dedupeKey: string;
  readonly eventId: string;
  readonly type: string;
  readonly attempts: number;
  readonly lastError: string | null;
  /** When a worker tries the event again. */
  readonly nextAttemptAt: Date;
  /** Later events of the object, held back until this one is applied or dead. */
  readonly waiting: number;
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
   * The handler's `context.traceparent`, when given, is kept with each event, so the worker's
   * span joins the delivery's trace.
   */
  readonly store: (
    events: readonly DeliveryEvent[],
    context?: { readonly traceparent?: string },
  ) => Promise<number>;
  /** Counts per state, for metrics. */
  counts(): Promise<InboxCounts>;
  /** The dead letters, oldest first (default at most 100). */
  deadLetters(options?: { readonly limit?: number }): Promise<DeadLetter[]>;
  /** Makes dead letters pending again with a fresh attempt count; resolves with how many. */
  replay(dedupeKeys: readonly string[]): Promise<number>;
  /**
   * The objects held back by a failing event (at most `limit`, default 100), the longest waiting
   * first: a worker tries the event again after its back-off, and later events of the object wait.
   */
  stuck(options?: { readonly limit?: number }): Promise<StuckObject[]>;
  /**
   * Deletes applied and skipped events older than `olderThanDays`; resolves with how many. A
   * redelivery of a deleted event would be stored and applied again, so keep them longer than
   * Upvest could still redeliver (it retries until a 2xx; once answered, a batch is not resent).
   */
  prune(options: { readonly olderThanDays: number }): Promise<number>;
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
 * An event read back from the inbox: parsed from its raw bytes (exactly as delivered, so
 * `rawEventText(event)` gives them back), or from `payload` for rows stored before `raw` existed,
 * with `known` as parsing sets it.
 *
 * @example
 * ```ts
 * const event = eventFromRow(row);
 * ```
 */
export function eventFromRow(row: Record<string, unknown>): DeliveryEvent {
  const raw = row['raw'];
  if (raw instanceof Uint8Array) {
    const text = decoder.decode(raw);
    const event = JSON.parse(text) as Omit<DeliveryEvent, 'known'>;
    return attachRawText({ ...event, known: isKnownEventType(event.type) } as DeliveryEvent, text);
  }
  const event = row['payload'] as Omit<DeliveryEvent, 'known'>;
  return { ...event, known: isKnownEventType(event.type) } as DeliveryEvent;
}

const decoder = new TextDecoder();

/**
 * What the inbox's methods share, made once by {@link createPostgresInbox}: the pool, the quoted
 * table names, the key functions and the store statement built from them.
 */
interface InboxParts {
  readonly options: PostgresInboxOptions;
  readonly pool: PoolLike;
  readonly events: string;
  readonly dedupeKeyOf: (event: DeliveryEvent) => string;
  readonly objectKeyOf: (event: DeliveryEvent) => string | null;
  readonly storeSql: string;
  readonly telemetry: Telemetry;
}

/** The statement that stores a batch given as one array per column (see {@link columnsOf}). */
function storeSqlFor(events: string, objects: string): string {
  // One statement, so one transaction: the events and their objects' rows commit together or
  // not at all. Rows go in dedupe-key order and objects in key order, so two receivers storing
  // overlapping batches at once wait for each other instead of deadlocking.
  return `
WITH incoming AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::jsonb[], $9::bytea[], $10::text[], $11::text[], $12::text[])
    AS t(dedupe_key, event_id, webhook_id, type, object_key, created_at, created_at_key, payload, raw, status, last_error, trace_parent)
), stored AS (
  INSERT INTO ${events} (dedupe_key, event_id, webhook_id, type, object_key, created_at, created_at_key, payload, raw, status, last_error, trace_parent)
  SELECT * FROM incoming ORDER BY dedupe_key
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING object_key
), known_objects AS (
  INSERT INTO ${objects} (object_key)
  SELECT DISTINCT object_key FROM stored WHERE object_key IS NOT NULL ORDER BY object_key
  ON CONFLICT (object_key) DO NOTHING
)
SELECT count(*)::int AS stored FROM stored`;
}

/** One event as the store statement's row: every text column as `text` can hold it. */
function rowOf(
  parts: InboxParts,
  event: DeliveryEvent,
  traceparent: string | undefined,
): unknown[] {
  // Called unbound, as the user's functions always were.
  const { dedupeKeyOf, objectKeyOf } = parts;
  const createdAtKey = decimalEpochSeconds(event.created_at);
  // Parsing has checked created_at (R13); an event that got here without it is a bug.
  if (createdAtKey === undefined) {
    throw new TypeError(`event ${event.id} has no RFC 3339 created_at`);
  }
  const raw = rawEventText(event) ?? JSON.stringify(deliveredForm(event));
  const objectKey = objectKeyOf(event);
  return [
    storableText(dedupeKeyOf(event)),
    event.id,
    event.webhook_id,
    storableText(event.type),
    objectKey === null ? null : storableText(objectKey),
    event.created_at,
    createdAtKey,
    jsonbCanHold(raw) ? raw : null,
    encoder.encode(raw),
    'pending',
    null,
    traceparent === undefined ? null : storableText(traceparent),
  ];
}

/**
 * The row of an event the database refused: its raw bytes, every text column in plain ASCII
 * (any encoding holds it), no `jsonb`, not ordered with its object, `dead` with the reason.
 */
function deadRowOf(row: unknown[], error: unknown): unknown[] {
  const [dedupeKey, eventId, webhookId, type, , createdAt, createdAtKey, , raw, , , trace] = row;
  const code = (error as { code?: unknown }).code;
  return [
    asciiText(String(dedupeKey)),
    asciiText(String(eventId)),
    asciiText(String(webhookId)),
    asciiText(String(type)),
    null,
    asciiText(String(createdAt)),
    createdAtKey,
    null,
    raw,
    'dead',
    `the database refused to store the event (SQLSTATE ${String(code)}); its raw bytes are kept`,
    typeof trace === 'string' ? asciiText(trace) : null,
  ];
}

/** Rows turned into the store statement's parameters: one array per column. */
function columnsOf(rows: readonly unknown[][]): unknown[][] {
  return Array.from({ length: 12 }, (_, column) => rows.map((row) => row[column]));
}

/**
 * An event the database refused: again without `payload` (a database whose encoding is not
 * UTF-8 refuses `jsonb` escapes above U+007F; `raw` keeps everything), and if that is refused
 * too, as a dead letter.
 */
async function storeWithoutJsonb(
  parts: InboxParts,
  client: Queryable,
  row: readonly unknown[],
  refusal: unknown,
): Promise<number> {
  const { storeSql } = parts;
  await client.query('SAVEPOINT upvest_store_raw');
  try {
    const result = await client.query(storeSql, columnsOf([row.with(7, null)]));
    await client.query('RELEASE SAVEPOINT upvest_store_raw');
    return Number(result.rows[0]?.['stored'] ?? 0);
  } catch (error) {
    if (!isDataError(error)) throw error;
    await client.query('ROLLBACK TO SAVEPOINT upvest_store_raw');
    const result = await client.query(storeSql, columnsOf([deadRowOf([...row], refusal)]));
    return Number(result.rows[0]?.['stored'] ?? 0);
  }
}

/**
 * The batch refused as data: each event in a savepoint of one transaction, and an event the
 * database still refuses as a dead letter with its raw bytes. The batch is stored whole or,
 * if even that fails, not at all (the caller answers 500, Upvest retries).
 */
function storeOneByOne(parts: InboxParts, rows: readonly unknown[][]): Promise<number> {
  return inTransaction(parts.pool, async (client) => {
    let stored = 0;
    for (const row of rows) {
      await client.query('SAVEPOINT upvest_store');
      try {
        const result = await client.query(parts.storeSql, columnsOf([row]));
        stored += Number(result.rows[0]?.['stored'] ?? 0);
        await client.query('RELEASE SAVEPOINT upvest_store');
      } catch (error) {
        if (!isDataError(error)) throw error;
        await client.query('ROLLBACK TO SAVEPOINT upvest_store');
        stored += await storeWithoutJsonb(parts, client, row, error);
      }
    }
    return stored;
  });
}

/** `inbox.store`: the batch in one statement, or event by event when the database refuses it. */
async function storeBatch(
  parts: InboxParts,
  batch: readonly DeliveryEvent[],
  traceparent: string | undefined,
): Promise<number> {
  if (batch.length === 0) return 0;
  const rows = batch.map((event) => rowOf(parts, event, traceparent));
  let stored: number;
  try {
    const result = await parts.pool.query(parts.storeSql, columnsOf(rows));
    stored = Number(result.rows[0]?.['stored'] ?? 0);
  } catch (error) {
    // A lost connection or a broken statement: the batch is retried whole by Upvest.
    if (!isDataError(error)) throw error;
    stored = await storeOneByOne(parts, rows);
  }
  parts.telemetry.count('upvest.inbox.events.stored', stored);
  return stored;
}

/** `inbox.migrate`: the schema, created by one instance at a time. */
async function migrateInbox(parts: InboxParts): Promise<void> {
  await inTransaction(parts.pool, async (client) => {
    // Instances starting together would race on CREATE ... IF NOT EXISTS; one at a time.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [parts.events]);
    await client.query(inboxSchemaSql(parts.options.table));
  });
}

/** `inbox.counts`: events per state and the age of the oldest pending one. */
async function countEvents(parts: InboxParts): Promise<InboxCounts> {
  const { events } = parts;
  const { rows } = await parts.pool.query(
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
}

/** `inbox.deadLetters`: at most `limit` dead letters, oldest first. */
async function readDeadLetters(
  parts: InboxParts,
  { limit = 100 }: { readonly limit?: number } = {},
): Promise<DeadLetter[]> {
  const { events } = parts;
  const { rows } = await parts.pool.query(
    `SELECT dedupe_key, payload, raw, attempts, last_error, received_at FROM ${events}
         WHERE status = 'dead' ORDER BY received_at, dedupe_key LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    dedupeKey: String(row['dedupe_key']),
    event: eventFromRow(row),
    attempts: Number(row['attempts']),
    lastError: (row['last_error'] as string | null) ?? null,
    receivedAt: row['received_at'] as Date,
  }));
}

/** `inbox.replay`: the named dead letters pending again, with a fresh attempt count. */
async function replayDeadLetters(
  parts: InboxParts,
  dedupeKeys: readonly string[],
): Promise<number> {
  const { events } = parts;
  const result = await parts.pool.query(
    `UPDATE ${events} SET status = 'pending', attempts = 0, available_at = now(), last_error = NULL
         WHERE status = 'dead' AND dedupe_key = ANY($1::text[])`,
    [[...dedupeKeys]],
  );
  return result.rowCount ?? 0;
}

/** `inbox.stuck`: the failing event at the head of each held-back object, longest waiting first. */
async function findStuckObjects(
  parts: InboxParts,
  { limit = 100 }: { readonly limit?: number } = {},
): Promise<StuckObject[]> {
  const { events } = parts;
  const { rows } = await parts.pool.query(
    `SELECT head.object_key, head.dedupe_key, head.event_id, head.type, head.attempts,
           head.last_error, head.available_at,
           (SELECT count(*) FROM ${events} AS later
            WHERE later.object_key = head.object_key AND later.status = 'pending')::int - 1 AS waiting
         FROM ${events} AS head
         WHERE head.status = 'pending' AND head.attempts > 0 AND head.object_key IS NOT NULL
           AND NOT EXISTS (
             SELECT 1 FROM ${events} AS earlier
             WHERE earlier.object_key = head.object_key AND earlier.status = 'pending'
               AND (earlier.created_at_key, earlier.dedupe_key) < (head.created_at_key, head.dedupe_key))
         ORDER BY head.received_at, head.object_key
         LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    objectKey: String(row['object_key']),
    dedupeKey: String(row['dedupe_key']),
    eventId: String(row['event_id']),
    type: String(row['type']),
    attempts: Number(row['attempts']),
    lastError: (row['last_error'] as string | null) ?? null,
    nextAttemptAt: row['available_at'] as Date,
    waiting: Number(row['waiting']),
  }));
}

/** `inbox.prune`: applied and skipped events older than `olderThanDays` deleted. */
async function pruneEvents(
  parts: InboxParts,
  { olderThanDays }: { readonly olderThanDays: number },
): Promise<number> {
  const { events } = parts;
  if (!(Number.isFinite(olderThanDays) && olderThanDays >= 0)) {
    throw new UpvestConfigurationError('olderThanDays must be a number of days, 0 or more');
  }
  const result = await parts.pool.query(
    `DELETE FROM ${events} WHERE status IN ('applied', 'skipped')
         AND applied_at < now() - make_interval(secs => $1::float8 * 86400)`,
    [olderThanDays],
  );
  return result.rowCount ?? 0;
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
 * pool.on('error', (error) => console.warn('postgres pool:', error.message)); // a restart must not end the process
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
  const parts: InboxParts = {
    options,
    pool,
    events,
    dedupeKeyOf: options.dedupeKey ?? ((event: DeliveryEvent) => event.id),
    objectKeyOf: options.objectKey ?? defaultObjectKey,
    storeSql: storeSqlFor(events, objects),
    telemetry: quietTelemetry(options.telemetry),
  };
  const inbox: PostgresInbox = {
    // `context` is the delivery handler's when store is its onEvents; it may be anything else.
    store: (batch, context) => storeBatch(parts, batch, traceparentOf(context)),
    migrate: () => migrateInbox(parts),
    counts: () => countEvents(parts),
    deadLetters: (paging) => readDeadLetters(parts, paging),
    replay: (dedupeKeys) => replayDeadLetters(parts, dedupeKeys),
    stuck: (paging) => findStuckObjects(parts, paging),
    prune: (age) => pruneEvents(parts, age),
  };
  return withInternals(inbox, { pool, tables });
}

/** The `traceparent` of a handler's context, if it carries a plausible one (a short string). */
function traceparentOf(context: unknown): string | undefined {
  const value = (context as { traceparent?: unknown } | null | undefined)?.traceparent;
  return typeof value === 'string' && value.length <= 256 ? value : undefined;
}
