// needs: DATABASE_URL, a PostgreSQL you may write to (`npm run dev:postgres` starts one; CI runs this file)
// A receiver that stores every delivery in the Postgres inbox and answers 200, and a worker that
// applies each event once, in order per object. Here both run in one process and a signed
// delivery is sent to the receiver on loopback; in production they are separate processes.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createInboxWorker, createPostgresInbox } from 'upvest-webhooks/postgres';
import { createNodeDeliveryHandler } from 'upvest-webhooks/receiver';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
} from 'upvest-webhooks/testing';

const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'] });
// An idle connection lost in a database restart is reported here; without a listener, the
// process would end. The pool connects again by itself.
pool.on('error', (error) => console.warn('postgres pool:', error.message));
const inbox = createPostgresInbox({ pool });
await inbox.migrate(); // CREATE TABLE IF NOT EXISTS …; safe from every instance at start
// The table of your own that the worker writes to.
await pool.query('CREATE TABLE IF NOT EXISTS fills (order_id text PRIMARY KEY)');

// Upvest's keys in production (createVerificationKeyProvider); a key of our own here.
const upvest = generateDeliveryKeyPair();

// Any number of receiver instances: verify, store, then answer 200.
const handler = createNodeDeliveryHandler({
  keys: upvest.jwks,
  dedupe: false,
  onEvents: inbox.store,
});
const receiver = createServer((req, res) => void handler(req, res));
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/upvest`;

// Any number of worker processes: each event applied once, in order per object.
const worker = createInboxWorker(inbox, {
  onEvent: async (event, tx) => {
    if (event.known && event.type === 'ORDER.FILLED') {
      await tx.query('INSERT INTO fills (order_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        event.object['id'],
      ]);
    }
  },
  onError: (error) => console.warn('inbox worker:', error), // a lost connection; it goes on
});
worker.start();
// For a health check: worker.health() → { running, lastClaimAt, lastCommitAt, lastErrorAt, consecutiveErrors }

// What Upvest does: a signed delivery of one event, sent twice (a retry after a lost answer).
const event = createDeliveryEvent({ type: 'ORDER.FILLED', object: { id: randomUUID() } });
const delivery = signDelivery([event], { ...upvest, url });
for (let copy = 1; copy <= 2; copy++) {
  const response = await fetch(url, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
  console.log(`copy ${copy} answered ${response.status}`);
}

// The worker applies the event once, whatever number of copies arrived.
for (let waited = 0; (await inbox.counts()).pending > 0 && waited < 10_000; waited += 50) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const { rows } = await pool.query<{ n: number }>(
  'SELECT count(*)::int AS n FROM fills WHERE order_id = $1',
  [event.object['id']],
);
console.log(`applied ${rows[0]?.n} time(s)`);

await worker.stop();
receiver.close();
await pool.end();
