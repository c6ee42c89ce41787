/**
 * `npm run conformance:prism`: the replay profile against Stoplight Prism, a third-party mock
 * that serves our spec's examples and, with `--errors`, rejects any request the spec does not
 * allow. It proves that our client's requests satisfy an independent validator, not only our own
 * mock. Prism is started on 127.0.0.1 with a free port and always stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestSigner } from '../src/client/transport.js';
import { createUpvestSigner } from '../src/signing/upvest-profile.js';
import { toJUnitXml, toJson, toSummary } from './reports.js';
import { runConformance, type ConformanceReport } from './run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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

/** Starts Prism on our spec, runs the replay profile against it, stops Prism. */
export async function runAgainstPrism(
  options: { signer?: RequestSigner; timeoutMs?: number } = {},
): Promise<ConformanceReport> {
  const port = await freePort();
  const prism = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules/@stoplight/prism-cli/dist/index.js'),
      'mock',
      path.join(root, 'spec/openapi.yaml'),
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
      profiles: ['replay'],
      specMock: true,
      signer: options.signer ?? throwawaySigner(),
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
    prism.kill('SIGTERM');
  }
}

if (
  process.argv[1] &&
  import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href
) {
  const report = await runAgainstPrism();
  await mkdir('reports', { recursive: true });
  await writeFile('reports/conformance-prism.junit.xml', toJUnitXml(report));
  await writeFile('reports/conformance-prism.json', toJson(report));
  console.log(toSummary(report));
  process.exitCode = report.passed ? 0 : 1;
}
