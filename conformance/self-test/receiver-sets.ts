/**
 * Runs the receiver suite against sets of hand-written receivers (`holdout-receivers.ts`,
 * `blind-receivers.ts`, written apart from the suite): which broken ones it catches, and whether
 * the correct ones pass. Used by the measuring scripts and by the CI gate `receivers.ts`.
 */
import type { JsonWebKeySet } from '../../src/index.js';
import type { CheckResult } from '../report/results.js';
import { freshReceiverKey, jwksOf, runReceiverConformance } from '../receiver/receiver.js';

/** A receiver of a set: `start` serves it on 127.0.0.1 trusting `jwks`. */
export interface SetReceiver {
  readonly name: string;
  readonly bug?: string;
  start(jwks: JsonWebKeySet): Promise<{ url: string; close(): Promise<void> }>;
}

/** What the suite reported for one receiver. */
interface ReceiverVerdict {
  readonly receiver: SetReceiver;
  readonly failures: readonly CheckResult[];
}

/** Runs the suite against one receiver, trusting a fresh key and a second one listed first. */
async function verdictOf(receiver: SetReceiver, strict: boolean): Promise<ReceiverVerdict> {
  const key = freshReceiverKey();
  const secondKey = freshReceiverKey(); // as during one of Upvest's key rotations
  const server = await receiver.start(jwksOf(key, secondKey));
  try {
    const report = await runReceiverConformance({ url: server.url, key, secondKey, strict });
    return { receiver, failures: report.results.filter((r) => r.outcome === 'fail') };
  } finally {
    await server.close();
  }
}

/**
 * The suite's verdict on every receiver, `concurrency` at a time (each has its own server and
 * keys; most of a run is waiting on slow or refusing receivers), in the order given.
 *
 * @example
 * ```ts
 * const verdicts = await verdictsOf(brokenReceivers, { strict: true });
 * ```
 */
async function verdictsOf(
  receivers: readonly SetReceiver[],
  options: { readonly strict: boolean; readonly concurrency?: number },
): Promise<ReceiverVerdict[]> {
  const verdicts: ReceiverVerdict[] = [];
  let next = 0;
  const worker = async () => {
    while (next < receivers.length) {
      const index = next++;
      verdicts[index] = await verdictOf(receivers[index]!, options.strict);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return verdicts;
}

/**
 * Prints one line per receiver and the summary line, and answers the names of the broken
 * receivers that were missed and the correct ones that failed.
 *
 * @example
 * ```ts
 * const { missed, wronged } = await measure(correctReceivers, brokenReceivers, { strict: false });
 * ```
 */
export async function measure(
  correct: readonly SetReceiver[],
  broken: readonly SetReceiver[],
  options: { readonly strict: boolean; readonly log?: (line: string) => void },
): Promise<{ missed: string[]; wronged: string[] }> {
  const log = options.log ?? console.log;
  const wronged: string[] = [];
  for (const { receiver, failures } of await verdictsOf(correct, options)) {
    if (failures.length > 0) wronged.push(receiver.name);
    log(`correct ${failures.length === 0 ? 'PASS' : 'FAIL'} ${receiver.name}`);
    for (const f of failures) log(`    ${f.case}: ${f.check}: ${f.detail}`);
  }
  const missed: string[] = [];
  for (const { receiver, failures } of await verdictsOf(broken, options)) {
    const first = failures[0];
    if (!first) missed.push(receiver.name);
    log(
      first
        ? `broken CAUGHT ${receiver.name}: ${first.case}: ${first.check} (${first.detail})`
        : `broken MISSED ${receiver.name}: ${receiver.bug ?? ''}`,
    );
  }
  log(
    `broken caught: ${broken.length - missed.length}/${broken.length}; ` +
      `correct passed: ${correct.length - wronged.length}/${correct.length}`,
  );
  return { missed, wronged };
}
