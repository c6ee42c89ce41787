/**
 * What the inbox needs of a node-postgres client: `query`. A `pg.Pool`, a `pg.Client` and a
 * `pg.PoolClient` all are one; nothing of `pg` is imported at run time.
 */
export interface Queryable {
  /** Runs one statement with its parameters (`$1`, `$2`, …). */
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** An `'error'` listener, as node-postgres clients and pools take one. */
export type ErrorListener = (error: Error) => void;

/**
 * A client checked out of the pool (`pg.PoolClient`). It emits `'error'` when its connection is
 * lost; node-postgres removes the pool's own listener while a client is checked out, so without
 * one of ours that event would end the process.
 */
export interface PooledClient extends Queryable {
  /** Returns the client to the pool; with an error (or `true`) the pool destroys it instead. */
  release(error?: Error | boolean): void;
  /** Listens for a lost connection while the client is checked out. */
  on?(event: 'error', listener: ErrorListener): unknown;
  /** Stops listening once the client goes back to the pool. */
  removeListener?(event: 'error', listener: ErrorListener): unknown;
}

/** What the inbox needs of a node-postgres pool: a `pg.Pool`. */
export interface PoolLike extends Queryable {
  /** Checks a client out, for a transaction. */
  connect(): Promise<PooledClient>;
  /** Listens for errors of idle clients (a database restart). */
  on?(event: 'error', listener: ErrorListener): unknown;
  /** Stops listening. */
  removeListener?(event: 'error', listener: ErrorListener): unknown;
}

/**
 * Runs `work` in a transaction on a client of its own: `BEGIN`, the work, `COMMIT`; on any
 * failure `ROLLBACK` and the client is destroyed (released with the error) rather than returned
 * to the pool. While the client is checked out, a lost connection goes to `onLost` instead of
 * ending the process; the work's pending query fails with it, so the caller sees it too.
 *
 * @example
 * ```ts
 * const stored = await inTransaction(pool, (client) => client.query('SELECT 1'), onError);
 * ```
 */
export async function inTransaction<T>(
  pool: PoolLike,
  work: (client: PooledClient) => Promise<T>,
  onLost: (error: Error) => void = () => undefined,
): Promise<T> {
  const client = await pool.connect();
  const listener: ErrorListener = (error) => onLost(error);
  client.on?.('error', listener);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    // Back to the pool, which listens again itself.
    client.removeListener?.('error', listener);
    client.release();
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    // Destroyed, not pooled; the listener stays, for an error the dying socket still emits.
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}
