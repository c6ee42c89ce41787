import type { DeliveryEvent } from '../receiver/events.js';
import { UpvestConfigurationError } from '../errors.js';
import { eventFromRow, type PostgresInbox } from './inbox.js';
import { inTransaction, type PoolLike, type Queryable } from './transaction.js';
import { internalsOf } from './internals.js';
import { storableText } from './storable.js';
import { log, type Logger } from '../wire/logger.js';
import { quietTelemetry, type Telemetry, type TelemetrySpan } from '../wire/telemetry.js';

/**
 * Options of {@link createInboxWorker}.
 *
 * @example
 * ```ts
 * const options: InboxWorkerOptions = {
 *   onEvent: async (event, tx) => { await tx.query('insert into fills …', [event.object['id']]) },
 *   concurrency: 4,
 *   stale: 'skip',
 * };
 * ```
 */
export interface InboxWorkerOptions {
  /**
   * Applies one event. It runs inside the transaction that marks the event applied: do the
   * event's database work with `tx`, and it commits together with the mark, or not at all.
   * Throwing rolls back only this event's work; the event is tried again after a back-off.
   * Effects outside the database (an e-mail, a call) can run twice after a crash between them
   * and the commit: make those idempotent on `event.id`.
   */
  readonly onEvent: (event: DeliveryEvent, tx: Queryable) => Promise<void> | void;
  /** Events claimed per transaction (default 10). */
  readonly batchSize?: number;
  /** Transactions this worker runs at once, each on its own connection (default 1). */
  readonly concurrency?: number;
  /** Wait between polls when nothing is pending, in ms (default 500). */
  readonly pollIntervalMs?: number;
  /** Failures before an event becomes a dead letter (default 10). */
  readonly maxAttempts?: number;
  /** Wait before attempt `n + 1` after `n` failures, in ms (default 1 s doubling to 5 min). */
  readonly backoffMs?: (failures: number) => number;
  /**
   * An event older than one already applied for its object (it arrived late, across
   * deliveries: R13 orders events within one delivery only): `'apply'` it anyway (default), or
   * `'skip'` it (status `skipped`, `onEvent` not called).
   */
  readonly stale?: 'apply' | 'skip';
  /**
   * How a failing `onEvent` is kept from the rest of its batch. `'event'` (default): each event
   * runs in a savepoint of its own, and a failure takes back only that event's work. `'batch'`:
   * no savepoints (one round trip less per event, about a third more events/s: BENCHMARKS.md);
   * a failure rolls the whole batch back and the worker runs it again at once with savepoints,
   * so the events before the failing one are handed to `onEvent` a second time (their database
   * work was rolled back; an effect outside the database happens twice). Choose it when
   * `onEvent` does only database work through `tx`, or is idempotent on `event.id`.
   */
  readonly isolation?: 'event' | 'batch';
  /**
   * Called with errors of the worker itself, never with `onEvent`'s: a lost connection (inside a
   * transaction or idle in the pool), a database that is down. The worker goes on: it polls
   * again, waiting longer after each failure in a row (up to 5 s), and resumes once the
   * database answers. Without it such errors are dropped; they never end the process.
   */
  readonly onError?: (error: unknown) => void;
  /**
   * Where a failing event (warn: its dedupe key, type, attempt and the wait before the next), a
   * dead letter (error) and the worker's own errors (error) are logged; silent by default. The
   * error's message is stored with the event (`inbox stuck`, `inbox dead-letters`), not logged:
   * it may quote the payload.
   */
  readonly logger?: Logger;
  /**
   * Where each event applied is traced (a consumer span in the trace of the delivery it came in,
   * when the inbox stored one: event id, type, object, attempt, outcome) and counted (applied,
   * dead, the lag from storing to applying): `openTelemetry()` of `upvest-webhooks/telemetry`.
   * Nothing is recorded without it. Never the payload or the error's message.
   */
  readonly telemetry?: Telemetry;
}

/**
 * What a health check can read of a worker: whether it runs, and when it last claimed (asked
 * for events), committed (applied, skipped or failed one) and failed itself.
 *
 * @example
 * ```ts
 * const { lastClaimAt } = worker.health();
 * const alive = lastClaimAt !== undefined && Date.now() - lastClaimAt.getTime() < 30_000;
 * ```
 */
export interface InboxWorkerHealth {
  readonly running: boolean;
  /** When a claim last succeeded, whether or not it found events. */
  readonly lastClaimAt: Date | undefined;
  /** When a transaction that handled events last committed. */
  readonly lastCommitAt: Date | undefined;
  /** When the worker itself last failed (see `onError`), and how many times in a row since. */
  readonly lastErrorAt: Date | undefined;
  readonly consecutiveErrors: number;
}

/**
 * A running worker; see {@link createInboxWorker}.
 *
 * @example
 * ```ts
 * worker.start();
 * process.on('SIGTERM', () => void worker.stop());
 * ```
 */
export interface InboxWorker {
  /** Starts polling; calling it twice does nothing. */
  start(): void;
  /** Stops polling and resolves once the transactions under way have ended. */
  stop(): Promise<void>;
  /**
   * Claims and handles one batch now; resolves with how many events it handled (applied,
   * skipped or failed). For tests and for running from a scheduler instead of `start()`.
   */
  runOnce(): Promise<number>;
  /** Its liveness, for a health check. */
  health(): InboxWorkerHealth;
}

/** The longest wait between polls after failures in a row. */
const MAX_ERROR_BACKOFF_MS = 5_000;

const defaultBackoff = (failures: number): number => Math.min(300_000, 1000 * 2 ** (failures - 1));

function positiveWhole(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < 1) {
    throw new UpvestConfigurationError(`${name} must be a whole number of at least 1`);
  }
  return resolved;
}

/**
 * An error as text for `last_error`: its message, never its stack, at most 2,000 characters, as
 * a `text` column holds it (a message quoting an event's `\u0000` must not fail the update and
 * leave the event claimed forever).
 */
function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return storableText(text.slice(0, 2000));
}

/**
 * What a worker was made with, resolved and checked once by {@link createInboxWorker}. `options`
 * is kept whole: `onEvent`, `onError` and `logger` are read from it when they are called.
 */
interface WorkerSettings {
  readonly options: InboxWorkerOptions;
  readonly pool: PoolLike;
  readonly events: string;
  /** The event table unquoted (`upvest_inbox`, `schema.upvest_inbox`): the spans' destination. */
  readonly destination: string;
  readonly objects: string;
  readonly claimSql: string;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly pollIntervalMs: number;
  readonly backoffMs: (failures: number) => number;
  readonly stale: 'apply' | 'skip';
  readonly isolation: 'event' | 'batch';
  readonly telemetry: Telemetry;
}

/** What a worker's methods share and change as it runs: its settings, health and loops. */
interface WorkerState extends WorkerSettings {
  lastClaimAt: Date | undefined;
  lastCommitAt: Date | undefined;
  lastErrorAt: Date | undefined;
  consecutiveErrors: number;
  // One report per failure: a lost connection both rejects the query and emits 'error'.
  lastReported: unknown;
  running: boolean;
  /** The wakers of the loops sleeping between polls, so `stop()` ends their sleep. */
  readonly sleepers: Set<() => void>;
  readonly loops: Promise<void>[];
  // An idle pooled client whose connection drops makes the pool emit 'error', which ends the
  // process when nobody listens: the worker listens while it runs.
  readonly poolListener: (error: Error) => void;
}

/**
 * The statements that claim a batch of events from `events`, sent as one (simple protocol, so the
 * batch size is written in: a checked whole number). Claimable: pending, due, and no earlier
 * pending event of its object (claimed elsewhere or not); SKIP LOCKED passes over events other
 * transactions hold.
 *
 * The claim must walk the `claimable` index in order and stop at the batch size. A backlog that
 * arrives at once finds the table's statistics from before it (autovacuum analyzes a minute or
 * more later), and the planner then checked every pending event and sorted them all: 7 ms a
 * claim at 4,000 pending instead of 0.4 (each statement of a worker draining 4,000 events timed,
 * and the plans read). Sorting is switched off for this statement only: the setting the
 * transaction had is restored before `onEvent` runs.
 */
function claimSqlFor(events: string, batchSize: number): string {
  return `
SELECT set_config('upvest_inbox.enable_sort', current_setting('enable_sort'), true);
SET LOCAL enable_sort = off;
SELECT dedupe_key, object_key, created_at_key, attempts, raw, trace_parent,
       -- payload is read (and parsed) only where raw is missing: rows of inboxes before raw.
       CASE WHEN raw IS NULL THEN payload END AS payload,
       extract(epoch FROM clock_timestamp() - received_at)::float8 AS waited
FROM ${events} AS candidate
WHERE status = 'pending' AND available_at <= now()
  AND (object_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM ${events} AS earlier
    WHERE earlier.object_key = candidate.object_key AND earlier.status = 'pending'
      AND (earlier.created_at_key, earlier.dedupe_key) < (candidate.created_at_key, candidate.dedupe_key)))
ORDER BY created_at_key, dedupe_key
LIMIT ${String(batchSize)}
FOR UPDATE SKIP LOCKED;
SELECT set_config('enable_sort', current_setting('upvest_inbox.enable_sort'), true);`;
}

/** The options checked and their defaults filled in; a configuration error for a bad one. */
function workerSettings(inbox: PostgresInbox, options: InboxWorkerOptions): WorkerSettings {
  if (typeof options.onEvent !== 'function') {
    throw new UpvestConfigurationError('onEvent must be a function');
  }
  const batchSize = positiveWhole('batchSize', options.batchSize, 10);
  const concurrency = positiveWhole('concurrency', options.concurrency, 1);
  const maxAttempts = positiveWhole('maxAttempts', options.maxAttempts, 10);
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const backoffMs = options.backoffMs ?? defaultBackoff;
  const stale = options.stale ?? 'apply';
  if (stale !== 'apply' && stale !== 'skip') {
    throw new UpvestConfigurationError("stale must be 'apply' or 'skip'");
  }
  const isolation = options.isolation ?? 'event';
  if (isolation !== 'event' && isolation !== 'batch') {
    throw new UpvestConfigurationError("isolation must be 'event' or 'batch'");
  }
  const { pool, tables } = internalsOf(inbox);
  const { events, objects } = tables;
  const claimSql = claimSqlFor(events, batchSize);
  return {
    options,
    pool,
    events,
    destination: events.replaceAll('"', ''),
    objects,
    claimSql,
    batchSize,
    concurrency,
    maxAttempts,
    pollIntervalMs,
    backoffMs,
    stale,
    isolation,
    telemetry: quietTelemetry(options.telemetry),
  };
}

/** A failure of the worker itself: logged and passed to `onError`, once however it arrives. */
function report(state: WorkerState, error: unknown): void {
  const { options } = state;
  if (error === state.lastReported) return;
  state.lastReported = error;
  state.lastErrorAt = new Date();
  log(options.logger, 'error', 'inbox worker: the database failed; polling again', {
    error: error instanceof Error ? error.message : String(error),
    consecutiveErrors: state.consecutiveErrors + 1,
  });
  try {
    options.onError?.(error);
  } catch {
    // A logging hook that throws must not stop the worker.
  }
}

/** One line per failed attempt of an event; an error line when it became a dead letter. */
function logFailure(
  state: WorkerState,
  dedupeKey: string,
  row: Record<string, unknown>,
  failures: number,
  wait: number,
  error: unknown,
): void {
  const { options } = state;
  const fields = {
    dedupeKey,
    type: eventFromRow(row).type,
    attempts: failures,
    error: error instanceof Error ? error.name : typeof error,
  };
  if (failures >= state.maxAttempts) {
    log(options.logger, 'error', 'an event failed its last attempt: it is a dead letter', fields);
  } else {
    log(options.logger, 'warn', 'an event failed; it is tried again after a back-off', {
      ...fields,
      waitMs: wait,
    });
  }
}

/**
 * `worker.runOnce`: one batch claimed and handled in one transaction; with `isolation: 'batch'`,
 * run again with savepoints when an event failed without one.
 */
async function runOnce(state: WorkerState): Promise<number> {
  try {
    return await runBatch(state, state.isolation === 'event');
  } catch (error) {
    if (!(error instanceof FailedWithoutSavepoint)) throw error;
    return runBatch(state, true);
  }
}

/** An event failed in a batch without savepoints: the batch is rolled back and run again. */
class FailedWithoutSavepoint extends Error {}

async function runBatch(state: WorkerState, savepoints: boolean): Promise<number> {
  const tally: Tally = { applied: [], dead: 0 };
  let handled: number;
  try {
    handled = await inTransaction(
      state.pool,
      (client) => claimAndHandle(state, client, { savepoints, open: false }, tally),
      (error) => report(state, error),
    );
  } catch (error) {
    // Nothing of the batch committed: the spans of the events it applied say so.
    for (const { span } of tally.applied) {
      span.setAttributes({ 'upvest.event.outcome': 'rolled_back' });
      span.fail(error instanceof FailedWithoutSavepoint ? 'batch_retried' : 'rolled_back');
      span.end();
    }
    throw error;
  }
  if (handled > 0) state.lastCommitAt = new Date();
  countCommitted(state.telemetry, tally);
  return handled;
}

/** What a batch's transaction did, ended and counted once it committed. */
interface Tally {
  /** The events applied: each one's span, and how long it waited from being stored (seconds). */
  readonly applied: { readonly span: TelemetrySpan; readonly waited: number }[];
  /** Events that became dead letters. */
  dead: number;
}

function countCommitted(telemetry: Telemetry, tally: Tally): void {
  for (const { span, waited } of tally.applied) {
    span.setAttributes({ 'upvest.event.outcome': 'applied' });
    span.end();
    telemetry.record('upvest.inbox.queue.lag', waited);
  }
  if (tally.applied.length > 0) {
    telemetry.count('upvest.inbox.events.applied', tally.applied.length);
  }
  if (tally.dead > 0) telemetry.count('upvest.inbox.events.dead', tally.dead);
}

/**
 * Claims a batch, locks its objects and handles each event whose object it holds; the events
 * applied are marked so in two statements at the end, in the same transaction (a batch holds at
 * most one event per object: an event with an earlier pending one of its object is not
 * claimable). Round trips, not work, bound a worker: this keeps them near one per event beside
 * its own queries (BENCHMARKS.md, the inbox against a bare SKIP LOCKED loop).
 */
async function claimAndHandle(
  state: WorkerState,
  client: Queryable,
  savepoint: Savepoint,
  tally: Tally,
): Promise<number> {
  // Four statements, four results: the claim is the third.
  const results = (await client.query(state.claimSql)) as unknown as {
    rows: Record<string, unknown>[];
  }[];
  const rows = results[2]!.rows;
  state.lastClaimAt = new Date();
  const locked = await lockObjects(state, client, rows);
  const applied: Applied[] = [];
  let count = 0;
  for (const row of rows) {
    const objectKey = row['object_key'] as string | null;
    // Not locked: another transaction holds its object (store() always creates the row).
    if (objectKey !== null && !locked.has(objectKey)) continue;
    const lastApplied = objectKey === null ? null : locked.get(objectKey);
    const done = await handle(state, client, row, { objectKey, lastApplied, savepoint, tally });
    if (done) applied.push(done);
    count += 1;
  }
  await markApplied(state, client, applied);
  return count;
}

/** An event applied in this transaction, to mark at its end. */
interface Applied {
  readonly dedupeKey: string;
  readonly objectKey: string | null;
  readonly createdAtKey: string;
}

/** The objects of the claimed rows this transaction could lock, with their `last_applied`. */
async function lockObjects(
  state: WorkerState,
  client: Queryable,
  rows: readonly Record<string, unknown>[],
): Promise<Map<string, string | null>> {
  const { objects } = state;
  // An older event stored late can be claimable while a newer one of its object is being
  // applied elsewhere: the object's row serialises them. Held rows are skipped, not waited
  // for, so no two workers ever wait on each other.
  const keys = [...new Set(rows.map((row) => row['object_key']).filter((key) => key !== null))];
  const locked = new Map<string, string | null>();
  if (keys.length > 0) {
    const objectRows = await client.query(
      `SELECT object_key, last_applied::text AS last_applied FROM ${objects}
             WHERE object_key = ANY($1::text[]) FOR UPDATE SKIP LOCKED`,
      [keys],
    );
    for (const row of objectRows.rows) {
      locked.set(String(row['object_key']), (row['last_applied'] as string | null) ?? null);
    }
  }
  return locked;
}

/**
 * Whether a batch's events run in savepoints (`isolation: 'event'`, or a batch run again), and
 * whether one is open (released in the round trip that opens the next).
 */
interface Savepoint {
  readonly savepoints: boolean;
  open: boolean;
}

/**
 * One claimed event: skipped as stale, applied (returned, to be marked), or recorded as failed.
 * With savepoints each `onEvent` runs in one of its own, so a failing one takes back only its own
 * effects; without, a failure ends the batch ({@link FailedWithoutSavepoint}).
 */
async function handle(
  state: WorkerState,
  client: Queryable,
  row: Record<string, unknown>,
  { objectKey, lastApplied, savepoint, tally }: EventPlace,
): Promise<Applied | undefined> {
  const { options } = state;
  const dedupeKey = String(row['dedupe_key']);
  const createdAtKey = String(row['created_at_key']);
  if (state.stale === 'skip' && lastApplied != null) {
    if (await skippedAsStale(state, client, dedupeKey, createdAtKey, lastApplied)) return undefined;
  }
  if (savepoint.savepoints) {
    await client.query(
      savepoint.open
        ? 'RELEASE SAVEPOINT upvest_event; SAVEPOINT upvest_event'
        : 'SAVEPOINT upvest_event',
    );
    savepoint.open = true;
  }
  const event = eventFromRow(row);
  const span = startApplySpan(state, row, event, objectKey);
  try {
    await options.onEvent(event, client);
  } catch (error) {
    if (!savepoint.savepoints) {
      span.setAttributes({ 'upvest.event.outcome': 'failed' });
      span.fail('batch_retried');
      span.end();
      throw new FailedWithoutSavepoint('an event failed in a batch without savepoints');
    }
    await client.query('ROLLBACK TO SAVEPOINT upvest_event');
    const dead = await recordFailure(state, client, dedupeKey, row, error);
    if (dead) tally.dead += 1;
    span.setAttributes({ 'upvest.event.outcome': dead ? 'dead' : 'failed' });
    span.fail(error instanceof Error ? error.name : typeof error);
    span.end();
    return undefined;
  }
  // Ended once the batch committed (or rolled back): applied means committed.
  tally.applied.push({ span, waited: Number(row['waited']) });
  return { dedupeKey, objectKey, createdAtKey };
}

/** Where a claimed event is handled: its object's lock, the batch's savepoint and tally. */
interface EventPlace {
  readonly objectKey: string | null;
  readonly lastApplied: string | null | undefined;
  readonly savepoint: Savepoint;
  readonly tally: Tally;
}

/** An event's span, in the trace of the delivery it was stored from when there was one. */
function startApplySpan(
  state: WorkerState,
  row: Record<string, unknown>,
  event: DeliveryEvent,
  objectKey: string | null,
): TelemetrySpan {
  const parent = row['trace_parent'];
  return state.telemetry.startSpan(
    'process upvest-inbox',
    'consumer',
    {
      'messaging.system': 'upvest',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'apply',
      'messaging.destination.name': state.destination,
      'messaging.message.id': event.id,
      'upvest.event.type': event.type,
      'upvest.event.object': objectKey ?? undefined,
      'upvest.event.attempt': Number(row['attempts']) + 1,
    },
    typeof parent === 'string' ? parent : undefined,
  );
}

/** Marks the event skipped when it is older than the last applied of its object; whether it was. */
async function skippedAsStale(
  state: WorkerState,
  client: Queryable,
  dedupeKey: string,
  createdAtKey: string,
  lastApplied: string,
): Promise<boolean> {
  const { events } = state;
  const { rows } = await client.query('SELECT $1::numeric < $2::numeric AS stale', [
    createdAtKey,
    lastApplied,
  ]);
  if (rows[0]?.['stale'] === true) {
    await client.query(
      `UPDATE ${events} SET status = 'skipped', applied_at = now() WHERE dedupe_key = $1`,
      [dedupeKey],
    );
    return true;
  }
  return false;
}

/**
 * A failed attempt: counted, with its error and back-off, or the event a dead letter; whether it
 * became one.
 */
async function recordFailure(
  state: WorkerState,
  client: Queryable,
  dedupeKey: string,
  row: Record<string, unknown>,
  error: unknown,
): Promise<boolean> {
  // Called unbound, as the user's function always was.
  const { backoffMs, maxAttempts, events } = state;
  const failures = Number(row['attempts']) + 1;
  const wait = Math.max(0, Math.floor(backoffMs(failures)));
  await client.query(
    `UPDATE ${events} SET attempts = $2::int, last_error = $3,
           status = CASE WHEN $2::int >= $4::int THEN 'dead' ELSE 'pending' END,
           available_at = now() + make_interval(secs => $5::float8 / 1000)
         WHERE dedupe_key = $1`,
    [dedupeKey, failures, errorText(error), maxAttempts, wait],
  );
  logFailure(state, dedupeKey, row, failures, wait, error);
  return failures >= maxAttempts;
}

/** The events applied, and each object's `last_applied` moved up to its event: two statements. */
async function markApplied(
  state: WorkerState,
  client: Queryable,
  applied: readonly Applied[],
): Promise<void> {
  if (applied.length === 0) return;
  const { events, objects } = state;
  await client.query(
    `UPDATE ${events} SET status = 'applied', applied_at = now(), attempts = attempts + 1
       WHERE dedupe_key = ANY($1::text[])`,
    [applied.map((event) => event.dedupeKey)],
  );
  const ofObjects = applied.filter((event) => event.objectKey !== null);
  if (ofObjects.length === 0) return;
  await client.query(
    `UPDATE ${objects} AS o
        SET last_applied = GREATEST(coalesce(o.last_applied, v.created_at_key), v.created_at_key)
       FROM (SELECT object_key, max(created_at_key) AS created_at_key
               FROM unnest($1::text[], $2::numeric[]) AS t(object_key, created_at_key)
              GROUP BY object_key) AS v
      WHERE o.object_key = v.object_key`,
    [ofObjects.map((event) => event.objectKey), ofObjects.map((event) => event.createdAtKey)],
  );
}

/** Waits `ms`, or less when `stop()` wakes the sleeper. */
function sleep(state: WorkerState, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      state.sleepers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    state.sleepers.add(wake);
  });
}

/** One of the `concurrency` loops: a batch, then a poll interval when none was found. */
async function loop(state: WorkerState): Promise<void> {
  while (state.running) {
    let handled = 0;
    try {
      handled = await runOnce(state);
      state.consecutiveErrors = 0;
    } catch (error) {
      state.consecutiveErrors += 1;
      report(state, error);
    }
    if (handled === 0 && state.running) {
      const { consecutiveErrors, pollIntervalMs } = state;
      const backoff = pollIntervalMs * 2 ** Math.min(consecutiveErrors, 10);
      await sleep(
        state,
        consecutiveErrors === 0 ? pollIntervalMs : Math.min(MAX_ERROR_BACKOFF_MS, backoff),
      );
    }
  }
}

/** `worker.start`: the loops started and the pool listened to, once. */
function start(state: WorkerState): void {
  if (state.running) return;
  state.running = true;
  state.pool.on?.('error', state.poolListener);
  for (let i = 0; i < state.concurrency; i++) state.loops.push(loop(state));
}

/** `worker.stop`: the loops woken and awaited, then the pool no longer listened to. */
async function stop(state: WorkerState): Promise<void> {
  state.running = false;
  for (const wake of [...state.sleepers]) wake();
  await Promise.all(state.loops.splice(0));
  state.pool.removeListener?.('error', state.poolListener);
}

/**
 * Workers that apply stored events exactly once per effect, from any number of processes:
 * each transaction claims pending events with `FOR UPDATE SKIP LOCKED`, locks their objects,
 * calls `onEvent(event, tx)` and marks the event applied in the same transaction.
 *
 * Guarantees, exactly:
 * - An event's database effects (through `tx`) and its `applied` mark commit together: a crash
 *   or a kill at any point leaves the event pending, and its effects absent.
 * - Events with the same object key are applied one at a time, in `created_at` order (every
 *   nanosecond digit; ties by dedupe key), among the events stored when each is claimed. An
 *   event stored after a newer one of its object was applied is stale: see `stale`.
 * - A failing event blocks later events of its object (not others) until it succeeds or
 *   becomes a dead letter; a dead letter no longer blocks (replaying it later makes it stale).
 *
 * @example
 * ```ts
 * const worker = createInboxWorker(inbox, {
 *   onEvent: async (event, tx) => {
 *     if (event.known && event.type === 'ORDER.FILLED') {
 *       await tx.query('insert into fills (order_id) values ($1)', [event.object['id']]);
 *     }
 *   },
 * });
 * worker.start();
 * ```
 */
export function createInboxWorker(inbox: PostgresInbox, options: InboxWorkerOptions): InboxWorker {
  const state: WorkerState = {
    ...workerSettings(inbox, options),
    lastClaimAt: undefined,
    lastCommitAt: undefined,
    lastErrorAt: undefined,
    consecutiveErrors: 0,
    lastReported: undefined,
    running: false,
    sleepers: new Set<() => void>(),
    loops: [],
    poolListener: (error: Error) => report(state, error),
  };
  return {
    runOnce: () => runOnce(state),
    start: () => start(state),
    stop: () => stop(state),
    health: () => {
      const { running, lastClaimAt, lastCommitAt, lastErrorAt, consecutiveErrors } = state;
      return { running, lastClaimAt, lastCommitAt, lastErrorAt, consecutiveErrors };
    },
  };
}
