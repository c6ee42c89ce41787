/**
 * `upvest-webhooks inbox status | dead-letters | stuck | replay | prune`: the Postgres inbox's
 * operations for an operator, without writing SQL. The database comes from `--database-url` or
 * `DATABASE_URL`; `pg` (the package's optional peer dependency) is loaded only by this command.
 */
import type { PoolLike, PostgresInbox } from '../postgres/inbox.js';
import { createPostgresInbox } from '../postgres/inbox.js';
import { CommandFailure, UsageError, type Command } from './commands.js';
import { table } from './output.js';

const ACTIONS = ['status', 'dead-letters', 'stuck', 'replay', 'prune'] as const;
type Action = (typeof ACTIONS)[number];

/** A whole number from a flag, or the default; anything else is a usage error. */
function count(flag: string, value: string | boolean | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new UsageError(`--${flag} takes a whole number, not ${String(value)}`);
  }
  return Number(value);
}

/** The CLI's table, each cell on one line (an error message may have several); `(none)` without rows. */
function listing(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)';
  return table([header, ...rows].map((row) => row.map((cell) => cell.replace(/\s+/g, ' '))));
}

/** What this command needs of node-postgres's `Pool`. */
type PoolConstructor = new (config: { connectionString: string; max: number }) => PoolLike & {
  end(): Promise<void>;
};

/** node-postgres, the user's own install of the peer dependency. */
async function loadPg(): Promise<PoolConstructor> {
  try {
    const pg = (await import('pg')).default;
    return pg.Pool;
  } catch {
    throw new UsageError('inbox needs node-postgres: npm install pg');
  }
}

/** Node's and PostgreSQL's error codes that say the database cannot be reached or refused us. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', '57P03']);
const REFUSED = new Set(['28P01', '28000', '3D000']);

/**
 * A database error as the command's failure: unreachable is exit 4, refused credentials or an
 * unknown database exit 5, a missing inbox table names `migrate()`. Never the URL (it holds the
 * password).
 */
function databaseFailure(error: unknown): unknown {
  if (error instanceof UsageError || error instanceof CommandFailure) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return new CommandFailure(`cannot reach the database (${code}): ${message}`, 4);
  }
  if (typeof code === 'string' && REFUSED.has(code)) {
    return new CommandFailure(`the database refused the connection: ${message}`, 5);
  }
  if (code === '42P01') {
    return new CommandFailure(
      `no inbox table here (${message}); the receivers create it with inbox.migrate()`,
      1,
    );
  }
  return error;
}

/** What an action found or did: the value for `--json`, the text for a person. */
interface Outcome {
  value: unknown;
  text: string;
}

type Values = Readonly<Record<string, string | boolean | undefined>>;

async function act(action: Action, inbox: PostgresInbox, values: Values): Promise<Outcome> {
  const limit = count('limit', values['limit'], 100);
  switch (action) {
    case 'status':
      return showStatus(inbox);
    case 'dead-letters':
      return listDeadLetters(inbox, limit);
    case 'stuck':
      return listStuck(inbox, limit);
    case 'replay':
      return replayDeadLetters(inbox, values, limit);
    case 'prune':
      return pruneHandled(inbox, values);
  }
}

async function showStatus(inbox: PostgresInbox): Promise<Outcome> {
  const counts = await inbox.counts();
  return {
    value: counts,
    text: listing(
      ['pending', 'applied', 'skipped', 'dead', 'oldest pending'],
      [
        [
          ...[counts.pending, counts.applied, counts.skipped, counts.dead].map(String),
          `${Math.round(counts.oldestPendingSeconds)} s`,
        ],
      ],
    ),
  };
}

async function listDeadLetters(inbox: PostgresInbox, limit: number): Promise<Outcome> {
  const letters = await inbox.deadLetters({ limit });
  return {
    value: letters.map(({ event, ...letter }) => ({
      ...letter,
      eventId: event.id,
      type: event.type,
    })),
    text: listing(
      ['dedupe key', 'type', 'attempts', 'received', 'last error'],
      letters.map((letter) => [
        letter.dedupeKey,
        letter.event.type,
        String(letter.attempts),
        letter.receivedAt.toISOString(),
        letter.lastError ?? '',
      ]),
    ),
  };
}

async function listStuck(inbox: PostgresInbox, limit: number): Promise<Outcome> {
  const stuck = await inbox.stuck({ limit });
  return {
    value: stuck,
    text: listing(
      ['object', 'held back by', 'type', 'attempts', 'next attempt', 'waiting', 'last error'],
      stuck.map((object) => [
        object.objectKey,
        object.eventId,
        object.type,
        String(object.attempts),
        object.nextAttemptAt.toISOString(),
        String(object.waiting),
        object.lastError ?? '',
      ]),
    ),
  };
}

async function replayDeadLetters(
  inbox: PostgresInbox,
  values: Values,
  limit: number,
): Promise<Outcome> {
  const keys =
    values['all'] === true
      ? (await inbox.deadLetters({ limit })).map((letter) => letter.dedupeKey)
      : typeof values['keys'] === 'string'
        ? values['keys']
            .split(',')
            .map((key) => key.trim())
            .filter(Boolean)
        : [];
  if (keys.length === 0) {
    throw new UsageError('inbox replay needs --keys KEY[,KEY…] or --all (dead letters only)');
  }
  const replayed = await inbox.replay(keys);
  return { value: { replayed }, text: `${replayed} dead letter(s) pending again` };
}

async function pruneHandled(inbox: PostgresInbox, values: Values): Promise<Outcome> {
  if (values['older-than-days'] === undefined) {
    throw new UsageError('inbox prune needs --older-than-days N');
  }
  const pruned = await inbox.prune({
    olderThanDays: count('older-than-days', values['older-than-days']),
  });
  return { value: { pruned }, text: `${pruned} applied or skipped event(s) deleted` };
}

/**
 * The `inbox` command of the table in main.ts.
 *
 * @example
 * ```ts
 * await inboxCommand.run(context); // context.target: 'status'
 * ```
 */
export const inboxCommand: Command = {
  usage: `inbox ${ACTIONS.join('|')} [--database-url URL] [--table NAME] [--limit N] [--keys K,…|--all] [--older-than-days N]`,
  summary:
    'Operate the Postgres inbox: status (counts and the oldest pending age), dead-letters, stuck (objects held back by a failing event, with its error), replay dead letters, prune applied events.',
  options: {
    'database-url': { type: 'string', description: 'the PostgreSQL (default: DATABASE_URL)' },
    table: { type: 'string', description: 'the inbox table (default upvest_inbox)' },
    limit: { type: 'string', description: 'most rows to list (dead-letters, stuck; default 100)' },
    keys: {
      type: 'string',
      description: 'replay: the dead letters, by dedupe key, comma-separated',
    },
    all: { type: 'boolean', description: 'replay: every dead letter (up to --limit)' },
    'older-than-days': {
      type: 'string',
      description: 'prune: delete applied and skipped events older than this',
    },
  },
  positional: 'action',
  api: false,
  async run(context) {
    const action = ACTIONS.find((name) => name === context.target);
    if (!action) {
      throw new UsageError(`inbox takes one of ${ACTIONS.join(', ')}, not ${context.target}`);
    }
    const url =
      (context.values['database-url'] as string | undefined) ?? context.env['DATABASE_URL'];
    if (!url) throw new UsageError('inbox needs --database-url or DATABASE_URL');
    const Pool = await loadPg();
    const pool = new Pool({ connectionString: url, max: 2 });
    // An idle client lost while we run is reported by the query that needed it.
    pool.on?.('error', () => undefined);
    try {
      const table = context.values['table'] as string | undefined;
      const inbox = createPostgresInbox({ pool, ...(table ? { table } : {}) });
      const { value, text } = await act(action, inbox, context.values);
      context.show(value, () => text);
    } catch (error) {
      throw databaseFailure(error);
    } finally {
      await pool.end().catch(() => undefined);
    }
  },
};
