/**
 * The inbox at the engine's limit (bench/run.ts, the Postgres section): how fast workers apply
 * a backlog against a bare `FOR UPDATE SKIP LOCKED` claim-and-update loop doing the same work,
 * at 1, 2 and 4 concurrent claimers; and how long the Postgres delivery handler takes to
 * acknowledge while a worker applies.
 */
import type pg from 'pg';
import type { PostgresInbox } from '../src/postgres/inbox.js';
import { createInboxWorker } from '../src/postgres/worker.js';
import { createNodeDeliveryHandler } from '../src/receiver/handler.js';
import type { DeliveryEvent } from '../src/receiver/events.js';
import { serveOnLoopback } from '../src/test-support/loopback-server.js';
import { generateDeliveryKeyPair, signDelivery } from '../src/testing/deliveries.js';

type Out = (line?: string) => void;

const BACKLOG = 4_000;
const PENDING_LEFT = `SELECT EXISTS (SELECT 1 FROM upvest_inbox WHERE status = 'pending') AS left`;
const CLAIM = 50;

/** Stores `BACKLOG` events in the inbox, batch by batch, and empties the effects table. */
async function fillInbox(
  pool: pg.Pool,
  store: PostgresInbox,
  batch: () => readonly DeliveryEvent[],
) {
  await pool.query('TRUNCATE upvest_inbox, upvest_inbox_objects, bench_effects');
  for (let stored = 0; stored < BACKLOG; stored += 100) await store.store(batch());
}

/** Our worker with `concurrency` claimers, an effect of one INSERT per event: events/s. */
async function oursOnce(
  pool: pg.Pool,
  store: PostgresInbox,
  batch: () => readonly DeliveryEvent[],
  concurrency: number,
  isolation: 'event' | 'batch',
): Promise<number> {
  await fillInbox(pool, store, batch);
  const worker = createInboxWorker(store, {
    concurrency,
    isolation,
    batchSize: CLAIM,
    pollIntervalMs: 5,
    onEvent: async (event, tx) => {
      await tx.query('INSERT INTO bench_effects (event_id) VALUES ($1)', [event.id]);
    },
  });
  const started = performance.now();
  worker.start();
  // Asked through the claimable index, not counts() (which scans the table): the watching must
  // not slow what is watched.
  while ((await pool.query<{ left: boolean }>(PENDING_LEFT)).rows[0]?.left === true) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  return BACKLOG / seconds;
}

/**
 * The least correct work: claim up to 50 pending rows with `FOR UPDATE SKIP LOCKED`, insert
 * each one's effect, mark them done, commit; `concurrency` loops until none is left. No order per
 * object, no attempts, no dead letters, no stale check: what any job queue does at the least.
 */
async function bareOnce(pool: pg.Pool, concurrency: number): Promise<number> {
  await pool.query('TRUNCATE bench_queue, bench_effects');
  await pool.query(
    `INSERT INTO bench_queue (event_id, payload)
     SELECT gen_random_uuid()::text, '{"type":"ORDER.FILLED"}'::jsonb FROM generate_series(1, $1)`,
    [BACKLOG],
  );
  const loop = async () => {
    for (;;) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string; event_id: string }>(
          `SELECT id, event_id FROM bench_queue WHERE status = 'pending'
           ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [CLAIM],
        );
        for (const row of rows) {
          await client.query('INSERT INTO bench_effects (event_id) VALUES ($1)', [row.event_id]);
        }
        await client.query(`UPDATE bench_queue SET status = 'done' WHERE id = ANY($1)`, [
          rows.map((row) => row.id),
        ]);
        await client.query('COMMIT');
        if (rows.length === 0) return;
      } finally {
        client.release();
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return BACKLOG / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

/**
 * Events applied per second by our worker and by the bare loop, at 1, 2 and 4 claimers, the two
 * taking turns for three rounds (the median shown).
 */
export async function workerThroughput(
  pool: pg.Pool,
  store: PostgresInbox,
  batch: () => readonly DeliveryEvent[],
  out: Out,
): Promise<void> {
  await pool.query('CREATE TABLE IF NOT EXISTS bench_effects (event_id text PRIMARY KEY)');
  await pool.query(
    `CREATE TABLE IF NOT EXISTS bench_queue (id bigserial PRIMARY KEY, event_id text,
       payload jsonb, status text NOT NULL DEFAULT 'pending')`,
  );
  out(`### Applying a backlog of ${BACKLOG} events (an effect of one INSERT each)`);
  out();
  out(
    "| claimers | inbox worker (isolation 'event', the default) | inbox worker (isolation 'batch') | bare SKIP LOCKED loop | ratios | target |",
  );
  out('| --- | --- | --- | --- | --- | --- |');
  for (const concurrency of [1, 2, 4]) {
    const perEvent: number[] = [];
    const perBatch: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < 3; round++) {
      perEvent.push(await oursOnce(pool, store, batch, concurrency, 'event'));
      perBatch.push(await oursOnce(pool, store, batch, concurrency, 'batch'));
      bare.push(await bareOnce(pool, concurrency));
    }
    const [event, batched, least] = [median(perEvent), median(perBatch), median(bare)];
    out(
      `| ${concurrency} | ${event.toFixed(0)} events/s | ${batched.toFixed(0)} events/s | ${least.toFixed(0)} events/s | ${(event / least).toFixed(2)}, ${(batched / least).toFixed(2)} | 0.70 |`,
    );
  }
  out();
  out(
    `All claim ${CLAIM} events a transaction; the worker also keeps each object's events in order (500 objects here), counts attempts and marks events applied, which the bare loop does not. With isolation 'event' each event runs in a savepoint of its own (one more round trip per event), so a failing one takes back only its own work; with 'batch' a failure rolls the batch back and runs it again with savepoints.`,
  );
  out();
}

/**
 * The Postgres handler (`createNodeDeliveryHandler` with `onEvents: inbox.store`) acknowledging
 * deliveries of 10 events from 8 concurrent senders for 5 s while a worker applies them: the
 * latency of each answer, p50 and p99.
 */
export async function ackLatency(pool: pg.Pool, store: PostgresInbox, out: Out): Promise<void> {
  await pool.query('TRUNCATE upvest_inbox, upvest_inbox_objects, bench_effects');
  const pair = generateDeliveryKeyPair();
  const handler = createNodeDeliveryHandler({
    keys: pair.jwks,
    dedupe: false,
    onEvents: (events) => store.store(events).then(() => undefined),
  });
  const server = await serveOnLoopback((request, response) => void handler(request, response));
  const worker = createInboxWorker(store, {
    concurrency: 2,
    batchSize: CLAIM,
    pollIntervalMs: 5,
    onEvent: async (event, tx) => {
      await tx.query('INSERT INTO bench_effects (event_id) VALUES ($1)', [event.id]);
    },
  });
  worker.start();
  const latencies: number[] = [];
  const until = performance.now() + 5_000;
  let sent = 0;
  const sender = async () => {
    while (performance.now() < until) {
      const events = Array.from({ length: 10 }, () => ({
        id: crypto.randomUUID(),
        created_at: new Date().toISOString(),
        type: 'ORDER.FILLED',
        object: { id: `order-${sent++ % 500}` },
        webhook_id: '5b0f3b4e-2a9c-4d1e-9f7a-0c1d2e3f4a5b',
      }));
      const signed = signDelivery(events, {
        keyId: pair.keyId,
        privateKey: pair.privateKey,
        url: `${server.url}/webhooks`,
      });
      const started = performance.now();
      const response = await fetch(`${server.url}/webhooks`, {
        method: 'POST',
        headers: signed.headers,
        body: signed.body,
      });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`the handler answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, sender));
  await worker.stop();
  await server.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  out('### Acknowledging deliveries while a worker applies');
  out();
  out(
    `8 senders, batches of 10 events, 5 s, the worker applying meanwhile: ${latencies.length} deliveries acknowledged (${(latencies.length * 2).toFixed(0)} events/s stored), latency p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms (target p99 under 100 ms). Each answer comes after the events are committed (verify, store, 200).`,
  );
  out();
}
