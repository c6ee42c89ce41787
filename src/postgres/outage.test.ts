/**
 * A PostgreSQL that goes away while workers are inside `onEvent` (audit finding 9): the server is
 * shut down (fast shutdown ends every session, as a restart by an operator does) and started
 * again. A worker process, whose pool has no 'error' listener of its own, must stay up, report
 * the outage to `onError`, and resume: every event applied once. An in-process worker shows the
 * liveness signal a health check reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDelivery } from '../receiver/parse.js';
import { createDeliveryEvent } from '../testing/deliveries.js';
import { startPostgres, type TestPostgres } from '../test-support/postgres.js';
import { createPostgresInbox } from './inbox.js';
import { createInboxWorker } from './worker.js';

const EVENTS = 400;
const root = fileURLToPath(new URL('../..', import.meta.url));

let database: TestPostgres;
let pool: pg.Pool;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  database = await startPostgres();
  pool = new pg.Pool({ connectionString: database.connectionString });
  // This test's own pool loses its idle connections in the outage too.
  pool.on('error', () => undefined);
  await createPostgresInbox({ pool }).migrate();
  await pool.query(
    `CREATE TABLE effects (event_id text PRIMARY KEY, object_key text, created_at_key numeric,
       seq bigserial, applied integer NOT NULL DEFAULT 1)`,
  );
}, 60_000);
afterAll(async () => {
  worker?.kill('SIGKILL');
  await pool?.end();
  await database?.stop();
});

/** Events applied (by either worker) and effects applied twice; asks again while the database is down. */
async function applied(): Promise<{ count: number; twice: number }> {
  for (;;) {
    try {
      const { rows } = await pool.query<{ count: number; twice: number }>(
        `SELECT (SELECT count(*)::int FROM upvest_inbox WHERE status = 'applied') AS count,
                (SELECT count(*)::int FROM effects WHERE applied > 1) AS twice`,
      );
      return rows[0]!;
    } catch {
      await sleep(100);
    }
  }
}

describe('workers when PostgreSQL goes away', () => {
  it(`should stay up, report the outage and apply all ${EVENTS} events once after the restart`, async () => {
    const inbox = createPostgresInbox({ pool });
    const events = Array.from({ length: EVENTS }, (_, i) =>
      createDeliveryEvent({ type: 'ORDER.FILLED', object: { id: `order-${i % 40}` } }),
    );
    const parsed = parseDelivery(JSON.stringify({ payload: events }));
    expect(await inbox.store(parsed.ok ? parsed.events : [])).toBe(EVENTS);

    // Each event holds its transaction 15 ms: the shutdown finds workers inside onEvent.
    worker = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/postgres/fixtures/worker-process.ts'],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: database.connectionString, ON_EVENT_MS: '15' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => worker?.on('exit', resolve));

    // A second worker in this process, for its liveness signal.
    const errors: unknown[] = [];
    const local = createInboxWorker(inbox, {
      pollIntervalMs: 20,
      onEvent: () => sleep(5),
      onError: (error) => errors.push(error),
    });
    // It shares the events with the process; only its health is looked at.
    local.start();

    while ((await applied()).count < 40) await sleep(20);
    const before = local.health();
    expect(before.running).toBe(true);
    expect(before.lastClaimAt).toBeInstanceOf(Date);

    await database.pause();
    await sleep(1_500);
    const during = local.health();
    expect(during.consecutiveErrors).toBeGreaterThan(0);
    await database.resume();

    const deadline = Date.now() + 60_000;
    let result = await applied();
    while (result.count < EVENTS && Date.now() < deadline) {
      await sleep(100);
      result = await applied();
    }
    await local.stop();

    // The process stayed up through the outage (its stderr says why when it did not).
    expect(worker.exitCode, stderr).toBeNull();
    expect(stderr).toMatch(/worker error: /);
    expect(stderr).not.toMatch(/Unhandled|uncaught/i);
    expect(errors.length).toBeGreaterThan(0);
    const after = local.health();
    expect(after.consecutiveErrors).toBe(0);
    expect(after.lastClaimAt!.getTime()).toBeGreaterThan(during.lastErrorAt!.getTime());
    // Every event applied; the process's effects (the local worker writes none) each once.
    expect(result.count).toBe(EVENTS);
    expect(result.twice).toBe(0);
    worker.kill('SIGTERM');
    await exited;
  }, 120_000);
});
