import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect((JSON.parse(listed.out) as { id: string }[]).map((w) => w.id)).toContain(webhook.id);
    expect((await cli(['list'])).out).toMatch(/^ID\s+ENABLED\s+TITLE/);
    expect((await cli(['delete', webhook.id])).code).toBe(exitCodes.ok);
    expect((await cli(['get', webhook.id])).code).toBe(exitCodes.apiError);
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
  ])('should exit with a clear message for %s', async (_name, args, environment, code, message) => {
    const result = await cli(args, environment ? { ...environment } : env);
    expect(result.code).toBe(code);
    expect(result.err).toContain(message);
    expect(result.err).not.toContain('wrong-secret-value');
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
    const bin = ['--import', 'tsx', 'conformance/bin.ts'];
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
