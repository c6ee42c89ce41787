import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import {
  answer,
  startFaultServer,
  type Fault,
  type FaultServer,
} from '../test-support/fault-server.js';
import { startMockServer, type MockServer } from '../testing/mock-server.js';
import { exitCodes, runCli } from './main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let mock: MockServer;
let env: NodeJS.ProcessEnv;
/** A loopback server that drops every connection at once: no answer, ever. */
const dropper = createServer((socket) => socket.destroy());
let closedUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(dropper.address() as AddressInfo).port}`;
  mock = await startMockServer({ seed: 'documented-examples' });
  env = {
    UPVEST_BASE_URL: mock.url,
    UPVEST_CLIENT_ID: mock.credentials.clientId,
    UPVEST_CLIENT_SECRET: mock.credentials.clientSecret,
    UPVEST_KEY_ID: mock.credentials.keyId,
    UPVEST_PRIVATE_KEY: mock.credentials.privateKey
      ?.export({ format: 'pem', type: 'pkcs8' })
      .toString(),
  };
});
afterAll(async () => {
  await mock.close();
  dropper.close();
});

async function cli(args: string[], environment: NodeJS.ProcessEnv = env) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    env: environment,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const CREATE = [
  'create',
  '--title',
  'CLI webhook',
  '--url',
  'https://tenant.tld/cli',
  '--type',
  'USER,ORDER',
  '--delay',
  '2s',
  '--max-package-size',
  '51200',
];

describe('upvest-webhooks CLI', () => {
  it('should create, show, enable, update, test, list and delete a webhook', async () => {
    const created = await cli([...CREATE, '--json']);
    expect(created.code).toBe(exitCodes.ok);
    const webhook = JSON.parse(created.out) as {
      id: string;
      enabled: boolean;
      type: string[];
      config: object;
    };
    expect(webhook).toMatchObject({
      enabled: false,
      type: ['USER', 'ORDER'],
      config: { delay: '2s', max_package_size: 51200 },
    });

    expect((await cli(['get', webhook.id])).out).toContain('CLI webhook');
    expect((await cli(['enable', webhook.id])).out).toMatch(/yes/);
    expect(
      JSON.parse((await cli(['update', webhook.id, '--title', 'Renamed', '--json'])).out),
    ).toMatchObject({ title: 'Renamed', enabled: true });
    expect((await cli(['test', webhook.id])).out).toContain('Test delivery requested');
    const listed = await cli(['list', '--all', '--json']);
    expect((JSON.parse(listed.out) as { data: { id: string }[] }).data.map((w) => w.id)).toContain(
      webhook.id,
    );
    expect((await cli(['list'])).out).toMatch(/^ID\s+ENABLED\s+TITLE/);
    expect((await cli(['delete', webhook.id])).code).toBe(exitCodes.ok);
    expect((await cli(['get', webhook.id])).code).toBe(exitCodes.apiError);
  });

  it('should print list --all --json in the shape of list --json', async () => {
    const page = JSON.parse((await cli(['list', '--json'])).out) as Record<string, unknown>;
    const all = JSON.parse((await cli(['list', '--all', '--json'])).out) as Record<string, unknown>;
    expect(Object.keys(all).sort()).toEqual(Object.keys(page).sort());
    expect(all).toMatchObject({ meta: { offset: 0 }, data: page['data'] });
  });

  it('should show the batching config and the timestamps in tables', async () => {
    const { out } = await cli(['list']);
    expect(out).toMatch(/DELAY\s+MAX BYTES\s+CREATED\s+UPDATED/);
    expect(out).toContain('2021-07-21T14:10:00.00Z');
    expect(out).toMatch(/\s5s\s/);
  });

  it('should print its version', async () => {
    const pkg = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      version: string;
    };
    const result = await cli(['--version'], {});
    expect(result).toMatchObject({ code: exitCodes.ok, out: pkg.version });
  });

  it('should refuse an update without a field, sending nothing', async () => {
    const before = mock.requestCount;
    const result = await cli(['update', '00000000-0000-4000-8000-000000000000']);
    expect(result.code).toBe(exitCodes.usage);
    expect(result.err).toContain('update changes nothing without a field');
    expect(mock.requestCount).toBe(before);
  });

  it('should suggest the nearest flag and command for a typo', async () => {
    expect((await cli(['list', '--sortt', 'title'])).err).toContain('Did you mean --sort?');
    expect((await cli(['lst'])).err).toContain('did you mean list?');
  });

  it('should print errors as JSON on stdout under --json, usage errors included', async () => {
    const usage = await cli(['list', '--colour', '--json']);
    expect(usage.code).toBe(exitCodes.usage);
    expect(JSON.parse(usage.out)).toMatchObject({ error: { exitCode: 2, code: 'usage' } });
    const invalid = await cli(['create', '--title', 't', '--url', 'http://x.tld/', '--json']);
    expect(JSON.parse(invalid.out)).toMatchObject({
      error: { exitCode: 3, issues: [expect.objectContaining({ code: 'url.scheme_not_https' })] },
    });
  });

  it('should keep help texts true to each command', async () => {
    expect((await cli(['update', '--help'], {})).out).not.toContain('default ALL');
    expect((await cli(['create', '--help'], {})).out).toContain('default ALL');
    const probe = (await cli(['probe', '--help'], {})).out;
    expect(probe).not.toContain('--base-url');
    expect(probe).not.toContain('--client-id');
  });

  it('should show the verification keys', async () => {
    const keys = await cli(['keys', '--json']);
    expect(JSON.parse(keys.out)).toMatchObject({ keys: [{ kty: 'EC', crv: 'P-521' }] });
  });

  it.each<[string, string[], NodeJS.ProcessEnv | undefined, number, string]>([
    [
      'an http URL, refused before sending',
      ['create', '--title', 't', '--url', 'http://10.0.0.1/'],
      undefined,
      exitCodes.invalidInput,
      'url.scheme_not_https',
    ],
    [
      'a delay of 45s, refused before sending',
      ['create', '--title', 't', '--url', 'https://tenant.tld/x', '--delay', '45s'],
      undefined,
      exitCodes.invalidInput,
      'delay.above_maximum',
    ],
    [
      'an unknown flag',
      ['list', '--colour'],
      undefined,
      exitCodes.usage,
      "Unknown option '--colour'",
    ],
    ['a missing id', ['get'], undefined, exitCodes.usage, 'one webhook id'],
    ['an unknown command', ['frobnicate'], undefined, exitCodes.usage, 'unknown command'],
    [
      'an unknown webhook',
      ['get', '00000000-0000-4000-8000-000000000000'],
      undefined,
      exitCodes.apiError,
      'list them with',
    ],
    [
      'missing credentials',
      ['list'],
      { UPVEST_BASE_URL: 'http://127.0.0.1:1' },
      exitCodes.auth,
      'UPVEST_CLIENT_ID',
    ],
    [
      'a wrong client secret',
      ['list'],
      {
        get UPVEST_BASE_URL() {
          return mock.url;
        },
        get UPVEST_CLIENT_ID() {
          return mock.credentials.clientId;
        },
        UPVEST_CLIENT_SECRET: 'wrong-secret-value',
      },
      exitCodes.auth,
      'refused the client credentials',
    ],
    [
      'an API that drops the connection',
      ['list'],
      {
        get UPVEST_BASE_URL() {
          return closedUrl;
        },
        UPVEST_CLIENT_ID: 'c',
        UPVEST_ACCESS_TOKEN: 'dG9rZW4',
      },
      exitCodes.network,
      'got no response',
    ],
    [
      'a key file that does not exist',
      ['list'],
      {
        UPVEST_BASE_URL: 'http://127.0.0.1:1',
        UPVEST_CLIENT_ID: 'c',
        UPVEST_ACCESS_TOKEN: 'dG9rZW4',
        UPVEST_KEY_ID: 'k',
        UPVEST_PRIVATE_KEY_FILE: '/nonexistent/key.pem',
      },
      exitCodes.auth,
      'UPVEST_PRIVATE_KEY_FILE names "/nonexistent/key.pem", which cannot be read (no such file)',
    ],
    [
      'a key that is not a key',
      ['list'],
      {
        UPVEST_BASE_URL: 'http://127.0.0.1:1',
        UPVEST_CLIENT_ID: 'c',
        UPVEST_ACCESS_TOKEN: 'dG9rZW4',
        UPVEST_KEY_ID: 'k',
        UPVEST_PRIVATE_KEY: 'not a pem',
      },
      exitCodes.auth,
      'key',
    ],
    [
      'a malformed --base-url',
      ['list', '--base-url', 'sandbox.upvest.co'],
      { UPVEST_CLIENT_ID: 'c', UPVEST_ACCESS_TOKEN: 'dG9rZW4' },
      exitCodes.usage,
      'must be an http(s) URL',
    ],
  ])('should exit with a clear message for %s', async (_name, args, environment, code, message) => {
    const result = await cli(args, environment ? { ...environment } : env);
    expect(result.code).toBe(code);
    expect(result.err).toContain(message);
    expect(result.err).not.toContain('wrong-secret-value');
    expect(result.err).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  describe('a server that answers what the spec does not allow', () => {
    const servers: FaultServer[] = [];
    afterAll(() => Promise.all(servers.map((server) => server.close())));
    const oauthEnv = (url: string) => ({
      UPVEST_BASE_URL: url,
      UPVEST_CLIENT_ID: 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
      UPVEST_CLIENT_SECRET: 'a-secret-value',
    });

    it.each<[string, Fault]>([
      ['502 from a gateway', answer.html(502)],
      ['a redirect', answer.redirect(302, 'https://login.example/')],
      ['a login page with 200', answer.raw(200, 'text/html', '<html>sign in</html>')],
      ['JSON that is no token', answer.json(200, { hello: 'world' })],
    ])(
      'should call a token endpoint answering %s a server error (exit 1), not a credentials error',
      async (_name, fault) => {
        const server = await startFaultServer({ 'POST /auth/token': [fault] });
        servers.push(server);
        const result = await cli(['list'], oauthEnv(server.url));
        expect(result.code).toBe(exitCodes.apiError);
        expect(result.err).not.toContain('a-secret-value');
      },
    );

    it.each([false, true])(
      'should refuse valid JSON of the wrong shape with exit 1, never print it (--json %s)',
      async (asJson) => {
        const server = await startFaultServer({
          'GET /webhooks': [answer.json(200, { meta: { offset: 0 }, data: [{ id: 1 }] })],
        });
        servers.push(server);
        const result = await cli(['list', ...(asJson ? ['--json'] : [])], {
          UPVEST_BASE_URL: server.url,
          UPVEST_CLIENT_ID: 'c',
          UPVEST_ACCESS_TOKEN: 'dG9rZW4',
        });
        expect(result.code).toBe(exitCodes.apiError);
        expect(result.err).toContain('breaks the spec');
        if (asJson) expect(JSON.parse(result.out)).toMatchObject({ error: { exitCode: 1 } });
        else expect(result.out).toBe('');
      },
    );
  });

  it.each([
    'list',
    'get',
    'create',
    'update',
    'enable',
    'disable',
    'delete',
    'test',
    'keys',
    'probe',
  ])('should explain %s with --help', async (command) => {
    const result = await cli([command, '--help'], {});
    expect(result.code).toBe(exitCodes.ok);
    expect(result.out).toContain(`Usage: upvest-webhooks ${command}`);
  });

  it('should run as the bin, conformance included', async () => {
    const bin = ['--import', 'tsx', 'bin/upvest-webhooks.ts'];
    const { stdout } = await promisify(execFile)(process.execPath, [...bin, 'list', '--json'], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    expect((JSON.parse(stdout) as { meta: object }).meta).toBeDefined();
    const conformance = await promisify(execFile)(
      process.execPath,
      [
        ...bin,
        'conformance',
        '--profile',
        'negative',
        '--json',
        '/dev/null',
        '--junit',
        '/dev/null',
      ],
      { cwd: root },
    );
    expect(conformance.stdout).toContain('PASSED');
  });
});
