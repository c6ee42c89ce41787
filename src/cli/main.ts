import { parseArgs } from 'node:util';
import { UPVEST_SANDBOX_URL } from '../client/options.js';
import { createWebhooksClient, type WebhooksClient } from '../client/webhooks-client.js';
import {
  UpvestApiError,
  UpvestAuthenticationError,
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestTimeoutError,
  UpvestValidationError,
  UpvestWebhooksError,
} from '../errors.js';
import type { ProbeOptions } from '../probe/probe.js';
import type { ValidationIssue } from '../validation-issue.js';
import {
  commands,
  CommandFailure,
  PROBE_FAILED,
  UsageError,
  type Command,
  type OptionSpec,
} from './commands.js';
import { packageVersion } from '../version.js';
import { readEnvironment } from '../environment.js';
import { createRedactor } from '../wire/redact.js';
import { nearest } from './suggest.js';
import { triggerCommand } from './trigger-command.js';
import { mockCommand } from './mock-command.js';
import { verifyCommand } from './verify-command.js';
import { inboxCommand } from './inbox-command.js';

/** Every command but `conformance`, which the bin dispatches to the suite. */
const allCommands: Readonly<Record<string, Command>> = {
  ...commands,
  verify: verifyCommand,
  mock: mockCommand,
  trigger: triggerCommand,
  inbox: inboxCommand,
};

/** Exit codes scripts can rely on. */
export const exitCodes = {
  ok: 0,
  /** The API answered an error status, or an answer broke the spec (or a conformance check failed). */
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
  probeFailed: PROBE_FAILED,
} as const;

/** Where the CLI writes and what it reads, injectable for tests. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Stops a long-running command as SIGINT would; for tests. */
  readonly stop?: AbortSignal;
}

const GLOBAL_HELP = `Usage: upvest-webhooks <command> [options]

Manage Upvest webhook subscriptions and check an API against the spec.

Commands:
${Object.entries(allCommands)
  .map(
    ([name, command]) =>
      `  ${name.padEnd(20)} ${command.summary.split('. ')[0]?.replace(/\.$/, '')}`,
  )
  .join('\n')}
  conformance          run the conformance suite (see: upvest-webhooks conformance --help)

Every command takes --help and --json (machine-readable output, errors included).
upvest-webhooks --version prints the version.

Configuration (environment; flags where shown):
  UPVEST_BASE_URL      --base-url   API base URL (default ${UPVEST_SANDBOX_URL})
  UPVEST_CLIENT_ID     --client-id  your client id
  UPVEST_CLIENT_SECRET              exchanged for tokens at POST /auth/token
  UPVEST_ACCESS_TOKEN               or a token you already have
  UPVEST_KEY_ID                     the id of your signing key
  UPVEST_PRIVATE_KEY / UPVEST_PRIVATE_KEY_FILE   your ECDSA P-521 private key (PEM)
Secrets are read from the environment only, never from flags.

Exit codes: 0 ok, 1 API error or an answer that breaks the spec, 2 usage, 3 invalid input
(nothing sent), 4 network, 5 credentials or keys, 6 a probe check failed.`;

const outputOptions = {
  json: { type: 'boolean', description: 'print JSON instead of a table (errors too)' },
  help: { type: 'boolean', description: 'show this help' },
} as const satisfies Record<string, OptionSpec>;

const connectionOptions = {
  'base-url': { type: 'string', description: 'API base URL (or UPVEST_BASE_URL)' },
  'client-id': { type: 'string', description: 'client id (or UPVEST_CLIENT_ID)' },
} as const satisfies Record<string, OptionSpec>;

function optionsOf(command: Command): Record<string, OptionSpec> {
  return { ...command.options, ...(command.api ? connectionOptions : {}), ...outputOptions };
}

function helpFor(name: string, command: Command): string {
  const rows = Object.entries(optionsOf(command)).map(
    ([flag, option]) => `  --${flag.padEnd(20)} ${option.description}`,
  );
  return `Usage: upvest-webhooks ${command.usage}\n\n${command.summary}\n\nOptions:\n${rows.join('\n')}\n\nSee upvest-webhooks --help for configuration and exit codes.`;
}

function checkedBaseUrl(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new UsageError(
      `--base-url (or UPVEST_BASE_URL) must be an http(s) URL such as ${UPVEST_SANDBOX_URL}, not ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

async function clientFrom(
  values: Readonly<Record<string, string | boolean | undefined>>,
  env: NodeJS.ProcessEnv,
): Promise<WebhooksClient> {
  const baseUrl = checkedBaseUrl(
    (values['base-url'] as string | undefined) ?? env['UPVEST_BASE_URL'] ?? UPVEST_SANDBOX_URL,
  );
  const settings = await readEnvironment(env);
  const clientId = (values['client-id'] as string | undefined) ?? settings.clientId;
  if (!clientId) throw new UpvestConfigurationError('set UPVEST_CLIENT_ID (or pass --client-id)');
  const { accessToken, clientSecret, keyId, privateKey } = settings;
  if (!accessToken && !clientSecret) {
    throw new UpvestConfigurationError('set UPVEST_CLIENT_SECRET (or UPVEST_ACCESS_TOKEN)');
  }
  return createWebhooksClient({
    baseUrl,
    clientId,
    ...(accessToken ? { accessToken } : { clientSecret: clientSecret ?? '' }),
    ...(keyId !== undefined ? { keyId } : {}),
    ...(privateKey !== undefined ? { privateKey } : {}),
    // An answer that breaks the spec must not be printed as if it were data (a table would
    // crash on it, `--json` would pass it on): it is an error. Added fields are tolerated.
    responseValidation: 'strict',
  });
}

interface Described {
  readonly code: number;
  readonly message: string;
  readonly errorCode: string;
  readonly issues?: readonly ValidationIssue[];
}

function issueLines(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `  ${i.path || '(input)'}: ${i.message} [${i.code}]`).join('\n');
}

function describeError(error: unknown): Described {
  if (error instanceof UsageError) {
    return { code: exitCodes.usage, message: error.message, errorCode: 'usage' };
  }
  if (error instanceof CommandFailure) {
    return { code: error.exitCode, message: error.message, errorCode: 'command_failed' };
  }
  if (error instanceof UpvestValidationError) {
    return {
      code: exitCodes.invalidInput,
      message: `Nothing was sent; fix these and try again:\n${issueLines(error.issues)}`,
      errorCode: error.code,
      issues: error.issues,
    };
  }
  if (error instanceof UpvestAuthenticationError || error instanceof UpvestConfigurationError) {
    return {
      code: exitCodes.auth,
      message: `${error.message}\nSee upvest-webhooks --help for the environment variables.`,
      errorCode: error.code,
    };
  }
  if (error instanceof UpvestResponseError) {
    return {
      code: exitCodes.apiError,
      message: `${error.message}${error.issues.length > 0 ? `\n${issueLines(error.issues)}` : ''}`,
      errorCode: error.code,
      issues: error.issues,
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
    return { code: exitCodes.apiError, message: `${error.message}.${hint}`, errorCode: error.code };
  }
  if (error instanceof UpvestNetworkError || error instanceof UpvestTimeoutError)
    return { code: exitCodes.network, message: error.message, errorCode: error.code };
  if (error instanceof UpvestWebhooksError)
    return { code: exitCodes.apiError, message: error.message, errorCode: error.code };
  return {
    code: exitCodes.apiError,
    message: error instanceof Error ? error.message : String(error),
    errorCode: 'unexpected',
  };
}

function parse(name: string, command: Command, args: readonly string[]) {
  const options = optionsOf(command);
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '--?([^']+)'/.exec(message)?.[1];
    const suggestion = unknown ? nearest(unknown, Object.keys(options)) : undefined;
    throw new UsageError(
      `${message}${suggestion ? `. Did you mean --${suggestion}?` : ''}\n\n${helpFor(name, command)}`,
    );
  }
}

/** `given` with everything it prints redacted of the environment's secrets. */
function redactedIo(given: CliIo): CliIo {
  // The last line of defence: nothing printed, JSON or text, carries a secret of the environment.
  const redact = createRedactor([
    given.env['UPVEST_CLIENT_SECRET'],
    given.env['UPVEST_ACCESS_TOKEN'],
  ]);
  return {
    ...given,
    out: (text) => given.out(redact.text(text)),
    err: (text) => given.err(redact.text(text)),
  };
}

/** Reports an error on stderr (and as JSON on stdout when JSON was asked for); its exit code. */
function reportFailure(io: CliIo, json: boolean, error: unknown): number {
  const described = describeError(error);
  io.err(described.message);
  if (json) {
    io.out(
      JSON.stringify(
        {
          error: {
            exitCode: described.code,
            code: described.errorCode,
            message: described.message,
            ...(described.issues ? { issues: described.issues } : {}),
          },
        },
        null,
        2,
      ),
    );
  }
  return described.code;
}

/** A usage error unless the command got exactly the positional arguments it takes. */
function checkPositionals(name: string, command: Command, positionals: readonly string[]): void {
  const expected = command.positional ? 1 : 0;
  if (positionals.length !== expected) {
    const what =
      command.positional === 'url'
        ? 'one URL'
        : command.positional === 'event'
          ? 'one event type or category'
          : command.positional === 'action'
            ? 'one action'
            : command.positional
              ? 'one webhook id'
              : 'no positional arguments';
    throw new UsageError(`${name} takes ${what}\n\n${helpFor(name, command)}`);
  }
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
  given: CliIo,
  probeOptions: ProbeOptions = {},
): Promise<number> {
  const io = redactedIo(given);
  const [name, ...rest] = argv;
  // Decided before parsing, so even a usage error is JSON when JSON was asked for.
  const json = rest.includes('--json');
  const fail = (error: unknown): number => reportFailure(io, json, error);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(GLOBAL_HELP);
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(packageVersion());
    return exitCodes.ok;
  }
  const command = allCommands[name];
  if (!command) {
    const suggestion = nearest(name, [...Object.keys(allCommands), 'conformance']);
    return fail(
      new UsageError(
        `unknown command ${JSON.stringify(name)}${suggestion ? `; did you mean ${suggestion}?` : ''}\n\n${GLOBAL_HELP}`,
      ),
    );
  }
  try {
    const { values, positionals } = parse(name, command, rest);
    if (values['help']) {
      io.out(helpFor(name, command));
      return exitCodes.ok;
    }
    checkPositionals(name, command, positionals);
    const code = await command.run({
      values,
      target: positionals[0] ?? '',
      client: () => clientFrom(values, io.env),
      show: (value, render) => io.out(json ? JSON.stringify(value, null, 2) : render()),
      err: io.err,
      probeOptions,
      env: io.env,
      ...(io.stop ? { stop: io.stop } : {}),
    });
    return code ?? exitCodes.ok;
  } catch (error) {
    return fail(error);
  }
}
