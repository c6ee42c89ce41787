/**
 * `upvest-webhooks conformance receiver`: tests a tenant's webhook endpoint the way Upvest calls
 * it, and writes the same reports as the server suite, under names of its own.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { serveVerifyKeys, type VerifyKeysServer } from '../../src/testing/index.js';
import { freshReceiverKey, jwksOf, runReceiverConformance } from '../receiver/receiver.js';
import { defaultReportPaths, toSummary, writeReports } from '../report/reports.js';
import {
  optionsHelp,
  parseOptions,
  UsageError,
  wholeNumber,
  type ConformanceCliIo,
  type OptionTable,
  type OptionValues,
} from './options.js';

/** The server suite's report path with `-receiver` before its extensions, in the same folder. */
function receiverPath(path: string): string {
  const dot = path.indexOf('.', path.lastIndexOf('/') + 1);
  return dot < 0 ? `${path}-receiver` : `${path.slice(0, dot)}-receiver${path.slice(dot)}`;
}

/** The options of `conformance receiver`: the parser, the help and the defaults come from here. */
export const receiverOptions = {
  url: { type: 'string', value: 'url', description: 'your endpoint (its path is signed)' },
  key: {
    type: 'string',
    value: 'file',
    description: 'the PEM EC P-521 key it trusts (without it, a fresh key whose JWKS is printed)',
  },
  'key-id': { type: 'string', value: 'id', description: 'the keyid of --key: its JWKS kid' },
  'jwks-out': {
    type: 'string',
    value: 'file',
    description: 'write the JWKS your endpoint should trust to this file',
  },
  'serve-keys': {
    type: 'string',
    value: 'port',
    description: 'serve that JWKS at http://127.0.0.1:PORT/auth/verify_keys while the run lasts',
  },
  'webhook-id': {
    type: 'string',
    value: 'uuid',
    description:
      'the webhook id of every event (default: one random id per run); give the one your endpoint serves',
  },
  strict: {
    type: 'boolean',
    description:
      'also fail what a careful receiver refuses beyond what Upvest documents (@path and @method covered, created and expires present, keyid is the kid, other webhooks refused)',
  },
  'ready-timeout': {
    type: 'string',
    value: 'ms',
    description: 'how long to wait for the endpoint to accept a first genuine delivery',
    default: '60000',
  },
  'ack-budget': {
    type: 'string',
    value: 'ms',
    description: 'how long an answer may take',
    default: '5000',
  },
  junit: {
    type: 'string',
    value: 'file',
    description: 'JUnit XML report',
    default: receiverPath(defaultReportPaths.junit),
  },
  json: {
    type: 'string',
    value: 'file',
    description: 'JSON report',
    default: receiverPath(defaultReportPaths.json),
  },
  help: { type: 'boolean', description: 'this text' },
} as const satisfies OptionTable;

/** The help of `conformance receiver`. */
export const receiverUsage = `Usage: conformance receiver --url URL [--key FILE --key-id ID] [options]

Tests your webhook endpoint the way Upvest calls it. It waits until the endpoint accepts a
genuine delivery, then checks that it accepts every genuine shape (v6 and v15 bases, digest
and content-digest, DER and raw signatures, JSON as sent, redeliveries, unknown types, 1 MiB
batches, huge events) within the budget, and refuses with 4xx what is forged, replayed,
expired or malformed. Exit 0 when everything passed, 1 when a check failed, 2 for bad options.

Options:
${optionsHelp(receiverOptions)}`;

/** The key to sign with, from --key and --key-id, or a fresh one. */
async function keyOf(values: OptionValues) {
  const file = values['key'] as string | undefined;
  const keyId = values['key-id'] as string | undefined;
  if ((file === undefined) !== (keyId === undefined)) {
    throw new UsageError('--key and --key-id go together');
  }
  if (file === undefined || keyId === undefined) {
    // Two fresh keys, the second listed first in the JWKS, as during a key rotation.
    return { key: freshReceiverKey(), secondKey: freshReceiverKey(), fresh: true };
  }
  try {
    return {
      key: { keyId, privateKey: createPrivateKey(await readFile(file, 'utf8')) },
      secondKey: undefined,
      fresh: false,
    };
  } catch (error) {
    throw new UsageError(
      `--key ${file} is no readable PEM private key (${(error as NodeJS.ErrnoException).code ?? 'not a key'})`,
    );
  }
}

/** The options, checked: what the run needs, or a UsageError. */
async function settingsOf(values: OptionValues) {
  const url = values['url'];
  if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError('--url is required: your endpoint, http(s)://…');
  }
  const webhookId = values['webhook-id'] as string | undefined;
  if (webhookId !== undefined && !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(webhookId)) {
    throw new UsageError(`--webhook-id takes the UUID of your webhook, not ${webhookId}`);
  }
  const whole = (name: string) => {
    const value = wholeNumber(name, values[name]);
    if (value !== undefined && value < 0) throw new UsageError(`--${name} takes 0 or more`);
    return value;
  };
  const servePort = whole('serve-keys');
  if (servePort !== undefined && servePort > 65_535) {
    throw new UsageError(`--serve-keys takes a port, not ${servePort}`);
  }
  return {
    url,
    webhookId,
    strict: values['strict'] === true,
    readyTimeoutMs: whole('ready-timeout') ?? 60_000,
    ackBudgetMs: whole('ack-budget') ?? 5_000,
    servePort,
    jwksOut: values['jwks-out'] as string | undefined,
    ...(await keyOf(values)),
  };
}

/** Hands the JWKS over: a file, a key server, or stderr. Answers the server to close. */
async function handOver(
  settings: Awaited<ReturnType<typeof settingsOf>>,
  io: ConformanceCliIo,
): Promise<VerifyKeysServer | undefined> {
  const jwks = JSON.stringify(jwksOf(settings.key, settings.secondKey));
  if (settings.jwksOut !== undefined) {
    await mkdir(dirname(settings.jwksOut), { recursive: true });
    await writeFile(settings.jwksOut, `${jwks}\n`);
    io.err(`The JWKS your endpoint should trust is in ${settings.jwksOut}.`);
  }
  let server: VerifyKeysServer | undefined;
  if (settings.servePort !== undefined) {
    server = await serveVerifyKeys(jwksOf(settings.key, settings.secondKey), {
      port: settings.servePort,
    });
    io.err(`The JWKS your endpoint should trust is served at ${server.url}.`);
  }
  if (settings.fresh && settings.jwksOut === undefined && server === undefined) {
    io.err(`Configure your endpoint to trust this JWKS (a fresh key): ${jwks}`);
  }
  return server;
}

/**
 * Runs `conformance receiver` with its arguments; resolves to the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await receiverMain(['--url', 'http://127.0.0.1:8080/hooks'], process.env, io);
 * ```
 */
export async function receiverMain(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: ConformanceCliIo,
): Promise<number> {
  let values: OptionValues;
  let settings;
  let keyServer: VerifyKeysServer | undefined;
  try {
    values = parseOptions(argv, receiverOptions, env);
    if (values['help']) {
      io.out(receiverUsage);
      return 0;
    }
    settings = await settingsOf(values);
    keyServer = await handOver(settings, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${receiverUsage}`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    // A taken port or an unwritable --jwks-out: said in a line, without the whole help.
    io.err(`cannot hand the keys over (${code})`);
    return 2;
  }
  let said = 0;
  const report = await runReceiverConformance({
    url: settings.url,
    key: settings.key,
    ...(settings.secondKey ? { secondKey: settings.secondKey } : {}),
    strict: settings.strict,
    readyTimeoutMs: settings.readyTimeoutMs,
    ackBudgetMs: settings.ackBudgetMs,
    ...(settings.webhookId !== undefined ? { webhookId: settings.webhookId } : {}),
    onWaiting: (last) => {
      // Once, then every ten seconds: enough to see it is alive, not a line per poll.
      if (Date.now() - said < 10_000) return;
      said = Date.now();
      io.err(`Waiting for ${settings.url} to accept a genuine delivery (so far: ${last}) …`);
    },
  }).finally(() => keyServer?.close());
  io.out(toSummary(report));
  const paths = { junit: String(values['junit']), json: String(values['json']) };
  try {
    await writeReports(report, paths);
  } catch (error) {
    io.err(`cannot write the reports (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return 2;
  }
  io.out(`\nReports: ${paths.junit}, ${paths.json}`);
  return report.passed ? 0 : 1;
}
