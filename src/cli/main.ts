import { parseArgs } from 'node:util';
import { readEnvironment } from './environment.js';
import {
  createWebhooksClient,
  UPVEST_SANDBOX_URL,
  type WebhooksClient,
} from '../client/webhooks-client.js';
import {
  UpvestApiError,
  UpvestAuthenticationError,
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestTimeoutError,
  UpvestValidationError,
  UpvestWebhooksError,
} from '../errors.js';
import type { Webhook, WebhookCreateRequest } from '../types.js';
import {
  probeWebhookUrl,
  type ProbeOptions,
  type ProbeResult,
  type ProbeStatus,
} from '../probe/probe.js';

/** Exit codes scripts can rely on. */
export const exitCodes = {
  ok: 0,
  /** The API answered an error status (or a conformance check failed). */
  apiError: 1,
  /** The command line was wrong. */
  usage: 2,
  /** The input broke a rule or the schema; nothing was sent. */
  invalidInput: 3,
  /** No answer: network failure or timeout. */
  network: 4,
  /** Credentials or keys missing, unusable or refused. */
  auth: 5,
  /** A probe check failed (`probe`, `create --probe`). */
  probeFailed: 6,
} as const;

/** Where the CLI writes and what it reads, injectable for tests. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const GLOBAL_HELP = `Usage: upvest-webhooks <command> [options]

Manage Upvest webhook subscriptions and check an API against the spec.

Commands:
  list                 list webhooks (one page, or --all)
  get <id>             show one webhook
  create               register a webhook (starts disabled)
  update <id>          change fields of a webhook
  enable <id>          start deliveries
  disable <id>         stop deliveries
  delete <id>          remove a webhook
  test <id>            ask Upvest to send a test delivery
  keys                 show the keys that verify deliveries
  probe <url>          check a webhook URL live before registering it (TLS, redirects)
  conformance          run the conformance suite (see: upvest-webhooks conformance --help)

Every command takes --help and --json (machine-readable output).

Configuration (environment; flags where shown):
  UPVEST_BASE_URL      --base-url   API base URL (default ${UPVEST_SANDBOX_URL})
  UPVEST_CLIENT_ID     --client-id  your client id
  UPVEST_CLIENT_SECRET              exchanged for tokens at POST /auth/token
  UPVEST_ACCESS_TOKEN               or a token you already have
  UPVEST_KEY_ID                     the id of your signing key
  UPVEST_PRIVATE_KEY / UPVEST_PRIVATE_KEY_FILE   your ECDSA P-521 private key (PEM)
Secrets are read from the environment only, never from flags.

Exit codes: 0 ok, 1 API error, 2 usage, 3 invalid input (nothing sent), 4 network, 5 credentials,
6 a probe check failed.`;

interface CommandSpec {
  readonly usage: string;
  readonly summary: string;
  readonly options: Record<string, { type: 'string' | 'boolean'; description: string }>;
  readonly positional?: 'id' | 'url';
}

const common = {
  json: { type: 'boolean', description: 'print JSON instead of a table' },
  help: { type: 'boolean', description: 'show this help' },
  'base-url': { type: 'string', description: 'API base URL (or UPVEST_BASE_URL)' },
  'client-id': { type: 'string', description: 'client id (or UPVEST_CLIENT_ID)' },
} as const;

const fields = {
  title: { type: 'string', description: 'a label, at most 100 characters' },
  url: { type: 'string', description: 'the HTTPS URL deliveries go to (DNS name, no IP)' },
  type: {
    type: 'string',
    description: 'comma-separated categories, e.g. USER,ORDER (default ALL)',
  },
  delay: { type: 'string', description: 'longest wait between batches, 1s to 30s' },
  'max-package-size': { type: 'string', description: 'largest batch in bytes, 100 to 1048576' },
} as const;

const commands: Record<string, CommandSpec> = {
  list: {
    usage: 'list [--sort field] [--order ASC|DESC] [--limit n] [--offset n] [--all]',
    summary: 'List webhooks.',
    options: {
      sort: { type: 'string', description: 'created_at, updated_at, title, url or enabled' },
      order: { type: 'string', description: 'ASC or DESC' },
      limit: { type: 'string', description: 'page size, 0 to 1000' },
      offset: { type: 'string', description: 'items to skip' },
      all: { type: 'boolean', description: 'walk every page' },
    },
  },
  get: { usage: 'get <id>', summary: 'Show one webhook.', options: {}, positional: 'id' },
  create: {
    usage:
      'create --title <title> --url <https-url> [--type USER,ORDER] [--delay 2s] [--max-package-size 51200] [--probe]',
    summary: 'Register a webhook. It starts disabled; enable it with `enable <id>`.',
    options: {
      ...fields,
      probe: {
        type: 'boolean',
        description: 'probe the URL first; register only if no check fails',
      },
    },
  },
  update: {
    usage:
      'update <id> [--title ...] [--url ...] [--type ...] [--delay ...] [--max-package-size ...]',
    summary: 'Change fields of a webhook.',
    options: fields,
    positional: 'id',
  },
  enable: {
    usage: 'enable <id>',
    summary: 'Start deliveries to a webhook.',
    options: {},
    positional: 'id',
  },
  disable: {
    usage: 'disable <id>',
    summary: 'Stop deliveries to a webhook.',
    options: {},
    positional: 'id',
  },
  delete: { usage: 'delete <id>', summary: 'Remove a webhook.', options: {}, positional: 'id' },
  test: {
    usage: 'test <id>',
    summary: 'Ask Upvest to send a test delivery.',
    options: {},
    positional: 'id',
  },
  keys: { usage: 'keys', summary: 'Show the keys that verify deliveries.', options: {} },
  probe: {
    usage: 'probe <url> [--timeout ms]',
    summary:
      'Check a webhook URL live: public DNS name, TLS 1.2+ with a valid certificate, no redirect, a sane answer to an empty POST.',
    options: { timeout: { type: 'string', description: 'total time limit in ms (default 10000)' } },
    positional: 'url',
  },
};

function helpFor(name: string, spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, ...common }).map(
    ([flag, option]) => `  --${flag.padEnd(20)} ${option.description}`,
  );
  return `Usage: upvest-webhooks ${spec.usage}\n\n${spec.summary}\n\nOptions:\n${rows.join('\n')}\n\nSee upvest-webhooks --help for configuration and exit codes.`;
}

class UsageError extends Error {}

async function clientFrom(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Promise<WebhooksClient> {
  const settings = await readEnvironment(env);
  const clientId = (values['client-id'] as string | undefined) ?? settings.clientId;
  if (!clientId) throw new UpvestConfigurationError('set UPVEST_CLIENT_ID (or pass --client-id)');
  const { accessToken, clientSecret, keyId, privateKey } = settings;
  if (!accessToken && !clientSecret) {
    throw new UpvestConfigurationError('set UPVEST_CLIENT_SECRET (or UPVEST_ACCESS_TOKEN)');
  }
  return createWebhooksClient({
    baseUrl: (values['base-url'] as string | undefined) ?? settings.baseUrl ?? UPVEST_SANDBOX_URL,
    clientId,
    ...(accessToken ? { accessToken } : { clientSecret: clientSecret ?? '' }),
    ...(keyId !== undefined ? { keyId } : {}),
    ...(privateKey !== undefined ? { privateKey } : {}),
    responseValidation: 'warn',
    onResponseIssues: () => undefined,
  });
}

/** Builds a create or update body from flags; numbers are parsed only where the API wants one. */
function bodyFrom(values: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (values['title'] !== undefined) body['title'] = values['title'];
  if (values['url'] !== undefined) body['url'] = values['url'];
  if (typeof values['type'] === 'string')
    body['type'] = values['type']
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
  const config: Record<string, unknown> = {};
  if (values['delay'] !== undefined) config['delay'] = values['delay'];
  const size = values['max-package-size'];
  if (typeof size === 'string')
    config['max_package_size'] = /^\d+$/.test(size) ? Number(size) : size;
  if (Object.keys(config).length > 0) body['config'] = config;
  return body;
}

function webhookTable(webhooks: readonly Webhook[]): string {
  const rows = [
    ['ID', 'ENABLED', 'TITLE', 'CATEGORIES', 'URL'],
    ...webhooks.map((w) => [w.id, w.enabled ? 'yes' : 'no', w.title, w.type.join(','), w.url]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const MARK: Record<ProbeStatus, string> = {
  pass: 'ok  ',
  warn: 'warn',
  fail: 'FAIL',
  skip: 'skip',
};

function probeChecklist(result: ProbeResult): string {
  const lines = result.checks.map(
    (check) => `[${MARK[check.status]}] ${check.name.padEnd(14)} ${check.message}`,
  );
  return `${lines.join('\n')}\n\n${result.ok ? 'No check failed' : 'A check failed'} (${result.durationMs} ms).`;
}

function describeError(error: unknown): { code: number; message: string } {
  if (error instanceof UsageError) return { code: exitCodes.usage, message: error.message };
  if (error instanceof UpvestValidationError) {
    return {
      code: exitCodes.invalidInput,
      message: `Nothing was sent; fix these and try again:\n${error.issues.map((i) => `  ${i.path || '(input)'}: ${i.message} [${i.code}]`).join('\n')}`,
    };
  }
  if (error instanceof UpvestAuthenticationError || error instanceof UpvestConfigurationError) {
    return {
      code: exitCodes.auth,
      message: `${error.message}\nSee upvest-webhooks --help for the environment variables.`,
    };
  }
  if (error instanceof UpvestApiError) {
    const hint =
      error.status === 401
        ? ' Check the client id, secret or token, and the signing key.'
        : error.status === 403
          ? ' The token lacks the scope for this operation.'
          : error.status === 404
            ? ' No webhook has this id; list them with `upvest-webhooks list`.'
            : '';
    return { code: exitCodes.apiError, message: `${error.message}.${hint}` };
  }
  if (error instanceof UpvestNetworkError || error instanceof UpvestTimeoutError)
    return { code: exitCodes.network, message: error.message };
  if (error instanceof UpvestWebhooksError)
    return { code: exitCodes.apiError, message: error.message };
  return {
    code: exitCodes.apiError,
    message: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Runs one CLI command and returns its exit code. `conformance` is dispatched by the bin.
 * `probeOptions` reach `probeWebhookUrl` (tests use them to trust a test CA).
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), { env: process.env, out: console.log, err: console.error });
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  probeOptions: ProbeOptions = {},
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(GLOBAL_HELP);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const spec = commands[name];
  if (!spec) {
    io.err(`unknown command ${JSON.stringify(name)}\n\n${GLOBAL_HELP}`);
    return exitCodes.usage;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { ...spec.options, ...common },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(
        `${error instanceof Error ? error.message : String(error)}\n\n${helpFor(name, spec)}`,
      );
    }
    // The options differ per command, so parseArgs cannot type them for all commands at once.
    const values = parsed.values as Record<string, string | boolean | undefined>;
    const positionals = parsed.positionals;
    if (values.help) {
      io.out(helpFor(name, spec));
      return exitCodes.ok;
    }
    const expected = spec.positional ? 1 : 0;
    if (positionals.length !== expected) {
      const what =
        spec.positional === 'url'
          ? 'one URL'
          : spec.positional
            ? 'one webhook id'
            : 'no positional arguments';
      throw new UsageError(`${name} takes ${what}\n\n${helpFor(name, spec)}`);
    }
    const id = positionals[0] ?? '';
    const json = values.json === true;
    const show = (value: unknown, table: () => string) =>
      io.out(json ? JSON.stringify(value, null, 2) : table());
    const timeout = typeof values['timeout'] === 'string' ? Number(values['timeout']) : undefined;
    const probe = async (url: string) => {
      const result = await probeWebhookUrl(url, {
        ...(timeout ? { timeoutMs: timeout } : {}),
        ...probeOptions,
      });
      show(result, () => probeChecklist(result));
      return result.ok;
    };
    if (name === 'probe') return (await probe(id)) ? exitCodes.ok : exitCodes.probeFailed;
    if (
      name === 'create' &&
      values['probe'] === true &&
      !(await probe(String(values['url'] ?? '')))
    ) {
      io.err('Not registered: a probe check failed (see above).');
      return exitCodes.probeFailed;
    }
    const client = await clientFrom(values, io.env);
    switch (name) {
      case 'list': {
        const query = {
          ...(typeof values['sort'] === 'string' ? { sort: values['sort'] } : {}),
          ...(typeof values['order'] === 'string' ? { order: values['order'] } : {}),
          ...(typeof values['limit'] === 'string' ? { limit: Number(values['limit']) } : {}),
          ...(typeof values['offset'] === 'string' ? { offset: Number(values['offset']) } : {}),
        } as never;
        if (values['all']) {
          const all: Webhook[] = [];
          for await (const webhook of client.listAll(query)) all.push(webhook);
          show(all, () => webhookTable(all));
        } else {
          const page = await client.list(query);
          show(
            page,
            () =>
              `${webhookTable(page.data)}\n\n${page.data.length} of ${page.meta.total_count} (offset ${page.meta.offset})`,
          );
        }
        break;
      }
      case 'get': {
        const webhook = await client.retrieve(id);
        show(webhook, () => webhookTable([webhook]));
        break;
      }
      case 'create': {
        const webhook = await client.create(bodyFrom(values) as unknown as WebhookCreateRequest);
        show(
          webhook,
          () =>
            `${webhookTable([webhook])}\n\nCreated disabled; start deliveries with: upvest-webhooks enable ${webhook.id}`,
        );
        break;
      }
      case 'update': {
        const webhook = await client.update(id, bodyFrom(values));
        show(webhook, () => webhookTable([webhook]));
        break;
      }
      case 'enable':
      case 'disable': {
        const webhook = await client[name](id);
        show(webhook, () => webhookTable([webhook]));
        break;
      }
      case 'delete':
      case 'test': {
        await client[name](id);
        show({ ok: true, id }, () =>
          name === 'delete'
            ? `Deleted ${id}.`
            : `Test delivery requested for ${id}; Upvest sends it asynchronously.`,
        );
        break;
      }
      case 'keys': {
        const keys = await client.verificationKeys();
        show(keys, () =>
          keys.keys
            .map((key) => `${key.kid ?? '(no kid)'}  ${key.kty ?? 'EC'} ${key.crv ?? 'P-521'}`)
            .join('\n'),
        );
        break;
      }
    }
    return exitCodes.ok;
  } catch (error) {
    const { code, message } = describeError(error);
    io.err(message);
    return code;
  }
}
