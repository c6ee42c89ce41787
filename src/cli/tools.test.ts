import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhooksClient } from '../client/webhooks-client.js';
import { createNodeDeliveryHandler } from '../receiver/handler.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
} from '../testing/deliveries.js';
import { exitCodes, runCli } from './main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'upvest-cli-'));
  dirs.push(dir);
  return dir;
};

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { env: {}, out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Starts `upvest-webhooks mock` as a child process; resolves once it printed its JSON. */
function startMockProcess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bin/upvest-webhooks.ts', 'mock', '--json', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<{
    url: string;
    clientId: string;
    clientSecret: string;
    keyId: string;
    adminToken?: string;
  }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        resolve(JSON.parse(stdout) as never);
      } catch {
        // not all of it yet
      }
    });
    child.on('exit', () => reject(new Error(`mock exited early: ${stderr}`)));
  });
  return { child, ready, exited, stderr: () => stderr };
}

describe('upvest-webhooks mock', () => {
  it('should serve the API until SIGTERM, write a .env with the key, and keep webhooks in --state', async () => {
    const dir = tempDir();
    const envFile = path.join(dir, 'mock.env');
    const stateFile = path.join(dir, 'state.json');
    const first = startMockProcess(['--write-env', envFile, '--state', stateFile]);
    const info = await first.ready;
    const env = Object.fromEntries(
      readFileSync(envFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(env['UPVEST_BASE_URL']).toBe(info.url);
    const pem = readFileSync(env['UPVEST_PRIVATE_KEY_FILE'] ?? '', 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    // A client configured from nothing but the .env talks to it, signed and all.
    const client = () =>
      createWebhooksClient({
        baseUrl: env['UPVEST_BASE_URL'] ?? '',
        clientId: env['UPVEST_CLIENT_ID'] ?? '',
        clientSecret: env['UPVEST_CLIENT_SECRET'] ?? '',
        keyId: env['UPVEST_KEY_ID'] ?? '',
        privateKey: pem,
      });
    const made = await client().create({ title: 'kept', url: 'https://tenant.tld/kept' });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toContain('mock stopped (SIGTERM)');

    // Restarted on the same state: the same tenant, the webhook still there.
    const second = startMockProcess(['--state', stateFile, '--port', new URL(info.url).port]);
    await second.ready;
    try {
      const listed = await client().list();
      expect(listed.data.map((w) => w.id)).toContain(made.id);
    } finally {
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    }
  }, 30_000);

  it('should deliver triggered events to --deliver-to and fail requests on demand, over plain HTTP', async () => {
    const dir = tempDir();
    const envFile = path.join(dir, 'mock.env');
    const received: { webhookId: unknown; type: string }[] = [];
    let keys: Parameters<typeof createNodeDeliveryHandler>[0]['keys'] = { keys: [] };
    const receiver = createServer((request, response) => {
      const handler = createNodeDeliveryHandler({
        keys,
        onEvents: (events) => {
          for (const event of events)
            received.push({ webhookId: event.webhook_id, type: event.type });
        },
      });
      void handler(request, response);
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const to = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/upvest`;
    const mock = startMockProcess(['--write-env', envFile, '--deliver-to', to]);
    try {
      const info = await mock.ready;
      const client = createWebhooksClient({
        baseUrl: info.url,
        clientId: info.clientId,
        clientSecret: info.clientSecret,
        keyId: info.keyId,
        privateKey: readFileSync(`${envFile}.private-key.pem`, 'utf8'),
      });
      keys = await client.verificationKeys();
      const [seeded] = (await client.list()).data;
      await client.enable(seeded?.id ?? '');
      // What a service in any language does: plain JSON over HTTP, no credentials.
      const post = (path: string, body: unknown) =>
        fetch(`${info.url}/__mock${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post('/events', { type: 'USER', count: 2 })).status).toBe(202);
      expect((await post('/faults', { kind: 'unavailable', retryAfterSeconds: 0 })).status).toBe(
        201,
      );
      const direct = createWebhooksClient({
        baseUrl: info.url,
        clientId: info.clientId,
        clientSecret: info.clientSecret,
        keyId: info.keyId,
        privateKey: readFileSync(`${envFile}.private-key.pem`, 'utf8'),
        retry: false,
      });
      await expect(direct.list()).rejects.toMatchObject({ status: 503 });
      await expect(direct.list()).resolves.toMatchObject({ meta: { count: 1 } });
      for (let i = 0; i < 100 && received.length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(received).toEqual([
        { webhookId: seeded?.id, type: 'USER.CREATED' },
        { webhookId: seeded?.id, type: 'USER.ACTIVATED' },
      ]);
      const listed = (await (await fetch(`${info.url}/__mock/deliveries`)).json()) as {
        deliveries: { status: number }[];
      };
      expect(listed.deliveries.map((d) => d.status)).toEqual([200]);
    } finally {
      mock.child.kill('SIGTERM');
      await mock.exited;
      receiver.closeAllConnections();
      receiver.close();
    }
  }, 30_000);

  it.each([
    ['a fresh admin token it prints', {}, undefined],
    [
      'the admin token of UPVEST_MOCK_ADMIN_TOKEN',
      { UPVEST_MOCK_ADMIN_TOKEN: 'from-the-env' },
      'from-the-env',
    ],
  ])(
    'should guard /__mock/ with %s under --admin-token',
    async (_name, env, expected) => {
      const mock = startMockProcess(['--admin-token'], env);
      try {
        const info = await mock.ready;
        const token = info.adminToken ?? '';
        if (expected) expect(token).toBe(expected);
        else expect(token).toMatch(/^[\w-]{32}$/);
        const list = (headers: Record<string, string>) =>
          fetch(`${info.url}/__mock/deliveries`, { headers }).then((r) => r.status);
        expect(await list({})).toBe(401);
        expect(await list({ authorization: `Bearer ${token}` })).toBe(200);
      } finally {
        mock.child.kill('SIGTERM');
        await mock.exited;
      }
    },
    30_000,
  );

  it.each([
    ['token', 'a bearer token and no signature', 401, 200],
    ['none', 'neither a token nor a signature', 200, 200],
  ])(
    'should serve --auth %s: %s',
    async (auth, _what, withoutToken, withToken) => {
      const mock = startMockProcess(['--auth', auth]);
      try {
        const info = await mock.ready;
        const tokenAnswer = await fetch(`${info.url}/auth/token`, {
          method: 'POST',
          headers: {
            'upvest-client-id': info.clientId,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: info.clientId,
            client_secret: info.clientSecret,
            scope: 'webhooks:read',
          }),
        });
        expect(tokenAnswer.status).toBe(200);
        const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
        const list = (headers: Record<string, string>) =>
          fetch(`${info.url}/webhooks`, {
            headers: { 'upvest-client-id': info.clientId, ...headers },
          }).then((r) => r.status);
        expect(await list({})).toBe(withoutToken);
        expect(await list({ authorization: `Bearer ${token}` })).toBe(withToken);
      } finally {
        mock.child.kill('SIGTERM');
        await mock.exited;
      }
    },
    30_000,
  );

  it('should demand signatures by default, like the API', async () => {
    const mock = startMockProcess([]);
    try {
      const info = await mock.ready;
      const answer = await fetch(`${info.url}/auth/token`, {
        method: 'POST',
        headers: {
          'upvest-client-id': info.clientId,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: `grant_type=client_credentials&client_id=${info.clientId}&scope=webhooks:read`,
      });
      expect(answer.status).toBe(401);
      expect(await answer.text()).toContain('not signed');
    } finally {
      mock.child.kill('SIGTERM');
      await mock.exited;
    }
  }, 30_000);

  it('should refuse an --auth it does not know', async () => {
    const result = await cli(['mock', '--auth', 'basic']);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.err).toContain('--auth takes signed, token or none');
  });

  it('should refuse a port that is no port', async () => {
    const result = await cli(['mock', '--port', 'http']);
    expect(result.code).toBe(exitCodes.usage);
  });
});

describe('upvest-webhooks verify', () => {
  const pair = generateDeliveryKeyPair();
  const NOW = 1_795_000_000;
  const url = 'https://tenant.tld/hooks/upvest';

  function captured(changeBody?: (body: string) => string) {
    const dir = tempDir();
    const delivery = signDelivery([createDeliveryEvent()], { ...pair, now: NOW, url });
    const files = {
      headers: path.join(dir, 'headers.txt'),
      body: path.join(dir, 'body.json'),
      jwks: path.join(dir, 'jwks.json'),
    };
    writeFileSync(
      files.headers,
      `POST /hooks/upvest HTTP/1.1\n${Object.entries(delivery.headers)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n')}\n`,
    );
    writeFileSync(files.body, changeBody ? changeBody(delivery.body) : delivery.body);
    writeFileSync(files.jwks, JSON.stringify(pair.jwks));
    return ['--headers', files.headers, '--body', files.body, '--jwks', files.jwks];
  }

  it.each([
    ['an untouched capture', () => captured(), url, NOW, 0, /verifies: 1 event/],
    [
      'a body changed on the way',
      () => captured((body) => body.replace('"payload"', '"payload" ')),
      url,
      NOW,
      1,
      /digest_mismatch/,
    ],
    [
      'the wrong path',
      () => captured(),
      'https://tenant.tld/other',
      NOW,
      1,
      /bad_signature: .*checked here as "\/other"/,
    ],
    ['a time after it expired', () => captured(), url, NOW + 3600, 1, /expired/],
  ])('should judge %s', async (_name, files, target, now, code, message) => {
    const result = await cli(['verify', ...files(), '--url', target, '--now', String(now)]);
    expect(result.code).toBe(code);
    expect(result.out).toMatch(message);
  });

  it('should suggest --now with the signing time when a capture is judged too late', async () => {
    const result = await cli(['verify', ...captured(), '--url', url]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/expired/);
    expect(result.out).toContain(`--now ${NOW}`);
  });

  it('should not suggest --now when --now was given', async () => {
    const result = await cli(['verify', ...captured(), '--url', url, '--now', String(NOW + 3600)]);
    expect(result.out).not.toContain('--now');
  });

  it('should point at a key rotation when the keyid is not in the JWKS', async () => {
    const files = captured();
    writeFileSync(files[5]!, JSON.stringify(generateDeliveryKeyPair().jwks));
    const result = await cli(['verify', ...files, '--url', url, '--now', String(NOW)]);
    expect(result.out).toMatch(/unknown_key/);
    expect(result.out).toMatch(/rotated/);
    expect(result.out).toMatch(/minRefetchIntervalMs/);
  });

  it('should say which file is missing', async () => {
    const missing = path.join(tempDir(), 'no-such-file');
    const result = await cli([
      'verify',
      '--headers',
      missing,
      '--body',
      'x',
      '--jwks',
      'y',
      '--url',
      url,
    ]);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.err).toContain(`--headers ${missing} cannot be read (ENOENT)`);
  });

  it('should say so when the body file is missing, as for every other file', async () => {
    const missing = path.join(tempDir(), 'no-body');
    const result = await cli(['verify', ...captured(), '--body', missing, '--url', url]);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.err).toContain(`--body ${missing} cannot be read (ENOENT)`);
  });
});

describe('upvest-webhooks trigger', () => {
  /** A receiver built with the package's own handler, trusting the key the test signs with. */
  async function receiver() {
    const pair = generateDeliveryKeyPair();
    const dir = tempDir();
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(keyFile, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const handed: { id: string; type: string; created_at: string }[] = [];
    const handler = createNodeDeliveryHandler({
      keys: pair.jwks,
      onEvents: (events) => void handed.push(...(events as never[])),
    });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/upvest`;
    return { url, handed, key: ['--key', keyFile, '--key-id', pair.keyId] };
  }
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it.each([
    ['one event type, v6', ['ORDER.FILLED'], ['ORDER.FILLED']],
    ['one event type, v15', ['ORDER.FILLED', '--format', 'v15'], ['ORDER.FILLED']],
    [
      'every type of a category',
      ['ORDER'],
      ['ORDER.NEW', 'ORDER.PROCESSING', 'ORDER.FILLED', 'ORDER.CANCELLED'],
    ],
    [
      'a batch of three',
      ['USER.CREATED', '--batch', '3'],
      ['USER.CREATED', 'USER.CREATED', 'USER.CREATED'],
    ],
  ])('should deliver %s that the package handler accepts', async (_name, args, types) => {
    const target = await receiver();
    const result = await cli(['trigger', ...args, '--to', target.url, ...target.key, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ answers: [{ status: 200 }] });
    expect(target.handed.map((e) => e.type)).toEqual(types);
  });

  it('should redeliver with --duplicate, and the handler hands each event over once', async () => {
    const target = await receiver();
    const result = await cli([
      'trigger',
      'USER.CREATED',
      '--duplicate',
      '--to',
      target.url,
      ...target.key,
      '--json',
    ]);
    expect(
      (JSON.parse(result.out) as { answers: { status: number }[] }).answers.map((a) => a.status),
    ).toEqual([200, 200]);
    expect(target.handed).toHaveLength(1);
  });

  it('should send events out of order with --out-of-order, which the handler puts back in order', async () => {
    const target = await receiver();
    const result = await cli([
      'trigger',
      'ORDER',
      '--out-of-order',
      '--to',
      target.url,
      ...target.key,
      '--json',
    ]);
    const sent = (JSON.parse(result.out) as { events: { type: string }[] }).events.map(
      (e) => e.type,
    );
    expect(sent).toEqual(['ORDER.CANCELLED', 'ORDER.FILLED', 'ORDER.PROCESSING', 'ORDER.NEW']);
    expect(target.handed.map((e) => e.type)).toEqual([...sent].reverse());
  });

  it('should exit 1 when the receiver refuses, e.g. a key it does not trust', async () => {
    const target = await receiver();
    const result = await cli(['trigger', 'USER.CREATED', '--to', target.url]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/HTTP 401/);
    expect(result.out).toMatch(/Keys that verify it \(JWKS\): \{"keys":\[\{"kid"/);
  });

  it('should serve the JWKS with --serve-keys until stopped, as Upvest serves its keys', async () => {
    const target = await receiver();
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    const stop = new AbortController();
    const out: string[] = [];
    const running = runCli(
      ['trigger', 'USER.CREATED', '--to', target.url, '--serve-keys', String(port), '--json'],
      { env: {}, out: (t) => out.push(t), err: () => undefined, stop: stop.signal },
    );
    let keys: unknown;
    for (let tries = 0; (keys === undefined || out.length === 0) && tries < 100; tries++) {
      keys = await fetch(`http://127.0.0.1:${port}/auth/verify_keys`)
        .then((r) => r.json())
        .catch(() => new Promise((resolve) => setTimeout(() => resolve(undefined), 50)));
    }
    expect(keys).toEqual((JSON.parse(out.join('')) as { jwks: unknown }).jwks);
    stop.abort();
    expect(await running).toBe(1); // signed under a fresh key the receiver does not trust
  });

  it('should name the nearest event type for a typo', async () => {
    const result = await cli(['trigger', 'ORDER.FILED', '--to', 'http://127.0.0.1:1/']);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.err).toContain('did you mean ORDER.FILLED?');
  });
});
