/**
 * `upvest-webhooks conformance receiver`: tests a tenant's webhook endpoint the way Upvest calls
 * it, and writes the same reports as the server suite.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { freshReceiverKey, jwksOf, runReceiverConformance } from '../receiver/receiver.js';
import { toSummary, writeReports } from '../report/reports.js';
import type { ConformanceCliIo } from './main.js';
import {
  optionsHelp,
  parseOptions,
  UsageError,
  type OptionTable,
  type OptionValues,
} from './options.js';

/** The options of `conformance receiver`: the parser, the help and the defaults come from here. */
export const receiverOptions = {
  url: { type: 'string', value: 'url', description: 'your endpoint (its path is signed)' },
  key: {
    type: 'string',
    value: 'file',
    description: 'the PEM EC P-521 key it trusts (without it, a fresh key whose JWKS is printed)',
  },
  'key-id': { type: 'string', value: 'id', description: 'the keyid of --key: its JWKS kid' },
  'ack-budget': {
    type: 'string',
    value: 'ms',
    description: 'how long an acknowledgement may take',
    default: '5000',
  },
  junit: {
    type: 'string',
    value: 'file',
    description: 'JUnit XML report',
    default: 'reports/receiver.junit.xml',
  },
  json: {
    type: 'string',
    value: 'file',
    description: 'JSON report',
    default: 'reports/receiver.json',
  },
  help: { type: 'boolean', description: 'this text' },
} as const satisfies OptionTable;

const RECEIVER_USAGE = `Usage: conformance receiver --url URL [--key FILE --key-id ID] [options]

Tests your webhook endpoint the way Upvest calls it: a valid signed batch gets 2xx in time, a
redelivery gets 2xx again, a huge event and an unknown event type are accepted, and unsigned,
tampered, expired and foreign-key deliveries are refused with 4xx.

Options:
${optionsHelp(receiverOptions)}`;

/** The key to sign with, from --key and --key-id, or a fresh one. */
async function keyOf(values: OptionValues, io: ConformanceCliIo) {
  const file = values['key'] as string | undefined;
  const keyId = values['key-id'] as string | undefined;
  if ((file === undefined) !== (keyId === undefined)) {
    throw new UsageError('--key and --key-id go together');
  }
  if (file === undefined || keyId === undefined) {
    const key = freshReceiverKey();
    io.err(`a fresh key; configure your endpoint with this JWKS: ${JSON.stringify(jwksOf(key))}`);
    return key;
  }
  try {
    return { keyId, privateKey: createPrivateKey(await readFile(file, 'utf8')) };
  } catch (error) {
    throw new UsageError(
      `--key ${file} is no readable PEM private key (${(error as NodeJS.ErrnoException).code ?? 'not a key'})`,
    );
  }
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
  let key;
  try {
    values = parseOptions(argv, receiverOptions, env);
    if (values['help']) {
      io.out(RECEIVER_USAGE);
      return 0;
    }
    const url = values['url'];
    if (typeof url !== 'string' || !URL.canParse(url)) {
      throw new UsageError('--url is required: your endpoint');
    }
    if (!/^\d+$/.test(String(values['ack-budget']))) {
      throw new UsageError(`--ack-budget takes milliseconds, not ${String(values['ack-budget'])}`);
    }
    key = await keyOf(values, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${RECEIVER_USAGE}`);
    return 2;
  }
  const report = await runReceiverConformance({
    url: String(values['url']),
    key,
    ackBudgetMs: Number(values['ack-budget']),
  });
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
