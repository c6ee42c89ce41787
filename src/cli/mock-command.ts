/**
 * `upvest-webhooks mock`: the embedded mock as a long-running server for services in any
 * language. It prints its base URL and the tenant's credentials, can write them as a `.env` file
 * with the private key beside it as PEM, can keep its webhooks (and credentials) in a state file
 * across restarts, and stops cleanly on SIGINT or SIGTERM.
 */
import { createPublicKey, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INSPECTOR_PATH } from '../testing/inspector/page.js';
import { startMockServer, type MockServer } from '../testing/mock-server.js';
import type { Webhook } from '../types.js';
import { UsageError, type Command } from './commands.js';
import { untilStopped } from './until-stopped.js';

/** What `--state` keeps: the tenant the mock serves, and its webhooks. */
interface MockState {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly keyId: string;
  readonly privateKeyPem: string;
  readonly webhooks: readonly Webhook[];
}

function readState(file: string): MockState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as MockState;
  } catch {
    throw new UsageError(`--state ${file} is not a state file this command wrote`);
  }
}

function pemOf(key: KeyObject | undefined): string {
  return key ? key.export({ format: 'pem', type: 'pkcs8' }).toString() : '';
}

/** The `.env` lines a service needs to talk to the mock, with the key file they name. */
function environmentOf(
  mock: MockServer,
  keyFile: string | undefined,
  adminToken: string | undefined,
): string[] {
  return [
    `UPVEST_BASE_URL=${mock.url}`,
    `UPVEST_CLIENT_ID=${mock.credentials.clientId}`,
    `UPVEST_CLIENT_SECRET=${mock.credentials.clientSecret}`,
    `UPVEST_KEY_ID=${mock.credentials.keyId}`,
    ...(keyFile ? [`UPVEST_PRIVATE_KEY_FILE=${keyFile}`] : []),
    ...(adminToken ? [`UPVEST_MOCK_ADMIN_TOKEN=${adminToken}`] : []),
  ];
}

/** `--admin-host a,b` as lower-case names; none when not given. */
function adminHosts(value: string | boolean | undefined): string[] {
  if (typeof value !== 'string') return [];
  const hosts = value
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  if (hosts.some((host) => !/^[a-z0-9.:[\]-]+$/.test(host))) {
    throw new UsageError(`--admin-host takes comma-separated host names, not ${value}`);
  }
  return hosts;
}

/** What a caller must send when the mock does not demand what the API demands. */
const AUTH_NOTES = {
  token: '(--auth token: requests need a bearer token from POST /auth/token, no signature)',
  none: '(--auth none: requests need neither a signature nor a token, only upvest-client-id)',
} as const;

type Values = Readonly<Record<string, string | boolean | undefined>>;

interface ServerFlags {
  readonly port: number;
  readonly auth: 'signed' | 'token' | 'none';
  readonly seedName: 'documented-examples' | 'none';
}

/** `--port`, `--auth` and `--seed`, checked: a usage error for the first one that is wrong. */
function serverFlags(values: Values): ServerFlags {
  const port = values['port'] === undefined ? 0 : Number(values['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port takes a port number, not ${String(values['port'])}`);
  }
  const auth = (values['auth'] as string | undefined) ?? 'signed';
  if (auth !== 'signed' && auth !== 'token' && auth !== 'none') {
    throw new UsageError(`--auth takes signed, token or none, not ${auth}`);
  }
  const seedName = (values['seed'] as string | undefined) ?? 'documented-examples';
  if (seedName !== 'documented-examples' && seedName !== 'none') {
    throw new UsageError(`--seed takes documented-examples or none, not ${seedName}`);
  }
  return { port, auth, seedName };
}

/** The mock as the flags say; the tenant and the webhooks of `saved` when a state file had them. */
function startMock(
  values: Values,
  { port, auth, seedName }: ServerFlags,
  saved: MockState | undefined,
  adminToken: string | undefined,
): Promise<MockServer> {
  // A state written under --auth token or none holds no key: a signed restart makes a new one.
  const savedKey = saved?.privateKeyPem ? createPrivateKey(saved.privateKeyPem) : undefined;
  return startMockServer({
    port,
    host: (values['host'] as string | undefined) ?? '127.0.0.1',
    seed: saved ? saved.webhooks : seedName === 'none' ? [] : 'documented-examples',
    ...(saved
      ? {
          clientId: saved.clientId,
          clientSecret: saved.clientSecret,
          ...(savedKey
            ? { signingKey: { keyId: saved.keyId, publicKey: createPublicKey(savedKey) } }
            : {}),
        }
      : {}),
    ...(auth === 'signed' ? {} : { requestSignatures: 'off' as const }),
    ...(auth === 'none' ? { accessTokens: 'off' as const } : {}),
    ...(typeof values['deliver-to'] === 'string' ? { deliveryTarget: values['deliver-to'] } : {}),
    adminHosts: adminHosts(values['admin-host']),
    ...(adminToken ? { adminToken } : {}),
  });
}

/** Writes the mock's tenant and webhooks to `--state`'s file; nothing without one. */
function saveState(stateFile: string | undefined, mock: MockServer, privateKeyPem: string): void {
  if (!stateFile) return;
  const state: MockState = {
    clientId: mock.credentials.clientId,
    clientSecret: mock.credentials.clientSecret,
    keyId: mock.credentials.keyId,
    privateKeyPem,
    webhooks: mock.webhooks(),
  };
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Writes `--write-env`'s file, and the key as PEM beside it when there is one: its path. */
function writeEnvironment(
  envFile: string,
  mock: MockServer,
  privateKeyPem: string,
  adminToken: string | undefined,
): string | undefined {
  let keyFile: string | undefined;
  if (privateKeyPem) {
    keyFile = path.resolve(`${envFile}.private-key.pem`);
    writeFileSync(keyFile, privateKeyPem, { mode: 0o600 });
  }
  writeFileSync(envFile, `${environmentOf(mock, keyFile, adminToken).join('\n')}\n`, {
    mode: 0o600,
  });
  return keyFile;
}

/** Calls `save` each second the webhooks changed; the timer to clear when the mock stops. */
function saveOnChange(mock: MockServer, save: () => void): ReturnType<typeof setInterval> {
  // Webhooks change with requests: the state file follows, so a kill -9 loses a second at most.
  let last = JSON.stringify(mock.webhooks());
  return setInterval(() => {
    const now = JSON.stringify(mock.webhooks());
    if (now !== last) {
      last = now;
      save();
    }
  }, 1000);
}

/** Where the mock's credentials went, and the admin token when it demands one. */
interface Written {
  readonly keyFile: string | undefined;
  readonly envFile: string | undefined;
  readonly adminToken: string | undefined;
}

/** What the mock prints for a person: where it listens, its `.env` lines, its admin endpoints. */
function startText(
  mock: MockServer,
  values: Values,
  auth: ServerFlags['auth'],
  { keyFile, envFile, adminToken }: Written,
): string {
  return [
    `upvest-webhooks mock listening on ${mock.url} (a mock of the API; nothing reaches Upvest)`,
    '',
    ...environmentOf(mock, keyFile, adminToken),
    ...(auth === 'signed'
      ? keyFile
        ? []
        : ['(the private key: use --write-env FILE to get it as PEM)']
      : [AUTH_NOTES[auth]]),
    ...(envFile ? ['', `written to ${envFile}`] : []),
    '',
    `Mock-only admin endpoints (${adminToken ? 'authorization: Bearer $UPVEST_MOCK_ADMIN_TOKEN' : 'no credentials'}; requests addressed to loopback${values['admin-host'] ? ` or ${String(values['admin-host'])}` : ''} only): POST ${mock.url}/__mock/events {"type":"ORDER.FILLED"}`,
    `delivers signed events to enabled webhooks${typeof values['deliver-to'] === 'string' ? '' : ' (needs --deliver-to)'}; POST ${mock.url}/__mock/faults {"kind":"rate_limited","retryAfterSeconds":1}`,
    'fails the next request; GET /__mock/deliveries lists what was sent.',
    `The inspector page shows requests and deliveries live: ${mock.url}${INSPECTOR_PATH}`,
    '',
    ...(values['open'] === true ? [`inspector: ${mock.url}${INSPECTOR_PATH}`, ''] : []),
    'Stop with Ctrl-C.',
  ].join('\n');
}

/**
 * The `mock` command of the table in commands.ts.
 *
 * @example
 * ```ts
 * await mockCommand.run(context); // resolves once SIGINT or SIGTERM stopped the mock
 * ```
 */
export const mockCommand: Command = {
  usage:
    'mock [--port 4010] [--host 127.0.0.1] [--auth signed|token|none] [--seed documented-examples|none] [--deliver-to URL] [--write-env FILE] [--state FILE] [--admin-host NAMES] [--admin-token] [--open]',
  summary:
    'Run the embedded mock of the API as a server, for a service in any language. Prints the base URL and the credentials of its tenant; stops on Ctrl-C or SIGTERM. Mock-only: nothing here talks to Upvest.',
  options: {
    port: { type: 'string', description: 'port to listen on (default: any free one)' },
    host: { type: 'string', description: 'interface to listen on (default 127.0.0.1)' },
    auth: {
      type: 'string',
      description:
        'what API requests must carry: signed (default, like the API: a v15 signature and a token), token (a bearer token only, for curl) or none',
    },
    seed: { type: 'string', description: 'documented-examples (default) or none' },
    'deliver-to': { type: 'string', description: 'where test deliveries go (your receiver URL)' },
    'write-env': {
      type: 'string',
      description: 'write the credentials as a .env file, the key as PEM beside it',
    },
    state: {
      type: 'string',
      description: 'keep webhooks and credentials in this file across restarts',
    },
    'admin-host': {
      type: 'string',
      description:
        'comma-separated host names the /__mock/ endpoints answer besides loopback ones (e.g. a compose service name)',
    },
    'admin-token': {
      type: 'boolean',
      description:
        'require a bearer token on /__mock/ endpoints: UPVEST_MOCK_ADMIN_TOKEN, or a fresh one that is printed',
    },
    open: {
      type: 'boolean',
      description:
        'print the address of the inspector page (/__mock/ui) to open in a browser; launches none',
    },
  },
  api: false,
  async run(context) {
    const { values } = context;
    const flags = serverFlags(values);
    // A secret: from the environment, or made here and printed, never from a flag.
    const adminToken =
      values['admin-token'] === true
        ? context.env['UPVEST_MOCK_ADMIN_TOKEN'] || randomBytes(24).toString('base64url')
        : undefined;
    const stateFile = values['state'] as string | undefined;
    const saved = stateFile ? readState(stateFile) : undefined;
    const mock = await startMock(values, flags, saved, adminToken);
    const privateKeyPem = saved?.privateKeyPem || pemOf(mock.credentials.privateKey);
    const save = () => saveState(stateFile, mock, privateKeyPem);
    const envFile = values['write-env'] as string | undefined;
    const keyFile = envFile
      ? writeEnvironment(envFile, mock, privateKeyPem, adminToken)
      : undefined;
    save();
    const keeper = saveOnChange(mock, save);
    context.show(
      {
        url: mock.url,
        clientId: mock.credentials.clientId,
        clientSecret: mock.credentials.clientSecret,
        keyId: mock.credentials.keyId,
        ...(keyFile ? { privateKeyFile: keyFile } : {}),
        ...(envFile ? { envFile } : {}),
        ...(stateFile ? { stateFile } : {}),
        ...(adminToken ? { adminToken } : {}),
        ...(values['open'] === true ? { inspector: `${mock.url}${INSPECTOR_PATH}` } : {}),
      },
      () => startText(mock, values, flags.auth, { keyFile, envFile, adminToken }),
    );
    const reason = await untilStopped(context.stop);
    clearInterval(keeper);
    save();
    await mock.close();
    context.err(`mock stopped (${reason})`);
    return 0;
  },
};
