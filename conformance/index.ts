/**
 * The conformance suite as a library: run it against any base URL and write its reports.
 *
 * @example
 * ```ts
 * import { runConformance, toJUnitXml } from 'upvest-webhooks/conformance';
 *
 * const report = await runConformance({ profiles: ['replay', 'negative'] });
 * await writeFile('conformance.junit.xml', toJUnitXml(report));
 * ```
 */
export {
  runConformance,
  checkExamples,
  type ConformanceOptions,
  type ConformanceReport,
  type ConformanceCounts,
} from './run.js';
export type { ConformanceCredentials } from './token.js';
export type { CheckResult, ProfileName, ServerProfile } from './model.js';
export type { CoverageRow } from './coverage.js';
export { toJUnitXml, toJson, toSummary } from './reports.js';
