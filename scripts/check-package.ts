/**
 * `npm run check:package` (after `npm run build`): proves the package a consumer installs works.
 * Tests of the source tree cannot see a missing file in `files`, a wrong `exports` path, a
 * declaration that only type-checks with our tsconfig, or a bundle that grew past its budget.
 *
 * 1. publint --strict and @arethetypeswrong/cli (ESM-only profile) on the packed package;
 * 2. the size of each entry, minified and gzipped, openapi-fetch included, Node built-ins
 *    excluded, against its budget, and the number of files the main, receiver and signing
 *    bundles load on import, against theirs;
 * 3. the tarball installed into a fresh project (no workspace links), every entry imported, a few
 *    calls against the embedded mock, the bin run, and a consumer file type-checked under
 *    `moduleResolution` NodeNext and Bundler, and one of the signing entry without Node's types.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The @types/node lines a consumer's declarations are checked against: each supported major, and the newest. */
const NODE_TYPES_VERSIONS = ['20', '22', '24', 'latest'] as const;

/**
 * Minified + gzipped bytes each entry may pull in; raise one deliberately, with a reason in the
 * commit. A receiver-only or signing-only consumer must not pay for the client's validators, nor
 * the client for the mock's: each budget holds only what its entry needs.
 */
export const SIZE_BUDGETS_GZIP_BYTES = {
  'upvest-webhooks': 40 * 1024,
  'upvest-webhooks/receiver': 20 * 1024,
  'upvest-webhooks/signing': 12 * 1024,
  'upvest-webhooks/testing': 64 * 1024,
  'upvest-webhooks/postgres': 8 * 1024,
  'upvest-webhooks/telemetry': 2 * 1024,
} as const;

const ENTRY_FILES: Readonly<Record<keyof typeof SIZE_BUDGETS_GZIP_BYTES, string>> = {
  'upvest-webhooks': 'dist/src/index.js',
  'upvest-webhooks/receiver': 'dist/src/receiver/index.js',
  'upvest-webhooks/signing': 'dist/src/signing/index.js',
  'upvest-webhooks/testing': 'dist/src/testing/index.js',
  'upvest-webhooks/postgres': 'dist/src/postgres/index.js',
  'upvest-webhooks/telemetry': 'dist/src/telemetry/index.js',
};

/**
 * How many files of dist/bundle/ each entry loads on import, itself included: Node spends about
 * 1.3 ms on each (scripts/bundle.ts), so a change to the layering that adds files must be
 * deliberate. Dynamic imports (the probe's network step) load on first use and do not count.
 */
export const FILE_BUDGETS = {
  'upvest-webhooks': 4,
  'upvest-webhooks/receiver': 3,
  'upvest-webhooks/signing': 2,
} as const;

/**
 * The builds that must load where only Web APIs exist (workerd, Deno, Bun, edge runtimes; the
 * package's conditions other than `node` point at them): no file they load imports a Node
 * built-in or names `Buffer` (scripts/runtimes/ runs them).
 */
const RUNTIME_NEUTRAL_FILES = {
  'upvest-webhooks/receiver (every runtime but Node)': 'dist/bundle/web/receiver.js',
  'upvest-webhooks/signing (every runtime but Node)': 'dist/bundle/web/signing.js',
} as const;

const BUNDLE_FILES: Readonly<Record<keyof typeof FILE_BUDGETS, string>> = {
  'upvest-webhooks': 'dist/bundle/src/index.js',
  'upvest-webhooks/receiver': 'dist/bundle/src/receiver/index.js',
  'upvest-webhooks/signing': 'dist/bundle/src/signing/index.js',
};

/** Every file of ours a bundle file loads through static imports, itself included. */
function staticFiles(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  // `from "./x.js"` ends every static import or re-export; `import "./x.js"` loads for effect.
  // A dynamic `import("./x.js")` has a parenthesis, and loads on first use.
  for (const [, from, bare] of code.matchAll(
    /\bfrom\s*["'](\.[^"']+)["']|\bimport\s*["'](\.[^"']+)["']/g,
  )) {
    const specifier = from ?? bare;
    if (specifier) staticFiles(path.resolve(path.dirname(file), specifier), seen);
  }
  return seen;
}

const run = (command: string, args: string[], cwd = root) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

function step(name: string, action: () => string | void) {
  process.stdout.write(`- ${name}: `);
  const result = action();
  console.log(result ?? 'ok');
}

async function entrySize(file: string): Promise<number> {
  // Everything the entry imports is bundled, the validators' ajv-formats import included.
  const result = await build({
    entryPoints: [path.join(root, file)],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    write: false,
    external: ['node:*', 'pg', '@opentelemetry/api'],
    logLevel: 'silent',
  });
  return gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array()).length;
}

const consumerModule = `
import { createWebhooksClient, validateWebhookUrl, UpvestValidationError } from 'upvest-webhooks';
import { contentDigest, verifyContentDigest } from 'upvest-webhooks/signing';
import { createNodeDeliveryHandler, isUpvestWebhooksError as isErrorFromReceiver } from 'upvest-webhooks/receiver';
// The entries share their modules (code splitting): one function, one class, whichever entry.
import { isUpvestWebhooksError as isErrorFromMain } from 'upvest-webhooks';
import { startMockServer, signDelivery, generateDeliveryKeyPair } from 'upvest-webhooks/testing';
import { runConformance } from 'upvest-webhooks/conformance';
// Without pg installed: the inbox takes the user's pool and imports nothing of pg itself.
import { createPostgresInbox, inboxSchemaSql } from 'upvest-webhooks/postgres';

const mock = await startMockServer();
const client = createWebhooksClient({
  baseUrl: mock.url,
  clientId: mock.credentials.clientId,
  clientSecret: mock.credentials.clientSecret,
  keyId: mock.credentials.keyId,
  privateKey: mock.credentials.privateKey,
});
const webhook = await client.create({ title: 'Smoke', url: 'https://tenant.tld/smoke' });
const listed = await client.list();
// The installed command, against the same mock, as a user would run it (asynchronously: the mock
// answers from this process).
const { execFile } = await import('node:child_process');
const { promisify } = await import('node:util');
const cliListed = JSON.parse((await promisify(execFile)(process.execPath, ['node_modules/upvest-webhooks/dist/bundle/bin/upvest-webhooks.js', 'list', '--json'], {
  encoding: 'utf8',
  env: {
    ...process.env,
    UPVEST_BASE_URL: mock.url,
    UPVEST_CLIENT_ID: mock.credentials.clientId,
    UPVEST_CLIENT_SECRET: mock.credentials.clientSecret,
    UPVEST_KEY_ID: mock.credentials.keyId,
    UPVEST_PRIVATE_KEY: mock.credentials.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  },
})).stdout);
await client.delete(webhook.id);
const refused = await client.create({ title: 'x', url: 'http://10.0.0.1/' }).catch((e) => e instanceof UpvestValidationError);
await mock.close();
const pair = generateDeliveryKeyPair();
signDelivery([], { keyId: pair.keyId, privateKey: pair.privateKey, url: 'https://tenant.tld/hooks' });
const report = await runConformance({ profiles: ['negative'] });
const digest = await contentDigest('{}');
if (typeof createNodeDeliveryHandler({ keys: pair.jwks, onEvents: () => {} }) !== 'function' || (await verifyContentDigest('{}', digest)) !== 'match' || typeof createPostgresInbox !== 'function' || !inboxSchemaSql().includes('CREATE TABLE') || !listed.data.some((w) => w.id === webhook.id) || !cliListed.data.some((w) => w.id === webhook.id) || refused !== true || !report.passed || validateWebhookUrl('https://127.1/').ok || isErrorFromMain !== isErrorFromReceiver) {
  throw new Error('the installed package misbehaved');
}
console.log('installed package works');
`;

const consumerTypes = `
import { createWebhooksClient, type Webhook, type WebhookCreateRequest } from 'upvest-webhooks';
import type { DeliveryEvent } from 'upvest-webhooks/receiver';
import { startMockServer, type MockServer } from 'upvest-webhooks/testing';
import { runConformance, type ConformanceReport } from 'upvest-webhooks/conformance';
import { createInboxWorker, type PostgresInbox, type Queryable } from 'upvest-webhooks/postgres';
import { signRequest, type KeyInput, type SignedRequest } from 'upvest-webhooks/signing';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export async function use(mock: MockServer): Promise<Webhook> {
  const client = createWebhooksClient({ baseUrl: mock.url, clientId: mock.credentials.clientId, accessToken: mock.issueToken(['webhooks:admin']) });
  const input: WebhookCreateRequest = { title: 'Typed', url: 'https://tenant.tld/typed', type: ['USER'] };
  // @ts-expect-error enabled is not part of a create request
  void client.create({ ...input, enabled: true });
  return client.create(input);
}
export const started: Promise<MockServer> = startMockServer();
export const report: Promise<ConformanceReport> = runConformance({ profiles: ['negative'] });
export function work(inbox: PostgresInbox) {
  return createInboxWorker(inbox, { onEvent: async (event: DeliveryEvent, tx: Queryable) => { await tx.query('select $1', [event.id]); } });
}
export function sign(privateKey: string): Promise<SignedRequest> {
  return signRequest({ method: 'GET', url: 'https://x.tld/', headers: {} }, { keyId: 'k', privateKey, components: ['@method'] });
}
// Node's KeyObject is a key by its shape, under every @types/node line.
export const keyObject: KeyInput = generateKeyPairSync('ed25519').privateKey satisfies KeyObject;
export function typeOf(event: DeliveryEvent): string {
  return event.known ? event.type : \`unknown \${event.type}\`;
}
`;

/**
 * A Deno or worker project's use of `upvest-webhooks/signing`: it has Web APIs and no
 * `@types/node`, so the entry's declarations must not name Node's types (KeyObject, Buffer).
 */
const webConsumerTypes = `
import { contentDigest, signRequest, type KeyInput, type SignedRequest } from 'upvest-webhooks/signing';

export async function sign(privateKey: KeyInput): Promise<SignedRequest> {
  const digest: string = await contentDigest('{}');
  return signRequest({ method: 'POST', url: 'https://x.tld/', headers: { 'content-digest': digest }, body: '{}' }, { keyId: 'k', privateKey });
}
`;

/** Type-checks web-consumer.ts in `project` as a Deno or worker project would: no Node types. */
function typeCheckWebConsumer(project: string): void {
  writeFileSync(path.join(project, 'web-consumer.ts'), webConsumerTypes);
  writeFileSync(
    path.join(project, 'tsconfig.web.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        lib: ['ES2022', 'DOM'],
        module: 'ESNext',
        moduleResolution: 'Bundler',
        skipLibCheck: false,
        types: [],
      },
      files: ['web-consumer.ts'],
    }),
  );
  run(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.web.json'],
    project,
  );
}

/** Type-checks consumer.ts in `project`, strictly, libraries included, with these settings. */
function typeCheckConsumer(
  project: string,
  tsconfig: string,
  settings: { module: string; moduleResolution: string; typeRoots: string[] },
): void {
  writeFileSync(
    path.join(project, tsconfig),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        skipLibCheck: false,
        types: ['node'],
        ...settings,
      },
      files: ['consumer.ts'],
    }),
  );
  run(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', tsconfig],
    project,
  );
}

/** publint, attw, and each entry's gzipped size and count of files loaded on import. */
async function checkBudgets(): Promise<void> {
  step('publint --strict', () => {
    run(bin('publint'), ['--strict']);
  });
  step('attw --pack --profile esm-only', () => {
    run(bin('attw'), ['--pack', '.', '--profile', 'esm-only']);
  });
  for (const [entry, budget] of Object.entries(SIZE_BUDGETS_GZIP_BYTES)) {
    const size = await entrySize(ENTRY_FILES[entry as keyof typeof SIZE_BUDGETS_GZIP_BYTES]);
    step(`${entry} size (budget ${budget} bytes gzipped)`, () => {
      if (size > budget) throw new Error(`${size} bytes gzipped exceeds the budget of ${budget}`);
      return `${size} bytes gzipped`;
    });
  }

  for (const [entry, budget] of Object.entries(FILE_BUDGETS)) {
    step(`${entry} files loaded on import (budget ${budget})`, () => {
      const files = staticFiles(path.join(root, BUNDLE_FILES[entry as keyof typeof FILE_BUDGETS]));
      const names = [...files].map((file) => path.relative(path.join(root, 'dist/bundle'), file));
      if (files.size > budget) throw new Error(`${files.size} files: ${names.join(', ')}`);
      return `${files.size}: ${names.join(', ')}`;
    });
  }
  for (const [entry, file] of Object.entries(RUNTIME_NEUTRAL_FILES)) {
    step(`${entry} loads nothing of Node's`, () => {
      const files = [...staticFiles(path.join(root, file))];
      const offending = files.filter((file) =>
        /from\s*["']node:|\bBuffer\b|\brequire\(/.test(readFileSync(file, 'utf8')),
      );
      if (offending.length > 0) throw new Error(`Node's built-ins in ${offending.join(', ')}`);
      return `${files.length} files, no node: import, Buffer or require`;
    });
  }
}

/**
 * Packs the package, installs the tarball into a fresh project under `work`, and runs it there:
 * every entry, the bin, the README's quick start. The project's directory.
 */
function installAndRun(work: string): string {
  const tarball = path.join(
    work,
    run('npm', ['pack', '--silent', '--pack-destination', work]).trim().split('\n').at(-1) ?? '',
  );
  const project = path.join(work, 'consumer');
  run('mkdir', ['-p', project]);
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  step('install the tarball into a fresh project', () => {
    run('npm', ['install', '--no-audit', '--no-fund', '--silent', tarball], project);
  });
  writeFileSync(path.join(project, 'smoke.mjs'), consumerModule);
  step('import every entry, call the embedded mock, run the installed CLI against it', () =>
    run(process.execPath, ['smoke.mjs'], project).trim(),
  );
  step('run the bin', () => {
    run(
      process.execPath,
      [
        'node_modules/upvest-webhooks/dist/bundle/bin/upvest-webhooks.js',
        'conformance',
        '--profile',
        'negative',
        '--json',
        'report.json',
        '--junit',
        'report.xml',
      ],
      project,
    );
    return `${(JSON.parse(readFileSync(path.join(project, 'report.json'), 'utf8')) as { counts: { pass: number } }).counts.pass} checks passed`;
  });
  // What a new user does with the README: its quick start, copied into their own ESM project
  // (here run with tsx, as they would run TypeScript), against the installed package.
  writeFileSync(
    path.join(project, 'quick-start.ts'),
    readFileSync(path.join(root, 'examples/quick-start.ts'), 'utf8'),
  );
  step("run the README's quick start in the fresh project", () => {
    const output = run(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), 'quick-start.ts'],
      project,
    );
    if (!output.includes("'url.scheme_not_https', 'url.ip_host'")) {
      throw new Error(`the quick start printed:\n${output}`);
    }
    return 'ran as the README says';
  });
  return project;
}

/** Type-checks a consumer in `project` under each @types/node line and each module resolution. */
function typeCheckConsumers(work: string, project: string): void {
  writeFileSync(path.join(project, 'consumer.ts'), consumerTypes);
  // Our declarations name Node's types (KeyObject, IncomingMessage, …), whose shape changes
  // between @types/node majors: the consumer type-checks under each supported line and the
  // newest published, each installed on its own from the registry.
  // Which @types/node a consumer compiles against does not depend on the Node running this
  // script: CI runs the matrix once (CHECK_PACKAGE_TYPES=local-only on the other Node lines).
  const matrix = process.env['CHECK_PACKAGE_TYPES'] === 'local-only' ? [] : NODE_TYPES_VERSIONS;
  for (const version of matrix) {
    const types = path.join(work, `types-node-${version}`);
    step(`type-check a consumer against @types/node@${version}`, () => {
      run('npm', [
        'install',
        '--prefix',
        types,
        '--no-audit',
        '--no-fund',
        '--silent',
        `@types/node@${version}`,
      ]);
      const installed = (
        JSON.parse(
          readFileSync(path.join(types, 'node_modules/@types/node/package.json'), 'utf8'),
        ) as {
          version: string;
        }
      ).version;
      typeCheckConsumer(project, `tsconfig.types-${version}.json`, {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        typeRoots: [path.join(types, 'node_modules/@types')],
      });
      return `ok (${installed})`;
    });
  }
  step('type-check a consumer of upvest-webhooks/signing without @types/node', () => {
    typeCheckWebConsumer(project);
  });
  for (const resolution of ['NodeNext', 'Bundler'] as const) {
    step(`type-check a consumer under moduleResolution ${resolution}`, () => {
      typeCheckConsumer(project, `tsconfig.${resolution.toLowerCase()}.json`, {
        module: resolution === 'NodeNext' ? 'NodeNext' : 'ESNext',
        moduleResolution: resolution,
        typeRoots: [path.join(root, 'node_modules/@types')],
      });
    });
  }
}

async function main(): Promise<void> {
  await checkBudgets();
  const work = mkdtempSync(path.join(tmpdir(), 'upvest-webhooks-smoke-'));
  try {
    const project = installAndRun(work);
    typeCheckConsumers(work, project);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main().catch((error: unknown) => {
  const output = error as { stdout?: string; stderr?: string; message?: string };
  console.error(
    `\nFAILED: ${output.message ?? String(error)}\n${output.stdout ?? ''}${output.stderr ?? ''}`,
  );
  process.exit(1);
});
