/**
 * `upvest-webhooks inbox …` against a real PostgreSQL (the CLI's code is src/cli/inbox-command.ts;
 * the test lives here with the other tests that need a database, which the mutation runs leave out).
 */
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exitCodes, runCli } from '../cli/main.js';
import { parseDelivery } from '../receiver/parse.js';
import { createDeliveryEvent } from '../testing/deliveries.js';
import { startPostgres } from '../test-support/postgres.js';
import { createPostgresInbox, type PostgresInbox } from './inbox.js';
import { createInboxWorker } from './worker.js';

let database: Awaited<ReturnType<typeof startPostgres>>;
let pool: pg.Pool;
let inbox: PostgresInbox;

beforeAll(async () => {
  database = await startPostgres();
  pool = new pg.Pool({ connectionString: database.connectionString });
  pool.on('error', () => undefined);
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await database?.stop();
});
beforeEach(async () => {
  await pool.query('DROP TABLE IF EXISTS upvest_inbox, upvest_inbox_objects');
  inbox = createPostgresInbox({ pool });
  await inbox.migrate();
});

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    env: { DATABASE_URL: database.connectionString },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const json = async (...args: string[]) => JSON.parse((await cli(...args, '--json')).out) as unknown;

/** Three events of one order, the first failing, and one of another order applied. */
async function aStuckOrder() {
  const inputs = [1, 2, 3].map((second) =>
    createDeliveryEvent({
      type: 'ORDER.FILLED',
      object: { id: 'order-1' },
      created_at: `2026-01-01T00:00:0${second}Z`,
    }),
  );
  inputs.push(createDeliveryEvent({ type: 'ORDER.FILLED', object: { id: 'order-2' } }));
  const parsed = parseDelivery(JSON.stringify({ payload: inputs }));
  if (!parsed.ok) throw new Error(parsed.reason);
  await inbox.store(parsed.events);
  const worker = createInboxWorker(inbox, {
    onEvent: (event) => {
      if (event.object['id'] === 'order-1') throw new Error('the ledger is down');
    },
    backoffMs: () => 60_000,
  });
  while ((await worker.runOnce()) > 0);
  return inputs;
}

describe('upvest-webhooks inbox', () => {
  it('should show the counts with status', async () => {
    await aStuckOrder();
    expect(await json('inbox', 'status')).toMatchObject({ pending: 3, applied: 1, dead: 0 });
    const { code, out } = await cli('inbox', 'status');
    expect(code).toBe(exitCodes.ok);
    expect(out).toMatch(/pending\s+applied/);
  });

  it('should list the objects held back by a failing event, with its error', async () => {
    const [first] = await aStuckOrder();
    expect(await json('inbox', 'stuck')).toEqual([
      expect.objectContaining({
        objectKey: 'order-1',
        eventId: first!.id,
        attempts: 1,
        lastError: 'Error: the ledger is down',
        waiting: 2,
      }),
    ]);
    expect((await cli('inbox', 'stuck')).out).toContain('the ledger is down');
  });

  it('should list dead letters and replay them by key or all at once', async () => {
    const [first] = await aStuckOrder();
    await pool.query("UPDATE upvest_inbox SET status = 'dead' WHERE event_id = $1", [first!.id]);
    expect(await json('inbox', 'dead-letters')).toEqual([
      expect.objectContaining({ dedupeKey: first!.id, type: 'ORDER.FILLED', attempts: 1 }),
    ]);
    expect(await json('inbox', 'replay', '--keys', `${first!.id},no-such-key`)).toEqual({
      replayed: 1,
    });
    await pool.query("UPDATE upvest_inbox SET status = 'dead' WHERE event_id = $1", [first!.id]);
    expect(await json('inbox', 'replay', '--all')).toEqual({ replayed: 1 });
    expect(await json('inbox', 'dead-letters')).toEqual([]);
  });

  it('should prune applied events older than the retention', async () => {
    await aStuckOrder();
    await pool.query(
      "UPDATE upvest_inbox SET applied_at = now() - interval '40 days' WHERE status = 'applied'",
    );
    expect(await json('inbox', 'prune', '--older-than-days', '30')).toEqual({ pruned: 1 });
  });

  it.each([
    ['an unknown action', ['inbox', 'purge'], /one of status, dead-letters, stuck/],
    ['no action', ['inbox'], /inbox takes one action/],
    ['replay without keys', ['inbox', 'replay'], /--keys .* or --all/],
    ['prune without a retention', ['inbox', 'prune'], /--older-than-days N/],
    ['a limit that is no number', ['inbox', 'stuck', '--limit', 'ten'], /whole number/],
  ])('should refuse %s as a usage error', async (_name, args, message) => {
    const { code, err } = await cli(...args);
    expect(code).toBe(exitCodes.usage);
    expect(err).toMatch(message);
  });

  it('should name DATABASE_URL when no database is given', async () => {
    const out: string[] = [];
    const code = await runCli(['inbox', 'status'], {
      env: {},
      out: (t) => out.push(t),
      err: (t) => out.push(t),
    });
    expect(code).toBe(exitCodes.usage);
    expect(out.join()).toContain('DATABASE_URL');
  });

  it('should report a database it cannot reach as a network failure, without the password', async () => {
    const { code, err } = await cli(
      'inbox',
      'status',
      '--database-url',
      'postgres://postgres:s3cr3t-pw@127.0.0.1:9/inbox',
    );
    expect(code).toBe(exitCodes.network);
    expect(err).toContain('cannot reach the database');
    expect(err).not.toContain('s3cr3t-pw');
  });

  it('should report refused credentials with the auth exit code', async () => {
    const wrong = database.connectionString.replace(':test@', ':wrong@');
    const { code, err } = await cli('inbox', 'status', '--database-url', wrong);
    expect(code).toBe(exitCodes.auth);
    expect(err).toContain('refused');
  });

  it('should point at migrate() when the table is missing', async () => {
    const { code, err } = await cli('inbox', 'status', '--table', 'no_such_inbox');
    expect(code).toBe(exitCodes.apiError);
    expect(err).toContain('migrate()');
  });
});
