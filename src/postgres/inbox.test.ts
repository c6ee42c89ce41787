import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNodeDeliveryHandler } from '../receiver/handler.js';
import { parseDelivery } from '../receiver/parse.js';
import { rawEventText } from '../receiver/raw-events.js';
import type { DeliveryEvent } from '../receiver/events.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
  type DeliveryEventInput,
} from '../testing/deliveries.js';
import { UpvestConfigurationError } from '../errors.js';
import { startPostgres } from '../test-support/postgres.js';
import { recordingLogger } from '../test-support/recording-logger.js';
import { createPostgresInbox, type PostgresInbox } from './inbox.js';
import { inboxSchemaSql, inboxTables } from './schema.js';
import { jsonbCanHold } from './storable.js';
import { createInboxWorker, type InboxWorkerOptions } from './worker.js';

let database: Awaited<ReturnType<typeof startPostgres>>;
let pool: pg.Pool;
let inbox: PostgresInbox;

beforeAll(async () => {
  database = await startPostgres();
  pool = new pg.Pool({ connectionString: database.connectionString, max: 12 });
  // The server's shutdown ends idle connections after the last test; not a failure of any test
  // (a query that fails still rejects its own promise).
  pool.on('error', () => undefined);
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await database?.stop();
});
beforeEach(async () => {
  await pool.query('DROP TABLE IF EXISTS upvest_inbox, upvest_inbox_objects, effects');
  await pool.query(
    `CREATE TABLE effects (event_id text PRIMARY KEY, object_key text, created_at_key numeric,
       seq bigserial, applied integer NOT NULL DEFAULT 1)`,
  );
  inbox = createPostgresInbox({ pool });
  await inbox.migrate();
});

/** Events as the handler hands them over: parsed from their JSON. */
function delivered(inputs: readonly DeliveryEventInput[]): DeliveryEvent[] {
  const parsed = parseDelivery(JSON.stringify({ payload: inputs }));
  if (!parsed.ok) throw new Error(parsed.reason);
  return [...parsed.events];
}

const eventOf = (object: string, overrides: Partial<DeliveryEventInput> = {}) =>
  createDeliveryEvent({ type: 'ORDER.FILLED', object: { id: object }, ...overrides });

/** The user's effect: one row per event, a counter that shows a second application. */
const recordEffect: InboxWorkerOptions['onEvent'] = async (event, tx) => {
  await tx.query(
    `INSERT INTO effects (event_id, object_key, created_at_key)
     VALUES ($1, $2, (SELECT created_at_key FROM upvest_inbox WHERE event_id = $1 LIMIT 1))
     ON CONFLICT (event_id) DO UPDATE SET applied = effects.applied + 1`,
    [event.id, event.object['id'] ?? null],
  );
};

async function drain(options: Partial<InboxWorkerOptions> = {}) {
  const worker = createInboxWorker(inbox, { onEvent: recordEffect, ...options });
  let total = 0;
  for (let handled = -1; handled !== 0; total += handled) handled = await worker.runOnce();
  return total;
}

async function effects() {
  const { rows } = await pool.query<{ event_id: string; object_key: string; applied: number }>(
    'SELECT event_id, object_key, applied FROM effects ORDER BY seq',
  );
  return rows;
}

describe('the schema', () => {
  it.each([
    ['a plain name', 'upvest_inbox', '"upvest_inbox"', '"upvest_inbox_objects"'],
    ['a schema-qualified name', 'billing.inbox', '"billing"."inbox"', '"billing"."inbox_objects"'],
  ])('should quote %s', (_name, table, events, objects) => {
    expect(inboxTables(table)).toMatchObject({ events, objects });
  });

  it.each([
    ['an injection', 'inbox; DROP TABLE users'],
    ['a quote', 'in"box'],
    ['upper case', 'Inbox'],
    ['three parts', 'a.b.c'],
    ['an empty part', 'billing.'],
    ['a name too long for the _objects suffix', 'x'.repeat(49)],
  ])('should refuse %s as a table name', (_name, table) => {
    expect(() => inboxTables(table)).toThrow(UpvestConfigurationError);
    expect(() => createPostgresInbox({ pool, table })).toThrow(UpvestConfigurationError);
  });

  it('should migrate from several instances at once, and again, without error', async () => {
    const other = createPostgresInbox({ pool, table: 'public.second_inbox' });
    await Promise.all([other.migrate(), other.migrate(), other.migrate()]);
    await other.migrate();
    expect(await other.counts()).toMatchObject({ pending: 0 });
    expect(inboxSchemaSql('public.second_inbox')).toContain('"public"."second_inbox_objects"');
    await pool.query('DROP TABLE public.second_inbox, public.second_inbox_objects');
  });

  it('should be printed in docs/postgres.md exactly as migrate() runs it', () => {
    const page = readFileSync(new URL('../../docs/postgres.md', import.meta.url), 'utf8');
    const block = /```sql\n([\s\S]*?)```/.exec(page)?.[1];
    expect(block).toBe(inboxSchemaSql());
  });

  it('should bring an inbox of the earlier schema up to date, its rows kept', async () => {
    await pool.query('DROP TABLE upvest_inbox');
    const earlier = inboxSchemaSql()
      .replace(
        '  payload        jsonb,\n  raw            bytea,',
        '  payload        jsonb       NOT NULL,',
      )
      // …and before trace_parent, which the worker's claim reads.
      .replace(
        '  applied_at     timestamptz,\n  trace_parent   text\n',
        '  applied_at     timestamptz\n',
      )
      .split('-- Inboxes made by versions before raw')[0]!;
    await pool.query(earlier);
    await pool.query(
      `INSERT INTO upvest_inbox (dedupe_key, event_id, type, created_at, created_at_key, payload)
       VALUES ('k', 'k', 'ORDER.FILLED', '2021-11-19T13:06:57Z', 1637327217, '{"id":"k","type":"ORDER.FILLED","object":{}}')`,
    );
    await inbox.migrate();
    const handed: string[] = [];
    await createInboxWorker(inbox, { onEvent: (event) => void handed.push(event.id) }).runOnce();
    expect(handed).toEqual(['k']);
    await inbox.store(delivered([eventOf('o1', { object: { id: 'o1', name: 'Ev\u0000e' } })]));
    expect((await inbox.counts()).pending).toBe(1);
  });

  it('should refuse something that is not a pool', () => {
    expect(() => createPostgresInbox({ pool: {} as never })).toThrow(UpvestConfigurationError);
  });
});

describe('jsonbCanHold, judged by PostgreSQL itself', () => {
  it('should say yes exactly when jsonb takes the text, for any string JSON can write', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom('\u0000', '\ud800', '\udc00', '\\', '"'),
            fc.string({ unit: 'binary', maxLength: 3 }),
          ),
        }),
        async (text) => {
          const json = JSON.stringify({
            text,
            escaped: text.replace(
              /[^\x20-\x7e]/g,
              (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
            ),
          });
          const taken = await pool.query('SELECT $1::jsonb', [json]).then(
            () => true,
            () => false,
          );
          expect(jsonbCanHold(json)).toBe(taken);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('store', () => {
  it('should store a batch once, however often it is delivered', async () => {
    const batch = delivered([eventOf('o1'), eventOf('o2'), eventOf('o1')]);
    expect(await inbox.store(batch)).toBe(3);
    expect(await inbox.store(batch)).toBe(0);
    expect(await inbox.store([...batch].reverse())).toBe(0);
    expect(await inbox.counts()).toMatchObject({ pending: 3, applied: 0 });
  });

  it('should store overlapping batches sent at once to many instances exactly once', async () => {
    const events = delivered(Array.from({ length: 60 }, (_, i) => eventOf(`o${i % 7}`)));
    const copies = Array.from({ length: 24 }, (_, i) => {
      const start = (i * 7) % 50;
      return events.slice(start, start + 10 + (i % 11));
    });
    const stored = await Promise.all([...copies, events].map((copy) => inbox.store(copy)));
    expect(stored.reduce((a, b) => a + b, 0)).toBe(60);
    expect((await inbox.counts()).pending).toBe(60);
  });

  it('should keep the event as delivered, and give it back with known set', async () => {
    const [event] = delivered([eventOf('o1', { type: 'ORDER.LATER_ADDED' as never })]);
    await inbox.store([event!]);
    const seen: DeliveryEvent[] = [];
    await drain({ onEvent: (e) => void seen.push(e) });
    expect(seen).toEqual([event]);
    expect(seen[0]?.known).toBe(false);
  });

  it('should keep events whose escapes a database that is not UTF-8 refuses in jsonb, without payload', async () => {
    await pool.query("CREATE DATABASE inbox_ascii ENCODING 'SQL_ASCII' TEMPLATE template0");
    const ascii = new pg.Pool({
      connectionString: database.connectionString.replace(/\/inbox$/, '/inbox_ascii'),
    });
    try {
      const other = createPostgresInbox({ pool: ascii });
      await other.migrate();
      const text = `{"id":"${randomUUID()}","created_at":"2021-11-19T13:06:57Z","type":"USER.CREATED","object":{"id":"u1","name":"Ren\\u00e9e"},"webhook_id":"a8eb3540-5a84-40f9-b2bb-7f99f282fc5a"}`;
      const parsed = parseDelivery(`{"payload":[${text},${JSON.stringify(eventOf('o2'))}]}`);
      expect(await other.store(parsed.ok ? parsed.events : [])).toBe(2);
      expect(await other.counts()).toMatchObject({ pending: 2, dead: 0 });
      const handed: string[] = [];
      const worker = createInboxWorker(other, {
        onEvent: (event) => void handed.push(rawEventText(event) ?? ''),
      });
      expect(await worker.runOnce()).toBe(2);
      expect(handed).toContain(text);
    } finally {
      await ascii.end();
      await pool.query('DROP DATABASE inbox_ascii');
    }
  });

  it('should dedupe by a key of the caller, e.g. per webhook', async () => {
    const perWebhook = createPostgresInbox({
      pool,
      dedupeKey: (event) => `${event.webhook_id}/${event.id}`,
    });
    const event = eventOf('o1');
    const [a] = delivered([{ ...event, webhook_id: '4b7c9d1e-0000-4000-8000-000000000001' }]);
    const [b] = delivered([{ ...event, webhook_id: '4b7c9d1e-0000-4000-8000-000000000002' }]);
    expect(await perWebhook.store([a!])).toBe(1);
    expect(await perWebhook.store([b!])).toBe(1);
    expect(await inbox.store([a!])).toBe(1); // keyed by id alone: the other inbox's rows differ
  });
});

describe('the delivery handler with the inbox', () => {
  let server: Server;
  let origin: string;
  const pair = generateDeliveryKeyPair();
  let failing = false;

  beforeAll(async () => {
    const handler = createNodeDeliveryHandler({
      keys: pair.jwks,
      dedupe: false,
      onEvents: async (events) => {
        if (failing) throw new Error('database down');
        await inbox.store(events);
      },
    });
    server = createServer((request, response) => void handler(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (events: DeliveryEventInput[]) => {
    const delivery = signDelivery(events, { ...pair, url: `${origin}/hooks` });
    return fetch(`${origin}/hooks`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
  };

  it('should answer 200 once the batch is committed, and 200 again for a redelivery that adds nothing', async () => {
    const events = [eventOf('o1'), eventOf('o2')];
    expect((await post(events)).status).toBe(200);
    expect((await inbox.counts()).pending).toBe(2);
    expect((await post(events)).status).toBe(200);
    expect((await inbox.counts()).pending).toBe(2);
  });

  /** Events whose JSON `jsonb`, `text` or `JSON.parse` cannot keep as written (audit finding 3). */
  const hostile: readonly [string, string][] = [
    ['a NUL in a string', `{"id":"o-nul","first_name":"Ev\\u0000e"}`],
    ['a NUL in the object id', `{"id":"o\\u0000x"}`],
    ['a lone high surrogate', `{"id":"o-high","name":"\\ud800"}`],
    ['a lone low surrogate', `{"id":"o-low","name":"x\\udc00y"}`],
    [
      'digits beyond a double',
      `{"id":"o-big","amount":123456789012345678901234567890.000000000000001}`,
    ],
    ['white space and escapes as sent', `{ "id" : "o-ws",\n  "note" : "\\u00e9\\/\\t" }`],
    ['a 1 MiB string', `{"id":"o-long","blob":"${'x'.repeat(1024 * 1024)}"}`],
    ['nesting 5,000 deep', `{"id":"o-deep","tree":${'['.repeat(5000)}${']'.repeat(5000)}}`],
  ];

  it.each(hostile)(
    'should store an event with %s, answer 200, and hand it to a worker byte for byte',
    async (_name, object) => {
      const raw = `{"id":"${randomUUID()}","created_at":"2021-11-19T13:06:57.820371265Z","type":"USER.DATA_CHANGED","object":${object},"webhook_id":"a8eb3540-5a84-40f9-b2bb-7f99f282fc5a"}`;
      const delivery = signDelivery([], {
        ...pair,
        url: `${origin}/hooks`,
        body: `{"payload":[ ${raw} ]}`,
      });
      const answer = await fetch(`${origin}/hooks`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      expect(answer.status).toBe(200);
      const handed: string[] = [];
      const worker = createInboxWorker(inbox, {
        onEvent: (event) => void handed.push(rawEventText(event) ?? 'no raw text'),
      });
      expect(await worker.runOnce()).toBe(1);
      expect(handed).toEqual([raw]);
      expect(await inbox.counts()).toMatchObject({ pending: 0, applied: 1, dead: 0 });
    },
    30_000,
  );

  it('should keep an event the database still refuses as a dead letter with its bytes, and store the rest', async () => {
    // A database that refuses one event as data, whatever the reason (an encoding, a limit).
    await pool.query(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'pending' AND NEW.raw IS NOT NULL AND position('poison' in convert_from(NEW.raw, 'UTF8')) > 0 THEN
          RAISE EXCEPTION 'refused' USING ERRCODE = '22023';
        END IF;
        RETURN NEW;
      END $$`);
    await pool.query(
      'CREATE TRIGGER refuse_poison BEFORE INSERT ON upvest_inbox FOR EACH ROW EXECUTE FUNCTION refuse_poison()',
    );
    try {
      const events = [eventOf('o1'), eventOf('poison'), eventOf('o3')];
      const delivery = signDelivery(events, { ...pair, url: `${origin}/hooks` });
      const send = () =>
        fetch(`${origin}/hooks`, {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
        });
      expect((await send()).status).toBe(200);
      // The redelivery adds nothing: the dead letter holds its key.
      expect((await send()).status).toBe(200);
      expect(await inbox.counts()).toMatchObject({ pending: 2, dead: 1 });
      const [letter] = await inbox.deadLetters();
      expect(letter?.event.object['id']).toBe('poison');
      expect(rawEventText(letter!.event)).toBe(JSON.stringify(events[1]));
      expect(letter?.lastError).toMatch(/SQLSTATE 22023/);
    } finally {
      await pool.query('DROP TRIGGER refuse_poison ON upvest_inbox; DROP FUNCTION refuse_poison()');
    }
  });

  it('should answer 500 when the batch cannot be stored, so Upvest delivers it again', async () => {
    failing = true;
    try {
      expect((await post([eventOf('o1')])).status).toBe(500);
    } finally {
      failing = false;
    }
    expect((await inbox.counts()).pending).toBe(0);
  });
});

describe('workers', () => {
  it('should apply each event once, in created_at order per object, across batches stored out of order', async () => {
    const events = Array.from({ length: 30 }, (_, i) => eventOf(`o${i % 3}`));
    // Later batches first: what the worker sees is not what arrived first.
    for (let i = 25; i >= 0; i -= 5) await inbox.store(delivered(events.slice(i, i + 5)));
    expect(await drain({ batchSize: 4 })).toBe(30);
    const applied = await effects();
    expect(applied.every((row) => row.applied === 1)).toBe(true);
    for (const object of ['o0', 'o1', 'o2']) {
      expect(applied.filter((row) => row.object_key === object).map((row) => row.event_id)).toEqual(
        events.filter((e) => e.object['id'] === object).map((e) => e.id),
      );
    }
    expect(await inbox.counts()).toMatchObject({ pending: 0, applied: 30 });
  });

  it('should order by every nanosecond digit, not by the millisecond', async () => {
    const early = eventOf('o1', { created_at: '2026-12-01T10:00:00.000000002Z' });
    const later = eventOf('o1', { created_at: '2026-12-01T10:00:00.00000001Z' });
    await inbox.store(delivered([later]));
    await inbox.store(delivered([early]));
    await drain();
    expect((await effects()).map((row) => row.event_id)).toEqual([early.id, later.id]);
  });

  it("should roll back a failing event's writes, hold back its object only, and retry it", async () => {
    const [first, second, other] = [eventOf('stuck'), eventOf('stuck'), eventOf('free')];
    await inbox.store(delivered([first, second, other]));
    let fail = true;
    const onEvent: InboxWorkerOptions['onEvent'] = async (event, tx) => {
      await recordEffect(event, tx);
      if (fail && event.id === first.id) throw new Error('downstream refused');
    };
    await drain({ onEvent, backoffMs: () => 60_000 });
    // The failed event's effect was rolled back; the other object went ahead; `second` waits.
    expect((await effects()).map((row) => row.event_id)).toEqual([other.id]);
    expect(await inbox.counts()).toMatchObject({ pending: 2, applied: 1 });
    await pool.query('UPDATE upvest_inbox SET available_at = now()'); // the back-off is over
    fail = false;
    await drain({ onEvent, backoffMs: () => 0 });
    expect((await effects()).map((row) => row.event_id)).toEqual([other.id, first.id, second.id]);
  });

  it("should, with isolation 'batch', run a batch with a failing event again with savepoints: every other event applied once", async () => {
    const events = [eventOf('a'), eventOf('b'), eventOf('c'), eventOf('d')];
    await inbox.store(delivered(events));
    const calls: string[] = [];
    const onEvent: InboxWorkerOptions['onEvent'] = async (event, tx) => {
      calls.push(event.id);
      await recordEffect(event, tx);
      if (event.id === events[2]!.id) throw new Error('downstream refused');
    };
    const worker = createInboxWorker(inbox, {
      onEvent,
      isolation: 'batch',
      backoffMs: () => 60_000,
    });
    expect(await worker.runOnce()).toBe(4);
    // The first run reached c and was rolled back; the second ran all four with savepoints.
    expect(calls).toEqual([...events.slice(0, 3), ...events].map((event) => event.id));
    const applied = await effects();
    expect(applied.map((row) => [row.event_id, row.applied])).toEqual(
      [events[0]!, events[1]!, events[3]!].map((event) => [event.id, 1]),
    );
    expect(await inbox.counts()).toMatchObject({ pending: 1, applied: 3 });
    const { rows } = await pool.query('SELECT attempts FROM upvest_inbox WHERE event_id = $1', [
      events[2]!.id,
    ]);
    expect(rows).toEqual([{ attempts: 1 }]);
  });

  it("should, with isolation 'batch', apply a batch without failures in one run, each event once", async () => {
    const events = Array.from({ length: 12 }, (_, i) => eventOf(`o${i % 4}`));
    await inbox.store(delivered(events));
    const calls: string[] = [];
    const onEvent: InboxWorkerOptions['onEvent'] = async (event, tx) => {
      calls.push(event.id);
      await recordEffect(event, tx);
    };
    expect(await drain({ onEvent, isolation: 'batch', batchSize: 5 })).toBe(12);
    expect(calls).toHaveLength(12);
    expect((await effects()).every((row) => row.applied === 1)).toBe(true);
  });

  it('should hand onEvent a transaction with the planner settings it had, whatever the claim changed', async () => {
    await inbox.store(delivered([eventOf('o1'), eventOf('o2')]));
    const settings: unknown[] = [];
    const onEvent: InboxWorkerOptions['onEvent'] = async (_event, tx) => {
      settings.push((await tx.query('SHOW enable_sort')).rows[0]?.['enable_sort']);
    };
    expect(await drain({ onEvent })).toBe(2);
    expect(settings).toEqual(['on', 'on']);
  });

  it('should refuse an isolation it does not know', () => {
    expect(() =>
      createInboxWorker(inbox, { onEvent: () => undefined, isolation: 'row' as never }),
    ).toThrow(UpvestConfigurationError);
  });

  it('should wait the back-off before trying a failed event again', async () => {
    await inbox.store(delivered([eventOf('o1')]));
    const worker = createInboxWorker(inbox, {
      onEvent: () => {
        throw new Error('no');
      },
      backoffMs: () => 60_000,
    });
    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(0);
  });

  it('should log each failed attempt of an event and its dead letter, without the error message', async () => {
    const [event] = delivered([eventOf('o1')]);
    await inbox.store([event!]);
    const logger = recordingLogger();
    const failing = () => {
      throw new TypeError('the ledger rejected account DE89 3704 0044 0532 0130 00');
    };
    await drain({ onEvent: failing, maxAttempts: 2, backoffMs: () => 0, logger });
    expect(logger.lines.map((line) => [line.level, line.fields?.['attempts']])).toEqual([
      ['warn', 1],
      ['error', 2],
    ]);
    expect(logger.lines[1]?.fields).toMatchObject({
      dedupeKey: event!.id,
      type: 'ORDER.FILLED',
      error: 'TypeError',
    });
    expect(JSON.stringify(logger.lines)).not.toContain('DE89');
  });

  it('should make a dead letter after maxAttempts, list it with its error, and replay it', async () => {
    const [event] = delivered([eventOf('o1')]);
    await inbox.store([event!]);
    const failing = () => {
      throw new Error('schema mismatch in the ledger');
    };
    await drain({ onEvent: failing, maxAttempts: 3, backoffMs: () => 0 });
    expect(await inbox.counts()).toMatchObject({ pending: 0, dead: 1 });
    const [letter] = await inbox.deadLetters();
    expect(letter).toMatchObject({
      dedupeKey: event!.id,
      event,
      attempts: 3,
      lastError: 'Error: schema mismatch in the ledger',
    });
    expect(await inbox.replay([event!.id, 'no-such-key'])).toBe(1);
    await drain();
    expect(await inbox.counts()).toMatchObject({ dead: 0, applied: 1 });
  });

  it.each([
    ['apply', 'applied', 2],
    ['skip', 'skipped', 1],
  ] as const)(
    'should %s an event older than one already applied for its object',
    async (stale, status, applied) => {
      const older = eventOf('o1');
      const newer = eventOf('o1');
      await inbox.store(delivered([newer]));
      await drain({ stale });
      await inbox.store(delivered([older])); // arrives late, in another delivery
      await drain({ stale });
      expect((await effects()).length).toBe(applied);
      const { rows } = await pool.query<{ status: string }>(
        'SELECT status FROM upvest_inbox WHERE event_id = $1',
        [older.id],
      );
      expect(rows[0]?.status).toBe(status);
    },
  );

  it('should apply every event exactly once with many workers at once, in order per object', async () => {
    const events = Array.from({ length: 400 }, (_, i) => eventOf(`o${i % 13}`));
    for (let i = 0; i < events.length; i += 40)
      await inbox.store(delivered(events.slice(i, i + 40)));
    const workers = Array.from({ length: 6 }, () =>
      createInboxWorker(inbox, { onEvent: recordEffect, batchSize: 7, pollIntervalMs: 5 }),
    );
    for (const worker of workers) worker.start();
    for (let i = 0; i < 400 && (await inbox.counts()).pending > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await Promise.all(workers.map((worker) => worker.stop()));
    const applied = await effects();
    expect(applied).toHaveLength(400);
    expect(applied.every((row) => row.applied === 1)).toBe(true);
    for (let object = 0; object < 13; object++) {
      expect(
        applied.filter((row) => row.object_key === `o${object}`).map((row) => row.event_id),
      ).toEqual(events.filter((e) => e.object['id'] === `o${object}`).map((e) => e.id));
    }
  });

  it('should apply events without an object id in any order, never holding them back', async () => {
    const events = delivered([
      createDeliveryEvent({
        type: 'USER.DATA_CHANGE_FAILED',
        object: { user_id: 'u1', reason: 'x' },
      }),
      createDeliveryEvent({
        type: 'USER.DATA_CHANGE_FAILED',
        object: { user_id: 'u1', reason: 'y' },
      }),
    ]);
    await inbox.store(events);
    let calls = 0;
    const worker = createInboxWorker(inbox, {
      onEvent: () => {
        calls += 1;
        if (calls === 1) throw new Error('first fails');
      },
      backoffMs: () => 60_000,
    });
    expect(await worker.runOnce()).toBe(2);
    expect(await inbox.counts()).toMatchObject({ applied: 1, pending: 1 });
  });

  it('should refuse unusable options', () => {
    const onEvent = () => undefined;
    expect(() => createInboxWorker(inbox, { onEvent, batchSize: 0 })).toThrow(
      UpvestConfigurationError,
    );
    expect(() => createInboxWorker(inbox, { onEvent, concurrency: 1.5 })).toThrow(
      UpvestConfigurationError,
    );
    expect(() => createInboxWorker(inbox, { onEvent, stale: 'maybe' as never })).toThrow(
      UpvestConfigurationError,
    );
    expect(() => createInboxWorker(inbox, {} as never)).toThrow(UpvestConfigurationError);
  });

  it('should stop at once while idle', async () => {
    const worker = createInboxWorker(inbox, {
      onEvent: recordEffect,
      pollIntervalMs: 60_000,
      concurrency: 3,
    });
    worker.start();
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await worker.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('operations', () => {
  it('should list the objects held back by a failing event, with the event, its error and what waits', async () => {
    const at = (second: number) => ({ created_at: `2026-01-01T00:00:0${second}Z` });
    const events = delivered([
      eventOf('stuck-1', at(1)),
      eventOf('stuck-1', at(2)),
      eventOf('stuck-1', at(3)),
      eventOf('fine', at(1)),
    ]);
    await inbox.store(events);
    expect(await inbox.stuck()).toEqual([]);
    const onEvent: InboxWorkerOptions['onEvent'] = async (event, tx) => {
      if (event.object['id'] === 'stuck-1') throw new Error('the ledger is down');
      await recordEffect(event, tx);
    };
    await drain({ onEvent, backoffMs: () => 60_000 });
    const stuck = await inbox.stuck();
    expect(stuck).toEqual([
      {
        objectKey: 'stuck-1',
        dedupeKey: events[0]!.id,
        eventId: events[0]!.id,
        type: 'ORDER.FILLED',
        attempts: 1,
        lastError: 'Error: the ledger is down',
        nextAttemptAt: expect.any(Date) as Date,
        waiting: 2,
      },
    ]);
    expect(stuck[0]!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect((await effects()).map((row) => row.object_key)).toEqual(['fine']);
    expect(await inbox.stuck({ limit: 0 })).toEqual([]);
  });

  it('should count events per state and the age of the oldest pending one', async () => {
    await inbox.store(delivered([eventOf('o1'), eventOf('o2')]));
    await pool.query("UPDATE upvest_inbox SET received_at = now() - interval '90 seconds'");
    const counts = await inbox.counts();
    expect(counts).toMatchObject({ pending: 2, applied: 0, skipped: 0, dead: 0 });
    expect(counts.oldestPendingSeconds).toBeGreaterThanOrEqual(90);
    await drain();
    expect((await inbox.counts()).oldestPendingSeconds).toBe(0);
  });

  it('should prune applied events older than the retention, and nothing pending', async () => {
    await inbox.store(delivered([eventOf('o1'), eventOf('o2')]));
    await drain();
    await inbox.store(delivered([eventOf('o3')]));
    await pool.query(
      "UPDATE upvest_inbox SET applied_at = now() - interval '31 days' WHERE status = 'applied'",
    );
    expect(await inbox.prune({ olderThanDays: 30 })).toBe(2);
    expect(await inbox.counts()).toMatchObject({ pending: 1, applied: 0 });
    await expect(inbox.prune({ olderThanDays: -1 })).rejects.toThrow(UpvestConfigurationError);
  });
});
