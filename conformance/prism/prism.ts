/**
 * `npm run conformance:prism [--junit <file>] [--json <file>] [--verbose]`: the replay profile
 * against Stoplight Prism, a third-party mock that serves our spec's examples and, with
 * `--errors`, rejects any request the spec does not allow (listing why in `sl-violations`). It
 * proves that our client's requests satisfy an independent validator, not only our own mock, and
 * that each named example comes back when `Prefer` asks for it. Prism is started on 127.0.0.1 with
 * a free port and always stopped. Prism 5.16.0 declares Node >= 24.18 but runs on Node 20 here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type RequestSigner, createUpvestSigner } from '../../src/index.js';
import { toSummary, type ReportPaths } from '../report/reports.js';
import { runConformance, type ConformanceReport } from '../run/run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const prismPackage = path.join(root, 'node_modules/@stoplight/prism-cli');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`prism exited with code ${child.exitCode} before it answered`);
    const answered = await fetch(url).then(
      () => true,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`prism did not answer within ${timeoutMs} ms`);
}

/**
 * Prism checks that the signature headers the spec requires are present, not that they verify;
 * the run signs for real anyway, with a throwaway P-521 key, so the requests are exactly what the
 * API would receive.
 */
function throwawaySigner(): RequestSigner {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  return createUpvestSigner({ keyId: 'conformance-throwaway-key', privateKey });
}

/** Stops Prism and waits until it is gone; SIGKILL when it ignores SIGTERM for 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(force);
}

/**
 * Options of {@link runAgainstPrism}.
 *
 * @example
 * ```ts
 * const options: PrismRunOptions = { timeoutMs: 30_000, reports: { json: 'reports/prism.json' } };
 * ```
 */
export interface PrismRunOptions {
  /** Signs the requests; a throwaway P-521 key by default. */
  readonly signer?: RequestSigner;
  /** How long Prism may take to answer its first request (default 60 s). */
  readonly timeoutMs?: number;
  /** The spec Prism serves and the run replays (default: spec/openapi.yaml and its parsed twin). */
  readonly specFile?: string;
  readonly document?: unknown;
  /** Where to write the JUnit XML and JSON reports. */
  readonly reports?: ReportPaths;
}

/**
 * Starts Prism (`prism mock <spec> --host 127.0.0.1 --port <free> --errors`) as a child process,
 * waits until it answers, runs the replay profile against it with `Prefer` headers, and stops it,
 * also when the run fails.
 *
 * @example
 * ```ts
 * const report = await runAgainstPrism({ reports: { json: 'reports/conformance-prism.json' } });
 * process.exitCode = report.passed ? 0 : 1;
 * ```
 */
export async function runAgainstPrism(options: PrismRunOptions = {}): Promise<ConformanceReport> {
  const { version } = JSON.parse(
    await readFile(path.join(prismPackage, 'package.json'), 'utf8'),
  ) as { version: string };
  const port = await freePort();
  const prism = spawn(
    process.execPath,
    [
      path.join(prismPackage, 'dist/index.js'),
      'mock',
      options.specFile ?? path.join(root, 'spec/openapi.yaml'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--errors',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  prism.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  prism.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(baseUrl, prism, options.timeoutMs ?? 60_000);
    return await runConformance({
      baseUrl,
      targetName: `Prism ${version}`,
      profiles: ['replay'],
      preferHeader: true,
      signer: options.signer ?? throwawaySigner(),
      ...(options.document === undefined ? {} : { document: options.document }),
      ...(options.reports ? { reports: options.reports } : {}),
      // Prism answers the spec's token example to any well-formed credentials.
      credentials: {
        clientId: 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
        clientSecret: 's3cr3t-example-value',
      },
    });
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- prism output ---\n${log.slice(-4000)}`,
      { cause: error },
    );
  } finally {
    await stop(prism);
  }
}

if (
  process.argv[1] &&
  import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href
) {
  const { values } = parseArgs({
    options: {
      junit: { type: 'string', default: 'reports/conformance-prism.junit.xml' },
      json: { type: 'string', default: 'reports/conformance-prism.json' },
      verbose: { type: 'boolean', default: false },
    },
  });
  try {
    const report = await runAgainstPrism({ reports: { junit: values.junit, json: values.json } });
    console.log(toSummary(report, { verbose: values.verbose }));
    console.log(`\nReports: ${values.junit}, ${values.json}`);
    process.exitCode = report.passed ? 0 : 1;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
