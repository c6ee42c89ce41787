/**
 * `npm run conformance:self-test`: measures the suite's own power. It runs every profile
 * against the embedded mock behind a faithful proxy (which must pass), then once per seeded
 * fault (each of which must fail the run), and prints the kill rate. Exits 0 only when the clean
 * server passes and every fault is caught.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUpvestSigner } from '../../src/index.js';
import { serverProfiles, type CheckResult } from '../report/results.js';
import { runConformance, type ConformanceReport } from '../run/run.js';
import { startFaultyServer, type SeededFault } from './proxy.js';
import { faultSets, type FaultSetName } from './sets.js';

/**
 * What one run against one (faulty or faithful) server found.
 *
 * @example
 * ```ts
 * const outcome = await runAgainstFault(seededFaults[0]);
 * console.log(outcome.caught, outcome.failures[0]?.check);
 * ```
 */
export interface FaultOutcome {
  readonly fault: SeededFault | undefined;
  readonly passed: boolean;
  readonly failures: readonly CheckResult[];
  readonly durationMs: number;
}

/** A free TCP port on loopback, chosen by the OS. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Runs the whole suite against the mock behind a proxy that plants `fault` (none: faithful).
 *
 * @example
 * ```ts
 * const clean = await runAgainstFault(undefined);
 * clean.passed; // true
 * ```
 */
export async function runAgainstFault(fault: SeededFault | undefined): Promise<FaultOutcome> {
  // The suite receives the test deliveries on this port, through the proxy (faults may change
  // them on the way), as it would a real server's through a tunnel.
  const port = await freePort();
  const server = await startFaultyServer(fault, {}, `http://127.0.0.1:${port}`);
  try {
    const { mock } = server;
    const key = { keyId: mock.credentials.keyId, privateKey: mock.credentials.privateKey! };
    const report: ConformanceReport = await runConformance({
      baseUrl: server.url,
      targetName: fault ? `mock with "${fault.name}"` : 'mock behind a faithful proxy',
      credentials: {
        clientId: mock.credentials.clientId,
        clientSecret: mock.credentials.clientSecret,
      },
      signer: createUpvestSigner(key),
      signingKey: key,
      deliveries: { registerUrl: 'https://tenant.tld/conformance/deliveries', port, waitMs: 5_000 },
      // Fuzzing draws new inputs each run; the kill rate is measured on the deterministic
      // profiles, and the fuzz profile has its own seeded-fault test.
      profiles: serverProfiles.filter((profile) => profile !== 'fuzz'),
    });
    return {
      fault,
      passed: report.passed,
      failures: report.results.filter((r) => r.outcome === 'fail'),
      durationMs: report.durationMs,
    };
  } finally {
    await server.close();
  }
}

/** What a shard reports of one fault. */
interface ShardLine {
  readonly at: number;
  readonly passed: boolean;
  readonly failed: number;
  readonly first: string | undefined;
}

/**
 * Runs the faults of `set` in `shards` child processes (each fault's run is one process's CPU
 * work, so two shards use two cores) and resolves with one line per fault, in the set's order.
 */
async function runSharded(set: FaultSetName, shards: number): Promise<ShardLine[]> {
  const lines: ShardLine[] = [];
  await Promise.all(
    Array.from({ length: shards }, (_, index) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(new URL('./shard.ts', import.meta.url)),
          set,
          String(index),
          String(shards),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const complete = buffered.split('\n');
        buffered = complete.pop() ?? '';
        for (const line of complete) {
          // Anything else a fault or the suite printed goes to stderr, not into the results.
          if (line.startsWith('{"at":')) lines.push(JSON.parse(line) as ShardLine);
          else if (line) process.stderr.write(`${line}\n`);
        }
      });
      return new Promise<void>((resolve, reject) =>
        child.on('exit', (code) =>
          code === 0
            ? resolve()
            : reject(new Error(`self-test shard ${index} exited with ${code}`)),
        ),
      );
    }),
  );
  return lines.sort((a, b) => a.at - b.at);
}

/**
 * Runs the self-test on a fault set and prints one line per fault; resolves to the exit code.
 * The faults run in `shards` child processes (default: the machine's cores, at most 4).
 *
 * @example
 * ```ts
 * process.exitCode = await selfTest('seeded');
 * ```
 */
export async function selfTest(
  set: FaultSetName = 'seeded',
  out: (line: string) => void = (line) => console.log(line),
  shards = Math.min(4, Math.max(1, availableParallelism())),
): Promise<number> {
  const faults = faultSets[set];
  const clean = await runAgainstFault(undefined);
  out(
    clean.passed
      ? `clean server: passed (${clean.durationMs} ms)`
      : `clean server: FAILED, the suite is wrong:\n${clean.failures.map((f) => `  ${f.profile} ${f.operation} ${f.case}: ${f.check}: ${f.detail}`).join('\n')}`,
  );
  const lines = await runSharded(set, shards);
  if (lines.length !== faults.length) {
    out(`the shards reported ${lines.length} of ${faults.length} faults`);
    return 1;
  }
  const survivors: SeededFault[] = [];
  for (const line of lines) {
    const fault = faults[line.at]!;
    if (line.passed) survivors.push(fault);
    out(
      line.passed
        ? `SURVIVED  ${fault.kind.padEnd(11)} ${fault.name}`
        : `caught    ${fault.kind.padEnd(11)} ${fault.name}: ${line.failed} failed check(s), e.g. ${line.first}`,
    );
  }
  const caught = faults.length - survivors.length;
  out(
    `\nkill rate: ${caught}/${faults.length} seeded faults caught (${((100 * caught) / faults.length).toFixed(0)}%)` +
      (survivors.length ? `; survivors: ${survivors.map((f) => f.name).join('; ')}` : ''),
  );
  return clean.passed && survivors.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  process.exitCode = await selfTest();
}
