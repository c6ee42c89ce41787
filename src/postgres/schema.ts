import { UpvestConfigurationError } from '../errors.js';

/** The inbox table's name when none is given. */
const DEFAULT_INBOX_TABLE = 'upvest_inbox';

/**
 * The SQL names of an inbox: its event table and the per-object table beside it, both quoted.
 * Internal; {@link inboxTables} makes one from a user's `table` option.
 */
export interface InboxTables {
  /** `"schema"."upvest_inbox"`: one row per event, keyed by its dedupe key. */
  readonly events: string;
  /** `"schema"."upvest_inbox_objects"`: the newest `created_at` applied per object. */
  readonly objects: string;
  /** A prefix for index names, unquoted (`upvest_inbox`). */
  readonly prefix: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;

/**
 * Checks a table name (`upvest_inbox` or `schema.upvest_inbox`) and quotes it. Names are
 * interpolated into SQL, so only plain lower-case identifiers are taken: no quoting games, no
 * injection, and room for the `_objects` suffix within Postgres's 63-byte limit.
 *
 * @example
 * ```ts
 * inboxTables('billing.upvest_inbox').events; // '"billing"."upvest_inbox"'
 * ```
 */
export function inboxTables(name: string = DEFAULT_INBOX_TABLE): InboxTables {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new UpvestConfigurationError(
      `table must be a lower-case SQL identifier, optionally schema-qualified (schema.table), of at most 48 characters each; got ${JSON.stringify(name)}`,
    );
  }
  const table = parts.at(-1)!;
  const schema = parts.length === 2 ? `"${parts[0]!}".` : '';
  return {
    events: `${schema}"${table}"`,
    objects: `${schema}"${table}_objects"`,
    prefix: table,
  };
}

/**
 * The SQL that creates an inbox, idempotent (`IF NOT EXISTS`), for review by a DBA or a
 * migration tool of your own; `inbox.migrate()` runs it.
 *
 * - `dedupe_key` (primary key): the event's id by default; a redelivered event adds nothing.
 * - `created_at_key`: `created_at` as exact decimal Unix seconds (`numeric`, every nanosecond
 *   digit), the order of application per object.
 * - `object_key`: what per-object order is kept for (`object.id` by default); `NULL` for none.
 * - `raw`: the event's exact JSON text as delivered, UTF-8 (`bytea`: anything Upvest can sign
 *   fits, and workers get it back byte for byte).
 * - `payload`: the same as `jsonb` for your queries, or `NULL` where `jsonb` cannot hold it (a
 *   `\u0000` or a lone surrogate in a string, nesting deeper than 1,000).
 * - `trace_parent`: the W3C `traceparent` of the delivery the event came in, when telemetry
 *   records it, so the worker's span joins that trace; `NULL` otherwise.
 * - `status`: `pending` → `applied` | `skipped` (stale, by policy) | `dead` (too many failures,
 *   or an event the database refused to store: its `raw` bytes are kept).
 *
 * @example
 * ```ts
 * console.log(inboxSchemaSql('upvest_inbox'));
 * ```
 */
export function inboxSchemaSql(table: string = DEFAULT_INBOX_TABLE): string {
  const { events, objects, prefix } = inboxTables(table);
  return `CREATE TABLE IF NOT EXISTS ${events} (
  dedupe_key     text        PRIMARY KEY,
  event_id       text        NOT NULL,
  webhook_id     text,
  type           text        NOT NULL,
  object_key     text,
  created_at     text        NOT NULL,
  created_at_key numeric     NOT NULL,
  payload        jsonb,
  raw            bytea,
  status         text        NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'applied', 'skipped', 'dead')),
  attempts       integer     NOT NULL DEFAULT 0,
  available_at   timestamptz NOT NULL DEFAULT now(),
  last_error     text,
  received_at    timestamptz NOT NULL DEFAULT now(),
  applied_at     timestamptz,
  trace_parent   text
);
-- Inboxes made by versions before raw: add it, and let payload be NULL.
ALTER TABLE ${events} ADD COLUMN IF NOT EXISTS raw bytea;
ALTER TABLE ${events} ALTER COLUMN payload DROP NOT NULL;
-- Inboxes made before telemetry: add the trace each event was stored under.
ALTER TABLE ${events} ADD COLUMN IF NOT EXISTS trace_parent text;
CREATE INDEX IF NOT EXISTS ${prefix}_claimable
  ON ${events} (created_at_key, dedupe_key) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS ${prefix}_pending_per_object
  ON ${events} (object_key, created_at_key, dedupe_key) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS ${prefix}_applied_at
  ON ${events} (applied_at) WHERE status IN ('applied', 'skipped');
CREATE TABLE IF NOT EXISTS ${objects} (
  object_key     text        PRIMARY KEY,
  last_applied   numeric
);
`;
}
