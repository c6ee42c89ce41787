/**
 * The conformance suite as a library: run it against any base URL and write its reports.
 *
 * @example
 * ```ts
 * import { runConformance } from 'upvest-webhooks/conformance';
 *
 * const report = await runConformance({
 *   profiles: ['replay', 'negative'],
 *   reports: { junit: 'reports/conformance.junit.xml', json: 'reports/conformance.json' },
 * });
 * process.exitCode = report.passed ? 0 : 1;
 * ```
 */
export {
  runConformance,
  checkExamples,
  type ConformanceOptions,
  type ConformanceReport,
  type ConformanceCounts,
  type ProfileProgress,
} from './run/run.js';
export type { ConformanceCredentials } from './run/token.js';
export type { FuzzSettings } from './run/context.js';
export {
  runReceiverConformance,
  freshReceiverKey,
  jwksOf,
  type ReceiverConformanceOptions,
} from './receiver/receiver.js';
export type { ReceiverKey } from './receiver/cases.js';
export type { CheckResult, Evidence, ProfileName, ServerProfile } from './report/results.js';
export { serverProfiles } from './report/results.js';
export type { CoverageRow } from './report/coverage.js';
export { toHtml } from './report/html.js';
export {
  collectExamples,
  collectReplayCases,
  REGISTRATION_EXAMPLE,
  type ReplayCase,
  type SpecExample,
} from './cases/spec-examples.js';
export { negativeCasesFor, type NegativeCase } from './cases/negative.js';
export {
  toJUnitXml,
  toJson,
  toSummary,
  writeReports,
  defaultReportPaths,
  type ReportPaths,
  type SummaryOptions,
} from './report/reports.js';
