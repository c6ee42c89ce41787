import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
  type DeliveryEventInput,
} from '../testing/deliveries.js';
import { startPostgres } from '../test-support/postgres.js';
import { createPostgresInbox } from './inbox.js';

/**
 * Many receivers and workers against one Postgres, as a tenant at scale runs them, under
 * Upvest's redelivery and under crashes: 4 receiver processes and 2 worker processes; 10,000
 * events in 8 streams (one per webhook, each with its own objects), each stream sending its
 * batches one after the other as Upvest does (R16: the next batch after a 2xx), every batch in
 * 1-3 copies at once to random receivers; one receiver and one worker killed with SIGKILL while
 * busy, and restarted. Nothing may be lost, nothing applied twice, and every object's events
 * applied in created_at order.
 */
const EVENTS = 10_000;
const STREAMS = 8;
const OBJECTS_PER_STREAM = 40;
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

let database: Awaited<ReturnType<typeof startPostgres>>;
let pool: pg.Pool;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  database = await startPostgres();
  pool = new pg.Pool({ connectionString: database.connectionString });
  // The server's shutdown ends idle connections after the last test; not a failure of any test
  // (a query that fails still rejects its own promise).
  pool.on('error', () => undefined);
  await createPostgresInbox({ pool }).migrate();
  await pool.query(
    `CREATE TABLE effects (event_id text PRIMARY KEY, object_key text, created_at_key numeric,
       seq bigserial, applied integer NOT NULL DEFAULT 1)`,
  );
}, 60_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await pool?.end();
  await database?.stop();
});

/** Starts a fixture process; resolves with its first line of output. */
function start(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', `${fixtures}${script}`], {
    cwd: root,
    env: { ...process.env, ...env, DATABASE_URL: database.connectionString },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const ready = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
  });
  return { child, ready };
}

const random = (n: number) => Math.floor(Math.random() * n);

describe('the Postgres inbox at scale', () => {
  it(`should lose nothing, apply nothing twice and keep per-object order: ${EVENTS} events, 4 receivers, 2 workers, redeliveries, kill -9`, async () => {
    const pair = generateDeliveryKeyPair();
    const jwks = JSON.stringify(pair.jwks);

    const receivers: { child: ChildProcess; url: string }[] = [];
    const startReceiver = async () => {
      const { child, ready } = start('receiver-process.ts', { JWKS: jwks });
      const { port } = JSON.parse(await ready) as { port: number };
      return { child, url: `http://127.0.0.1:${port}/webhooks/upvest` };
    };
    receivers.push(...(await Promise.all([1, 2, 3, 4].map(() => startReceiver()))));
    const workers: ChildProcess[] = [];
    for (const _ of [1, 2]) {
      const { child, ready } = start('worker-process.ts', {});
      await ready;
      workers.push(child);
    }

    // The streams: each its own objects, its events in created_at order, cut into batches.
    const streams: DeliveryEventInput[][][] = Array.from({ length: STREAMS }, () => []);
    const perStream = EVENTS / STREAMS;
    for (let s = 0; s < STREAMS; s++) {
      const events = Array.from({ length: perStream }, () =>
        createDeliveryEvent({
          type: 'ORDER.FILLED',
          object: { id: `stream${s}-object${random(OBJECTS_PER_STREAM)}` },
        }),
      );
      for (let i = 0; i < events.length;) {
        const size = 20 + random(60);
        streams[s]!.push(events.slice(i, i + size));
        i += size;
      }
    }
    const batches = streams.reduce((n, stream) => n + stream.length, 0);

    let acknowledged = 0;
    let copiesSent = 0;
    const sendCopy = async (batch: DeliveryEventInput[]): Promise<boolean> => {
      const { url } = receivers[random(receivers.length)]!;
      const delivery = signDelivery(batch, { ...pair, url });
      copiesSent += 1;
      try {
        await new Promise((resolve) => setTimeout(resolve, random(5)));
        const response = await fetch(url, {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
          signal: AbortSignal.timeout(10_000),
        });
        await response.body?.cancel();
        return response.status === 200;
      } catch {
        return false; // a killed receiver: Upvest tries again
      }
    };
    const runStream = async (stream: DeliveryEventInput[][]) => {
      for (const batch of stream) {
        // 1-3 copies at once (a redelivery racing the first attempt), then again until one
        // got 200, as Upvest retries a failed batch whole before the next one (R14-R16).
        let delivered = false;
        let copies = 1 + random(3);
        while (!delivered) {
          const results = await Promise.all(Array.from({ length: copies }, () => sendCopy(batch)));
          delivered = results.includes(true);
          copies = 1;
        }
        acknowledged += 1;
      }
    };

    const chaos = (async () => {
      while (acknowledged < batches * 0.3) await new Promise((r) => setTimeout(r, 10));
      const victim = receivers.shift()!;
      victim.child.kill('SIGKILL');
      receivers.push(await startReceiver());
      while (acknowledged < batches * 0.5) await new Promise((r) => setTimeout(r, 10));
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM upvest_inbox WHERE status = 'pending'",
      );
      expect(rows[0]!.n).toBeGreaterThan(0); // the worker is killed while it has work
      workers.shift()!.kill('SIGKILL');
      const { child, ready } = start('worker-process.ts', {});
      await ready;
      workers.push(child);
    })();
    await Promise.all([...streams.map(runStream), chaos]);

    const inbox = createPostgresInbox({ pool });
    for (let i = 0; i < 1200 && (await inbox.counts()).pending > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(copiesSent).toBeGreaterThan(batches);
    expect(await inbox.counts()).toMatchObject({
      pending: 0,
      applied: EVENTS,
      skipped: 0,
      dead: 0,
    });

    const totals = await pool.query<{ events: number; twice: number }>(
      'SELECT count(*)::int AS events, count(*) FILTER (WHERE applied > 1)::int AS twice FROM effects',
    );
    expect(totals.rows[0]).toEqual({ events: EVENTS, twice: 0 });
    // Per object, the order of application (seq) is the order of created_at.
    const disorder = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
           SELECT created_at_key < lag(created_at_key) OVER (PARTITION BY object_key ORDER BY seq) AS backwards
           FROM effects) AS steps
         WHERE backwards`,
    );
    expect(disorder.rows[0]!.n).toBe(0);
  }, 240_000);
});
