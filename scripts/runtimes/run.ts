/**
 * The receiver on every runtime (`npm run test:runtimes [-- node deno bun workerd]`): each
 * runtime from the npm registry, and on it, with the built package,
 *
 *   1. the Fetch handler of examples/runtimes/ with the built bin's `conformance receiver
 *      --strict` run against it, and
 *   2. the delivery-verification vectors (vectors.ts, made on Node) verified by check-vectors.ts,
 *      whose verdicts must be Node's, each one as expected.
 *
 * Every runtime must pass both; the run prints one line per runtime and exits 1 when one does not.
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
import { isDeepStrictEqual } from 'node:util';
import { build } from 'esbuild';
import { checkVectors, type Verdict } from './check-vectors.ts';
import { makeVectors, type ExpectedVector } from './vectors.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
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

/** What each runtime serves, by file: the receiver example, and the vector checker. */
const APPS = {
  receiver: { node: 'node.ts', deno: 'deno.ts', bun: 'bun.ts', workerd: 'worker.ts' },
  vectors: {
    node: 'vectors-node.ts',
    deno: 'vectors-deno.ts',
    bun: 'vectors-bun.ts',
    workerd: 'check-vectors.ts',
  },
} as const satisfies Record<string, Record<Runtime, string>>;
type App = keyof typeof APPS;

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
  for (const file of ['check-vectors.ts', 'vectors-node.ts', 'vectors-deno.ts', 'vectors-bun.ts']) {
    await cp(path.join(here, file), path.join(app, file));
  }
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
async function prepareWorker(entry: string, endpoint: Endpoint): Promise<string> {
  await build({
    entryPoints: [path.join(app, entry)],
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

/** Starts an app on a runtime, on the endpoint's port. */
async function start(runtime: Runtime, what: App, endpoint: Endpoint): Promise<ChildProcess> {
  const file = APPS[what][runtime];
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
        return [process.execPath, [file]];
      case 'deno':
        return [await install('deno'), ['run', '--allow-net', '--allow-env', '--allow-read', file]];
      case 'bun':
        return [await install('bun'), [file]];
      case 'workerd':
        return [await install('workerd'), ['serve', await prepareWorker(file, endpoint)]];
    }
  })();
  // Node runs the TypeScript example through tsx, as Node 20 cannot strip types.
  const nodeArgs =
    runtime === 'node'
      ? ['--import', path.join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs'), ...args]
      : args;
  return spawn(command, nodeArgs, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

const endpointNow = async (): Promise<Endpoint> => ({
  port: await freePort(),
  keysPort: await freePort(),
  webhookId: randomUUID(),
});

/** An app started on a runtime for as long as `use` runs, its output kept for a failure. */
async function withApp<T>(
  runtime: Runtime,
  what: App,
  use: (endpoint: Endpoint) => Promise<T>,
): Promise<T> {
  const endpoint = await endpointNow();
  const child = await start(runtime, what, endpoint);
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  try {
    return await use(endpoint);
  } catch (error) {
    throw new Error(`${String(error)}\n--- ${runtime} ${what} output ---\n${log}`, {
      cause: error,
    });
  } finally {
    child.kill();
  }
}

/** The receiver example under the receiver suite with --strict: its summary line. */
function receiverSuite(runtime: Runtime): Promise<string> {
  return withApp(runtime, 'receiver', async (endpoint) => {
    const reports = path.join(root, 'reports', `runtime-${runtime}`);
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
    return (output.split('\n').find((line) => /passed|failed/.test(line)) ?? '').trim();
  });
}

/** POSTs until the app answers (it may take a moment to start), within a minute. */
async function postWhenUp(url: string, body: string): Promise<Response> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The vectors verified on the runtime: their verdicts must be Node's, one by one. */
function vectorSuite(
  runtime: Runtime,
  vectors: readonly ExpectedVector[],
  onNode: readonly Verdict[],
): Promise<string> {
  return withApp(runtime, 'vectors', async (endpoint) => {
    const response = await postWhenUp(
      `http://127.0.0.1:${endpoint.port}/`,
      JSON.stringify(vectors.map(({ expected: _expected, ...vector }) => vector)),
    );
    if (!response.ok) throw new Error(`the vector checker answered ${response.status}`);
    const verdicts = (await response.json()) as Verdict[];
    const differ = onNode.filter((verdict, i) => !isDeepStrictEqual(verdict, verdicts[i]));
    if (differ.length > 0 || verdicts.length !== onNode.length) {
      const shown = differ.map(
        (v) =>
          `${v.name}: Node ${v.detail}, here ${JSON.stringify(verdicts.find((w) => w.name === v.name))}`,
      );
      throw new Error(`verdicts unlike Node's:\n  ${shown.join('\n  ')}`);
    }
    return `${verdicts.length}/${vectors.length} vectors judged as on Node`;
  });
}

/** Node's verdicts on the vectors, each checked against what the vector expects. */
async function referenceVerdicts(vectors: readonly ExpectedVector[]): Promise<Verdict[]> {
  const verdicts = await checkVectors(vectors);
  const wrong = verdicts.filter((verdict, i) => {
    const expected = vectors[i]!.expected;
    return expected === true ? !verdict.ok : verdict.ok || verdict.detail !== expected;
  });
  if (wrong.length > 0) {
    throw new Error(
      `Node's own verdicts are wrong: ${wrong.map((w) => `${w.name} (${w.detail})`).join(', ')}`,
    );
  }
  return verdicts;
}

/** One runtime: the receiver suite, then the vectors. */
async function check(
  runtime: Runtime,
  vectors: readonly ExpectedVector[],
  onNode: readonly Verdict[],
): Promise<{ ok: boolean; line: string }> {
  const started = performance.now();
  try {
    const suite = await receiverSuite(runtime);
    const judged = await vectorSuite(runtime, vectors, onNode);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return { ok: true, line: `${runtime}: receiver ${suite}; ${judged} (${seconds} s)` };
  } catch (error) {
    return { ok: false, line: `${runtime}: FAILED\n${String(error)}` };
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
const vectors = makeVectors();
const onNode = await referenceVerdicts(vectors);
let failed = false;
for (const runtime of asked.length > 0 ? (asked as Runtime[]) : RUNTIMES) {
  const result = await check(runtime, vectors, onNode);
  console.log(result.line);
  if (!result.ok) failed = true;
}
process.exit(failed ? 1 : 0);
