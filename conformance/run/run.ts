import { openApiDocument } from '../../generated/spec.js';
import { createRedactor } from '../../src/index.js';
import { coverageTable } from '../report/coverage.js';
import { CheckLog, serverProfiles, type CheckResult } from '../report/results.js';
import {
  countsOf,
  writeReports,
  type ConformanceCounts,
  type ConformanceReport,
} from '../report/reports.js';
import { checkExamples } from './examples.js';
import type { ConformanceOptions } from './options.js';
import { runProfiles } from './profiles.js';
import { createRecordingFetch, type RecordingFetch } from './recording-fetch.js';
import { setUpRun, type TokenFailure } from './setup.js';
import { resolveTarget, type Target } from './target.js';

export type { ConformanceCounts, ConformanceReport };
export { checkExamples } from './examples.js';
export type { ConformanceOptions, ProfileProgress } from './options.js';

/**
 * The first check of a run without a token says why, instead of hundreds of 401s. A token request
 * that got no answer is left to the preflight, which reports the silent server once.
 */
function noToken(log: CheckLog, failure: TokenFailure): void {
  if (!failure.answered) return;
  log.add({
    profile: 'preflight',
    operation: 'issue_token',
    case: 'credentials',
    check: 'a token was obtained',
    outcome: 'fail',
    detail: failure.reason,
  });
}

/**
 * The report of a run: drift and results (those after a profile cut short by the time limit
 * left out), coverage and counts, every string scrubbed of every secret the run used, in every
 * spelling a secret can take (a server's echo in a detail, an evidence line, a case name).
 * Every report format is written from this one object.
 */
/** What a run collected: its checks, its exchanges and the secrets it used. */
interface RunRecord {
  readonly log: CheckLog;
  readonly recording: RecordingFetch;
  readonly exercised: ReadonlySet<string>;
  readonly secrets: (string | undefined)[];
  /** How many results to report (those after a profile cut short are left out); all if undefined. */
  readonly reported: number | undefined;
}

function finish(
  options: ConformanceOptions,
  target: Target,
  record: RunRecord,
  started: number,
  drift: readonly CheckResult[],
  document: unknown,
): ConformanceReport {
  const { log, recording, secrets } = record;
  for (const exchange of recording.exchanges) {
    const auth = exchange.requestHeaders['authorization'];
    if (auth) secrets.push(auth.replace(/^Bearer /, ''));
  }
  const results = log.results.slice(0, record.reported);
  const counts = countsOf([...drift, ...results]);
  const name = options.targetName ?? (target.mock ? 'embedded mock' : undefined);
  const preferHeader = options.preferHeader ?? options.specMock ?? false;
  return createRedactor(secrets).value<ConformanceReport>({
    target: name ? `${name} (${target.baseUrl})` : target.baseUrl,
    profiles: [...(options.profiles ?? serverProfiles)],
    preferHeader,
    stateful: options.stateful ?? !preferHeader,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    drift,
    results,
    coverage: coverageTable(document, recording.exchanges, record.exercised),
    counts,
    passed: counts.fail === 0,
  });
}

/**
 * Runs the conformance suite: first the spec's examples are checked (drift), then each profile
 * talks to the target through our client, and every exchange is checked against the contract.
 * Never throws for a failing target: failures are results.
 *
 * @example
 * ```ts
 * import { runConformance } from 'upvest-webhooks/conformance';
 *
 * const report = await runConformance({ profiles: ['replay'] });
 * console.log(report.passed, report.counts);
 * ```
 */
export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = Date.now();
  const document = options.document ?? openApiDocument;
  const drift = checkExamples(document);
  const target = await resolveTarget(options);
  const log = new CheckLog(!(options.preferHeader ?? options.specMock ?? false));
  const recording = createRecordingFetch(options.fetch ?? globalThis.fetch);
  const secrets: (string | undefined)[] = [];
  let exercised: ReadonlySet<string> = new Set();
  let reported: number | undefined;
  try {
    const setup = await setUpRun(options, target, document, log, recording, secrets);
    exercised = setup.context.exercised;
    if (setup.noToken) noToken(log, setup.noToken);
    reported = await runProfiles(setup.context, {
      profiles: options.profiles ?? serverProfiles,
      deadline: options.timeoutMs === undefined ? undefined : started + options.timeoutMs,
      timeoutMs: options.timeoutMs,
      onProgress: options.onProgress,
    });
  } catch (error) {
    log.add({
      profile: 'replay',
      operation: '-',
      case: 'run',
      check: 'the run completes',
      outcome: 'fail',
      detail: error instanceof Error ? error.message : String(error),
    });
  } finally {
    await target.close();
  }
  const record = { log, recording, exercised, secrets, reported };
  const report = finish(options, target, record, started, drift, document);
  if (options.reports) await writeReports(report, options.reports);
  return report;
}
