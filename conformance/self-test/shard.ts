/**
 * One shard of a self-test run, as a child process of `selfTest`: runs every `count`-th fault of
 * the named set from `index` on, and writes one JSON line per fault to stdout.
 *
 *   tsx conformance/self-test/shard.ts seeded 0 2
 */
import { runAgainstFault } from './run.js';
import { faultSets, type FaultSetName } from './sets.js';

const [name, index, count] = process.argv.slice(2);
const faults = faultSets[name as FaultSetName];
if (!faults || !/^\d+$/.test(index ?? '') || !/^[1-9]\d*$/.test(count ?? '')) {
  console.error('usage: tsx conformance/self-test/shard.ts seeded|holdout|blind <index> <count>');
  process.exit(2);
}
for (let at = Number(index); at < faults.length; at += Number(count)) {
  const outcome = await runAgainstFault(faults[at]);
  const first = outcome.failures[0];
  process.stdout.write(
    `${JSON.stringify({ at, passed: outcome.passed, failed: outcome.failures.length, first: first && `${first.profile} ${first.case}: ${first.check}` })}\n`,
  );
}
