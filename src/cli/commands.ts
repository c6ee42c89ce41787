/**
 * The commands of `upvest-webhooks`, one table: each entry carries its usage, its options (and
 * so its help text and its parser) and the code that runs it. Adding a command is adding an
 * entry.
 */
import { webhookLimits } from '../../generated/constants.js';
import type { WebhooksClient } from '../client/webhooks-client.js';
import { probeWebhookUrl, type ProbeOptions } from '../probe/probe.js';
import type { ListWebhooksQuery, Webhook, WebhookCreateRequest } from '../types.js';
import { probeChecklist, webhookTable } from './output.js';

/** One option of a command, as `node:util` `parseArgs` takes it, with its help line. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
}

/** What a command's code is handed. */
interface CommandContext {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** The one positional argument (id or URL), if the command takes one. */
  readonly target: string;
  /** The API client; only for commands that declare `api: true`. */
  readonly client: () => Promise<WebhooksClient>;
  /** Prints a result: JSON under `--json`, else the text `render` makes. */
  readonly show: (value: unknown, render: () => string) => void;
  readonly err: (text: string) => void;
  readonly probeOptions: ProbeOptions;
  /** The environment, for the mock-only settings that are secrets (never flags). */
  readonly env: NodeJS.ProcessEnv;
  /** Stops a long-running command (`mock`) as SIGINT would; for tests. */
  readonly stop?: AbortSignal;
}

/**
 * One command of the table.
 *
 * @example
 * ```ts
 * const keys: Command = { usage: 'keys', summary: 'Show keys.', options: {}, api: true, run: … };
 * ```
 */
export interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positional?: 'id' | 'url' | 'event' | 'action';
  /** Whether it talks to the API (and so takes `--base-url`, `--client-id` and credentials). */
  readonly api: boolean;
  /** Resolves to the exit code (0 unless the command decides otherwise). */
  readonly run: (context: CommandContext) => Promise<number | void>;
}

/** Thrown for a command line that cannot be run as given; exit code 2. */
export class UsageError extends Error {}

/** A command that failed for a reason outside the API (a database, a file), with its exit code. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const { titleMaxLength, delaySeconds, maxPackageSize } = webhookLimits;

const webhookFields = (typeHelp: string) =>
  ({
    title: { type: 'string', description: `a label, at most ${titleMaxLength} characters` },
    url: { type: 'string', description: 'the HTTPS URL deliveries go to (DNS name, no IP)' },
    type: { type: 'string', description: typeHelp },
    delay: {
      type: 'string',
      description: `longest wait between batches, ${delaySeconds.minimum}s to ${delaySeconds.maximum}s`,
    },
    'max-package-size': {
      type: 'string',
      description: `largest batch in bytes, ${maxPackageSize.minimum} to ${maxPackageSize.maximum}`,
    },
  }) as const;

/** Builds a create or update body from flags; numbers are parsed only where the API wants one. */
function bodyFrom(
  values: Readonly<Record<string, string | boolean | undefined>>,
): Record<string, unknown> {
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

function listQuery(values: CommandContext['values']): ListWebhooksQuery {
  const number = (name: string) => {
    const raw = values[name];
    if (typeof raw !== 'string') return {};
    if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} takes a whole number, not ${raw}`);
    return { [name]: Number(raw) };
  };
  return {
    ...(typeof values['sort'] === 'string' ? { sort: values['sort'] } : {}),
    ...(typeof values['order'] === 'string' ? { order: values['order'] } : {}),
    ...number('limit'),
    ...number('offset'),
  } as ListWebhooksQuery;
}

async function probe(context: CommandContext, url: string): Promise<boolean> {
  const raw = context.values['timeout'];
  if (raw !== undefined && (typeof raw !== 'string' || !/^[1-9]\d*$/.test(raw))) {
    throw new UsageError(`--timeout takes a whole number of milliseconds, not ${String(raw)}`);
  }
  const result = await probeWebhookUrl(url, {
    ...(raw ? { timeoutMs: Number(raw) } : {}),
    ...context.probeOptions,
  });
  context.show(result, () => probeChecklist(result));
  return result.ok;
}

const showWebhook = (context: CommandContext, webhook: Webhook, note = '') =>
  context.show(webhook, () => `${webhookTable([webhook])}${note}`);

/** The exit code of a failed probe check (`probe`, `create --probe`). */
export const PROBE_FAILED = 6;

/** Every command but `conformance`, which the bin dispatches to the suite. */
export const commands: Readonly<Record<string, Command>> = {
  list: {
    usage: 'list [--sort field] [--order ASC|DESC] [--limit n] [--offset n] [--all]',
    summary: 'List webhooks. With --all, every page, printed as one page.',
    options: {
      sort: { type: 'string', description: 'created_at, updated_at, title, url or enabled' },
      order: { type: 'string', description: 'ASC or DESC' },
      limit: { type: 'string', description: 'page size, 0 to 1000' },
      offset: { type: 'string', description: 'items to skip (not with --all)' },
      all: { type: 'boolean', description: 'walk every page' },
    },
    api: true,
    async run(context) {
      const query = listQuery(context.values);
      const client = await context.client();
      if (context.values['all']) {
        if (query.offset !== undefined)
          throw new UsageError('--all walks from the first page; drop --offset');
        const data: Webhook[] = [];
        for await (const webhook of client.listAll(query)) data.push(webhook);
        // The same shape as one page, so a script reads `list --json` and `list --all --json` alike.
        const page = {
          meta: {
            offset: 0,
            limit: data.length,
            count: data.length,
            total_count: data.length,
            ...(query.sort ? { sort: query.sort } : {}),
            ...(query.order ? { order: query.order } : {}),
          },
          data,
        };
        context.show(page, () => `${webhookTable(data)}\n\n${data.length} webhooks`);
        return;
      }
      const page = await client.list(query);
      context.show(
        page,
        () =>
          `${webhookTable(page.data)}\n\n${page.data.length} of ${page.meta.total_count} (offset ${page.meta.offset})`,
      );
    },
  },
  get: {
    usage: 'get <id>',
    summary: 'Show one webhook.',
    options: {},
    positional: 'id',
    api: true,
    async run(context) {
      showWebhook(context, await (await context.client()).retrieve(context.target));
    },
  },
  create: {
    usage:
      'create --title <title> --url <https-url> [--type USER,ORDER] [--delay 2s] [--max-package-size 51200] [--probe]',
    summary: 'Register a webhook. It starts disabled; enable it with `enable <id>`.',
    options: {
      ...webhookFields('comma-separated categories, e.g. USER,ORDER (default ALL)'),
      probe: {
        type: 'boolean',
        description: 'probe the URL first; register only if no check fails',
      },
    },
    api: true,
    async run(context) {
      if (
        context.values['probe'] === true &&
        !(await probe(context, String(context.values['url'] ?? '')))
      ) {
        context.err('Not registered: a probe check failed (see above).');
        return PROBE_FAILED;
      }
      const client = await context.client();
      const webhook = await client.create(
        bodyFrom(context.values) as unknown as WebhookCreateRequest,
      );
      showWebhook(
        context,
        webhook,
        `\n\nCreated disabled; start deliveries with: upvest-webhooks enable ${webhook.id}`,
      );
      return 0;
    },
  },
  update: {
    usage:
      'update <id> [--title ...] [--url ...] [--type ...] [--delay ...] [--max-package-size ...]',
    summary: 'Change fields of a webhook; fields not given stay as they are.',
    options: webhookFields('comma-separated categories, e.g. USER,ORDER, or ALL'),
    positional: 'id',
    api: true,
    async run(context) {
      const body = bodyFrom(context.values);
      if (Object.keys(body).length === 0) {
        throw new UsageError(
          'update changes nothing without a field: give --title, --url, --type, --delay or --max-package-size',
        );
      }
      showWebhook(context, await (await context.client()).update(context.target, body));
    },
  },
  enable: {
    usage: 'enable <id>',
    summary: 'Start deliveries to a webhook.',
    options: {},
    positional: 'id',
    api: true,
    async run(context) {
      showWebhook(context, await (await context.client()).enable(context.target));
    },
  },
  disable: {
    usage: 'disable <id>',
    summary: 'Stop deliveries to a webhook.',
    options: {},
    positional: 'id',
    api: true,
    async run(context) {
      showWebhook(context, await (await context.client()).disable(context.target));
    },
  },
  delete: {
    usage: 'delete <id>',
    summary: 'Remove a webhook.',
    options: {},
    positional: 'id',
    api: true,
    async run(context) {
      await (await context.client()).delete(context.target);
      context.show({ ok: true, id: context.target }, () => `Deleted ${context.target}.`);
    },
  },
  test: {
    usage: 'test <id>',
    summary: 'Ask Upvest to send a test delivery.',
    options: {},
    positional: 'id',
    api: true,
    async run(context) {
      await (await context.client()).test(context.target);
      context.show(
        { ok: true, id: context.target },
        () => `Test delivery requested for ${context.target}; Upvest sends it asynchronously.`,
      );
    },
  },
  keys: {
    usage: 'keys',
    summary: 'Show the keys that verify deliveries.',
    options: {},
    api: true,
    async run(context) {
      const keys = await (await context.client()).verificationKeys();
      context.show(keys, () =>
        keys.keys
          .map((key) => `${key.kid ?? '(no kid)'}  ${key.kty ?? 'EC'} ${key.crv ?? 'P-521'}`)
          .join('\n'),
      );
    },
  },
  probe: {
    usage: 'probe <url> [--timeout ms]',
    summary:
      'Check a webhook URL live: public DNS name, TLS 1.2+ with a valid certificate, no redirect, a sane answer to an empty POST. Needs no credentials.',
    options: { timeout: { type: 'string', description: 'total time limit in ms (default 10000)' } },
    positional: 'url',
    api: false,
    async run(context) {
      return (await probe(context, context.target)) ? 0 : PROBE_FAILED;
    },
  },
};
