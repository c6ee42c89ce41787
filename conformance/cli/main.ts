/**
 * `npm run conformance` / `upvest-webhooks conformance`: runs the conformance suite and writes
 * its reports. Without a base URL it starts the embedded mock; with one it tests that server.
 * Exits 0 when every check passed, 1 when any failed, 2 on a usage error or when the run could
 * not complete (a report that cannot be written, say). `conformance receiver` tests a webhook
 * endpoint instead (receiver.ts).
 */
import {
  createRedactor,
  createUpvestSigner,
  readEnvironment,
  type EnvironmentSettings,
} from '../../src/index.js';
import { FUZZ_DEFAULTS } from '../profiles/fuzz.js';
import { defaultReportPaths, writeReports, type ConformanceReport } from '../report/reports.js';
import { toMarkdown, toSummary } from '../report/reports.js';
import { serverProfiles, type ServerProfile } from '../report/results.js';
import { runConformance, type ConformanceOptions } from '../run/run.js';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { toHtml } from '../report/html.js';
import {
  optionsHelp,
  parseOptions,
  UsageError,
  wholeNumber,
  type OptionTable,
  type OptionValues,
  type ConformanceCliIo,
} from './options.js';
import { receiverMain } from './receiver.js';

const consoleIo: ConformanceCliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/** The options of `conformance`: the parser, the help and the defaults come from here. */
export const serverOptions = {
  'base-url': {
    type: 'string',
    value: 'url',
    description: 'server to test; without it, the embedded mock',
    env: 'UPVEST_BASE_URL',
  },
  profile: {
    type: 'string',
    value: 'list',
    description: `the profiles to run, comma-separated, from ${serverProfiles.join(', ')}; all for every one`,
    env: 'CONFORMANCE_PROFILES',
    default: 'all',
  },
  'prefer-header': {
    type: 'boolean',
    description:
      'the target is a spec mock (Prism): pick examples with Prefer: code=<status>, example=<name>',
    env: 'CONFORMANCE_PREFER_HEADER',
    alias: 'spec-mock',
  },
  junit: {
    type: 'string',
    value: 'file',
    description: 'JUnit XML report',
    env: 'CONFORMANCE_JUNIT',
    default: defaultReportPaths.junit,
  },
  json: {
    type: 'string',
    value: 'file',
    description: 'JSON report',
    env: 'CONFORMANCE_JSON',
    default: defaultReportPaths.json,
  },
  markdown: {
    type: 'string',
    value: 'file',
    description: 'a Markdown summary too (also appended to $GITHUB_STEP_SUMMARY when set)',
  },
  html: {
    type: 'string',
    value: 'file',
    description:
      'a self-contained HTML report too: failures with their exchange and curl line, coverage (no script; readable offline)',
  },
  verbose: {
    type: 'boolean',
    description: 'list every check in the summary, not only failures and skips',
  },
  timeout: {
    type: 'string',
    value: 'ms',
    description: 'a time limit for the whole run; a partial report when it passes',
  },
  seed: {
    type: 'string',
    value: 'n',
    description: "the fuzz profile's seed (default random; each fuzz check's detail names it)",
  },
  'max-examples': {
    type: 'string',
    value: 'n',
    description: 'fuzz inputs per property',
    default: String(FUZZ_DEFAULTS.maxExamples),
  },
  'fuzz-budget': {
    type: 'string',
    value: 'ms',
    description: 'time per fuzz property',
    default: String(FUZZ_DEFAULTS.timeBudgetMs),
  },
  'body-limit': {
    type: 'string',
    value: 'bytes',
    description:
      'the largest request body the server reads: exactly this many bytes are judged, one more is a 413 (Upvest documents none; 0 skips the check)',
    default: '1048576',
  },
  'delivery-url': {
    type: 'string',
    value: 'url',
    description:
      'a public HTTPS URL that forwards to --delivery-port: the test delivery of a server is received and verified there (without it, that check is skipped)',
    env: 'CONFORMANCE_DELIVERY_URL',
  },
  'delivery-port': {
    type: 'string',
    value: 'port',
    description: 'the local port --delivery-url forwards to',
    env: 'CONFORMANCE_DELIVERY_PORT',
  },
  help: { type: 'boolean', description: 'this text' },
} as const satisfies OptionTable;

/** `--delivery-url` with `--delivery-port`, both or neither; for a server, not the mock. */
function deliveriesOf(
  values: OptionValues,
  baseUrl: string | undefined,
): Pick<ConformanceOptions, 'deliveries'> {
  const url = values['delivery-url'] as string | undefined;
  const port = wholeNumber('delivery-port', values['delivery-port']);
  if (url === undefined && port === undefined) return {};
  if (url === undefined || port === undefined || !URL.canParse(url) || port < 1 || port > 65535) {
    throw new UsageError(
      '--delivery-url (an https URL) and --delivery-port (1 to 65535) go together',
    );
  }
  // The embedded mock delivers to the suite by itself.
  return baseUrl ? { deliveries: { registerUrl: url, port } } : {};
}

export const serverUsage = `Usage: conformance [options]
       conformance receiver --url URL [options]   (test your webhook endpoint; --help for more)

Runs the upvest-webhooks conformance suite. Without --base-url it starts the embedded mock
(seeded with the spec's examples) and tests that.

Options (environment variable in brackets; a flag wins over its variable):
${optionsHelp(serverOptions)}

Credentials come from the environment only, never from flags: UPVEST_CLIENT_ID with
UPVEST_CLIENT_SECRET (exchanged for a token at POST /auth/token) or UPVEST_ACCESS_TOKEN; requests
are signed with UPVEST_KEY_ID and UPVEST_PRIVATE_KEY (PEM text) or UPVEST_PRIVATE_KEY_FILE (a PEM
file). Against the embedded mock they are ignored: it issues its own.`;

/** The profiles of `--profile`, checked against the known ones. */
function profilesOf(values: OptionValues): ServerProfile[] {
  if (values['profile'] === 'all') return [...serverProfiles];
  const list = String(values['profile'])
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = list.filter((p) => !(serverProfiles as readonly string[]).includes(p));
  if (unknown.length > 0 || list.length === 0) {
    throw new UsageError(
      `unknown profile ${unknown.join(', ') || '(none given)'}; choose from ${serverProfiles.join(', ')}`,
    );
  }
  return list as ServerProfile[];
}

/** What the environment's credentials mean for this run; a usage error when they cannot work. */
function credentialsOf(
  baseUrl: string | undefined,
  settings: EnvironmentSettings,
  io: ConformanceCliIo,
): Partial<ConformanceOptions> {
  const { clientId, clientSecret, accessToken, keyId, privateKey } = settings;
  if (!baseUrl) {
    const set = Object.entries({
      UPVEST_CLIENT_ID: clientId,
      UPVEST_CLIENT_SECRET: clientSecret,
      UPVEST_ACCESS_TOKEN: accessToken,
      UPVEST_KEY_ID: keyId,
      'UPVEST_PRIVATE_KEY(_FILE)': privateKey,
    }).filter(([, value]) => value !== undefined);
    if (set.length > 0) {
      io.err(
        `note: testing the embedded mock, which issues its own credentials; ${set.map(([name]) => name).join(', ')} from the environment are ignored (set UPVEST_BASE_URL or --base-url to test a server with them)`,
      );
    }
    return {};
  }
  if (!clientId) {
    throw new UsageError(
      'UPVEST_CLIENT_ID is required with --base-url (and UPVEST_CLIENT_SECRET or UPVEST_ACCESS_TOKEN)',
    );
  }
  if ((privateKey === undefined) !== (keyId === undefined)) {
    throw new UsageError(
      'UPVEST_KEY_ID and UPVEST_PRIVATE_KEY (or UPVEST_PRIVATE_KEY_FILE) go together',
    );
  }
  return {
    baseUrl,
    credentials: {
      clientId,
      ...(clientSecret ? { clientSecret } : {}),
      ...(accessToken ? { accessToken } : {}),
    },
    // The auth profile crafts expired and foreign-key signatures with the key itself.
    ...(privateKey && keyId
      ? { signer: createUpvestSigner({ keyId, privateKey }), signingKey: { keyId, privateKey } }
      : {}),
  };
}

/** The run's options from the command line and the environment; throws a UsageError. */
async function runOptions(
  values: OptionValues,
  env: NodeJS.ProcessEnv,
  io: ConformanceCliIo,
): Promise<ConformanceOptions> {
  const profiles = profilesOf(values);
  const seed = wholeNumber('seed', values['seed']);
  const maxExamples = wholeNumber('max-examples', values['max-examples']);
  const timeBudgetMs = wholeNumber('fuzz-budget', values['fuzz-budget']);
  const timeoutMs = wholeNumber('timeout', values['timeout']);
  let settings: EnvironmentSettings;
  try {
    settings = await readEnvironment(env);
  } catch (error) {
    // Only UPVEST_PRIVATE_KEY_FILE is read from disk; its message names the file, not its content.
    throw new UsageError(
      `cannot read the environment: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const baseUrl = (values['base-url'] as string | undefined) ?? settings.baseUrl;
  return {
    ...credentialsOf(baseUrl, settings, io),
    profiles,
    fuzz: {
      ...(seed !== undefined ? { seed } : {}),
      ...(maxExamples !== undefined ? { maxExamples } : {}),
      ...(timeBudgetMs !== undefined ? { timeBudgetMs } : {}),
    },
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    bodyLimitBytes: wholeNumber('body-limit', values['body-limit']) ?? 0,
    ...deliveriesOf(values, baseUrl),
    preferHeader: values['prefer-header'] === true,
    // One line per profile on stderr while it runs; stdout keeps the summary alone.
    onProgress: (p) =>
      io.err(
        `conformance: ${p.profile.padEnd(12)} ${String(p.checks).padStart(5)} checks, ${p.failed} failed (${(p.durationMs / 1000).toFixed(1)} s)`,
      ),
  };
}

/** Writes the JUnit and JSON reports and the Markdown summaries; a message for what fails. */
async function writeAll(
  report: ConformanceReport,
  values: OptionValues,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const written: string[] = [];
  for (const [what, file] of [
    ['JUnit', String(values['junit'])],
    ['JSON', String(values['json'])],
  ] as const) {
    try {
      await writeReports(report, what === 'JUnit' ? { junit: file } : { json: file });
      written.push(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new UsageError(
        `cannot write the ${what} report to ${file} (${code}); choose another path with --${what.toLowerCase()}`,
      );
    }
  }
  const html = values['html'];
  if (typeof html === 'string' && html !== '') {
    try {
      await mkdir(dirname(resolve(html)), { recursive: true });
      await writeFile(html, toHtml(report));
      written.push(html);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new UsageError(
        `cannot write the HTML report to ${html} (${code}); choose another path with --html`,
      );
    }
  }
  for (const file of [values['markdown'], env['GITHUB_STEP_SUMMARY']]) {
    if (typeof file !== 'string' || file === '') continue;
    try {
      await appendFile(file, toMarkdown(report));
      written.push(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new UsageError(`cannot write the Markdown summary to ${file} (${code})`);
    }
  }
  return written;
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
  if (argv[0] === 'receiver') return receiverMain(argv.slice(1), env, io);
  let values: OptionValues;
  let options: ConformanceOptions;
  try {
    values = parseOptions(argv, serverOptions, env);
    if (values['help']) {
      io.out(serverUsage);
      return 0;
    }
    options = await runOptions(values, env, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${serverUsage}`);
    return 2;
  }
  let report: ConformanceReport;
  try {
    report = await runConformance(options);
  } catch (error) {
    // A failing target never throws (failures are results); this is the mock failing to start.
    io.err(`the run could not complete: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  // The report is redacted already: no secret the run used can appear in it.
  io.out(toSummary(report, { verbose: values['verbose'] === true }));
  // Written after the summary, so a report path that cannot be written loses nothing but itself.
  try {
    io.out(`\nReports: ${(await writeAll(report, values, env)).join(', ')}`);
  } catch (error) {
    io.err((error as Error).message);
    return 2;
  }
  return report.passed ? 0 : 1;
}
