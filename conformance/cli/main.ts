/**
 * `npm run conformance` / `upvest-webhooks conformance`: runs the conformance suite and writes
 * its reports. Without a base URL it starts the embedded mock; with one it tests that server.
 * Exits 0 when every check passed, 1 when any failed, 2 on a usage error or when the run could
 * not complete (a report that cannot be written, say).
 */
import { parseArgs } from 'node:util';
import {
  createRedactor,
  createUpvestSigner,
  readEnvironment,
  type EnvironmentSettings,
} from '../../src/index.js';
import { serverProfiles, type ServerProfile } from '../report/results.js';
import { createPrivateKey } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { defaultReportPaths, toMarkdown, toSummary, writeReports } from '../report/reports.js';
import { freshReceiverKey, jwksOf, runReceiverConformance } from '../receiver/receiver.js';
import { runConformance, type ConformanceReport } from '../run/run.js';

const USAGE = `Usage: conformance [options]

Runs the upvest-webhooks conformance suite. Without --base-url it starts the embedded mock
(seeded with the spec's examples) and tests that.

Options (environment variable in brackets; a flag wins over its variable):
  --base-url <url>       server to test [UPVEST_BASE_URL]
  --profile <list>       comma-separated, from: ${serverProfiles.join(',')}
                         (default all of them) [CONFORMANCE_PROFILES]
  --prefer-header        the target is a spec mock (Prism): pick examples with
                         Prefer: code=<status>, example=<name> [CONFORMANCE_PREFER_HEADER=1]
                         (--spec-mock is the same switch)
  --junit <file>         JUnit XML report (default ${defaultReportPaths.junit}) [CONFORMANCE_JUNIT]
  --json <file>          JSON report (default ${defaultReportPaths.json}) [CONFORMANCE_JSON]
  --verbose              list every check in the summary, not only failures and skips
  --timeout <ms>         a time limit for the whole run; a partial report when it passes
  --markdown <file>      a Markdown summary too (also appended to $GITHUB_STEP_SUMMARY when set)
  --seed <n>             the fuzz profile's seed (printed by every run; default random)
  --max-examples <n>     fuzz inputs per property (default 50)
  --fuzz-budget <ms>     time per fuzz property (default 5000)
  --help                 this text

Credentials come from the environment only, never from flags: UPVEST_CLIENT_ID with
UPVEST_CLIENT_SECRET (exchanged for a token at POST /auth/token) or UPVEST_ACCESS_TOKEN; requests
are signed with UPVEST_KEY_ID and UPVEST_PRIVATE_KEY (PEM text) or UPVEST_PRIVATE_KEY_FILE (a PEM
file). Against the embedded mock they are ignored: it issues its own.`;

/**
 * Where the command writes; the process's console by default, a buffer in tests.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * await main(['--profile', 'negative'], process.env, { out: (t) => lines.push(t), err: (t) => lines.push(t) });
 * ```
 */
export interface ConformanceCliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const consoleIo: ConformanceCliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

function flagFromEnv(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/**
 * Runs the command with its arguments and environment; resolves to the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['--profile', 'replay,negative', '--json', 'out/c.json']);
 * ```
 */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  given: ConformanceCliIo = consoleIo,
): Promise<number> {
  // Reports are redacted when they are made; this guards every other line printed too.
  const redact = createRedactor([env['UPVEST_CLIENT_SECRET'], env['UPVEST_ACCESS_TOKEN']]);
  const io: ConformanceCliIo = {
    out: (text) => given.out(redact.text(text)),
    err: (text) => given.err(redact.text(text)),
  };
  if (argv[0] === 'receiver') return receiverMain(argv.slice(1), io);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'base-url': { type: 'string' },
        profile: { type: 'string' },
        'prefer-header': { type: 'boolean', default: false },
        'spec-mock': { type: 'boolean', default: false },
        junit: { type: 'string' },
        json: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        seed: { type: 'string' },
        timeout: { type: 'string' },
        markdown: { type: 'string' },
        'max-examples': { type: 'string' },
        'fuzz-budget': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const profileList = (values.profile ?? env['CONFORMANCE_PROFILES'] ?? serverProfiles.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = profileList.filter((p) => !(serverProfiles as readonly string[]).includes(p));
  if (unknown.length > 0 || profileList.length === 0) {
    io.err(
      `unknown profile ${unknown.join(', ') || '(none given)'}; choose from ${serverProfiles.join(', ')}\n\n${USAGE}`,
    );
    return 2;
  }
  let settings: EnvironmentSettings;
  try {
    settings = await readEnvironment(env);
  } catch (error) {
    // Only UPVEST_PRIVATE_KEY_FILE is read from disk; its message names the file, not its content.
    io.err(
      `cannot read the environment: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
  const baseUrl = values['base-url'] ?? settings.baseUrl;
  const { clientId, clientSecret, accessToken, keyId, privateKey } = settings;
  if (baseUrl && !clientId) {
    io.err(
      'UPVEST_CLIENT_ID is required with --base-url (and UPVEST_CLIENT_SECRET or UPVEST_ACCESS_TOKEN)',
    );
    return 2;
  }
  if (baseUrl && (privateKey === undefined) !== (keyId === undefined)) {
    io.err('UPVEST_KEY_ID and UPVEST_PRIVATE_KEY (or UPVEST_PRIVATE_KEY_FILE) go together');
    return 2;
  }
  if (!baseUrl) {
    const set = (
      [
        ['UPVEST_CLIENT_ID', clientId],
        ['UPVEST_CLIENT_SECRET', clientSecret],
        ['UPVEST_ACCESS_TOKEN', accessToken],
        ['UPVEST_KEY_ID', keyId],
        ['UPVEST_PRIVATE_KEY(_FILE)', privateKey],
      ] as const
    ).filter(([, value]) => value !== undefined);
    if (set.length > 0) {
      io.err(
        `note: testing the embedded mock, which issues its own credentials; ${set.map(([name]) => name).join(', ')} from the environment are ignored (set UPVEST_BASE_URL or --base-url to test a server with them)`,
      );
    }
  }
  const whole = (name: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw new RangeError(`--${name} takes a whole number, not ${raw}`);
    return Number(raw);
  };
  let fuzz;
  let timeoutMs: number | undefined;
  try {
    const seed = whole('seed', values.seed);
    const maxExamples = whole('max-examples', values['max-examples']);
    const timeBudgetMs = whole('fuzz-budget', values['fuzz-budget']);
    timeoutMs = whole('timeout', values.timeout);
    fuzz = {
      ...(seed !== undefined ? { seed } : {}),
      ...(maxExamples !== undefined ? { maxExamples } : {}),
      ...(timeBudgetMs !== undefined ? { timeBudgetMs } : {}),
    };
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const reports = {
    junit: values.junit ?? env['CONFORMANCE_JUNIT'] ?? defaultReportPaths.junit,
    json: values.json ?? env['CONFORMANCE_JSON'] ?? defaultReportPaths.json,
  };
  let report: ConformanceReport;
  try {
    report = await runConformance({
      ...(baseUrl && privateKey && keyId
        ? {
            signer: createUpvestSigner({ keyId, privateKey }),
            // The auth profile crafts expired and foreign-key signatures with it.
            signingKey: { keyId, privateKey },
          }
        : {}),
      ...(baseUrl ? { baseUrl } : {}),
      profiles: profileList as ServerProfile[],
      fuzz,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      // One line per profile on stderr while it runs; stdout keeps the summary alone.
      onProgress: (p) =>
        io.err(
          `conformance: ${p.profile.padEnd(12)} ${String(p.checks).padStart(5)} checks, ${p.failed} failed (${(p.durationMs / 1000).toFixed(1)} s)`,
        ),
      preferHeader:
        values['prefer-header'] ||
        values['spec-mock'] ||
        flagFromEnv(env['CONFORMANCE_PREFER_HEADER']),
      ...(baseUrl && clientId
        ? {
            credentials: {
              clientId,
              ...(clientSecret ? { clientSecret } : {}),
              ...(accessToken ? { accessToken } : {}),
            },
          }
        : {}),
    });
  } catch (error) {
    // A failing target never throws (failures are results); this is the mock failing to start.
    io.err(`the run could not complete: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  // The report is redacted already: no secret the run used can appear in it.
  io.out(toSummary(report, { verbose: values.verbose }));
  // Written after the summary, so a report path that cannot be written loses nothing but itself.
  for (const [what, file] of [
    ['JUnit', reports.junit],
    ['JSON', reports.json],
  ] as const) {
    try {
      await writeReports(report, what === 'JUnit' ? { junit: file } : { json: file });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      io.err(
        `cannot write the ${what} report to ${file} (${code}); choose another path with --${what.toLowerCase()}`,
      );
      return 2;
    }
  }
  const markdownFiles = [values.markdown, env['GITHUB_STEP_SUMMARY']].filter(
    (file): file is string => Boolean(file),
  );
  for (const file of markdownFiles) {
    try {
      await appendFile(file, toMarkdown(report));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      io.err(`cannot write the Markdown summary to ${file} (${code})`);
      return 2;
    }
  }
  io.out(
    `\nReports: ${reports.junit}, ${reports.json}${markdownFiles.length ? `, ${markdownFiles.join(', ')}` : ''}`,
  );
  return report.passed ? 0 : 1;
}

const RECEIVER_USAGE = `Usage: conformance receiver --url URL [--key FILE --key-id ID] [options]

Tests your webhook endpoint the way Upvest calls it: a valid signed batch gets 2xx in time, a
redelivery gets 2xx again, a huge event and an unknown event type are accepted, and unsigned,
tampered, expired and foreign-key deliveries are refused with 4xx.

  --url <url>            your endpoint (its path is signed)
  --key <file>           the PEM EC P-521 key it trusts; --key-id <id> the keyid (its JWKS kid).
                         Without them a fresh key is made and its JWKS printed: configure the
                         endpoint with it first, or the valid deliveries fail
  --ack-budget <ms>      how long an acknowledgement may take (default 5000)
  --junit <file>, --json <file>   report paths (defaults under reports/)`;

async function receiverMain(argv: readonly string[], io: ConformanceCliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        'key-id': { type: 'string' },
        'ack-budget': { type: 'string' },
        junit: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${RECEIVER_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(RECEIVER_USAGE);
    return 0;
  }
  if (!values.url || !URL.canParse(values.url)) {
    io.err(`--url is required: your endpoint\n\n${RECEIVER_USAGE}`);
    return 2;
  }
  if ((values.key === undefined) !== (values['key-id'] === undefined)) {
    io.err('--key and --key-id go together');
    return 2;
  }
  let key;
  try {
    key =
      values.key && values['key-id']
        ? {
            keyId: values['key-id'],
            privateKey: createPrivateKey(await readFile(values.key, 'utf8')),
          }
        : freshReceiverKey();
  } catch (error) {
    io.err(
      `--key ${values.key ?? ''} is no readable PEM private key (${(error as NodeJS.ErrnoException).code ?? 'not a key'})`,
    );
    return 2;
  }
  if (!values.key)
    io.err(`a fresh key; configure your endpoint with this JWKS: ${JSON.stringify(jwksOf(key))}`);
  const budget = values['ack-budget'];
  if (budget !== undefined && !/^\d+$/.test(budget)) {
    io.err(`--ack-budget takes milliseconds, not ${budget}`);
    return 2;
  }
  const report = await runReceiverConformance({
    url: values.url,
    key,
    ...(budget !== undefined ? { ackBudgetMs: Number(budget) } : {}),
  });
  io.out(toSummary(report));
  const paths = {
    junit: values.junit ?? 'reports/receiver.junit.xml',
    json: values.json ?? 'reports/receiver.json',
  };
  try {
    await writeReports(report, paths);
  } catch (error) {
    io.err(`cannot write the reports (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return 2;
  }
  io.out(`\nReports: ${paths.junit}, ${paths.json}`);
  return report.passed ? 0 : 1;
}
