/**
 * Generated sequences of operations against the model (fast-check's model-based testing): each
 * sequence starts from what the server lists, every answer is judged against the model, and a
 * sequence that ends in a disagreement is shrunk to the fewest steps that still show it, then
 * replayed once more and printed as a numbered list of curl commands.
 */
import fc from 'fast-check';
import { webhookCategories } from '../../src/index.js';
import { evidenceOf, CheckLog } from '../report/results.js';
import type { ProfileContext } from '../run/context.js';
import { ModelDriver, ModelMismatch, snapshot } from '../model/driver.js';
import { SORT_KEYS, SORT_ORDERS, type ListQuery } from '../model/lists.js';
import type { Body } from '../model/webhooks.js';

/** How many sequences run, and how long each may be. */
const SEQUENCES = { runs: 10, maxCommands: 12 } as const;

/** What every command is run with: the driver of this sequence (its own model and log). */
interface Real {
  readonly driver: ModelDriver;
}
type Step = fc.AsyncCommand<object, Real>;

/**
 * Picks the `n`-th webhook (modulo), or an id no webhook has. A write picks only among the
 * webhooks this sequence created: the server's own (a shared sandbox's) are read, never changed.
 */
function pick(real: Real, n: number, unknown: boolean, write = true): string {
  const ids = write
    ? [...real.driver.created]
    : real.driver.model.all().map((webhook) => webhook.id);
  ids.sort();
  if (unknown || ids.length === 0) return '00000000-0000-4000-8000-00000000dead';
  return ids[n % ids.length]!;
}

/** A command from a name and what it does; `toString` is how shrunk sequences read. */
const step = (name: string, run: (real: Real) => Promise<void>): Step => ({
  check: () => true,
  run: async (_model, real) => run(real),
  toString: () => name,
});

function arbitraries(run: string) {
  const title = fc.oneof(
    fc.stringMatching(/^[a-z0-9]{1,12}$/).map((s) => `${run} ${s}`),
    fc.constant(''),
    fc.constant('x'.repeat(101)),
  );
  const url = fc.oneof(
    fc.stringMatching(/^[a-z0-9]{1,10}$/).map((s) => `https://tenant.tld/${run}/${s}`),
    fc.constant('http://tenant.tld/hook'),
  );
  const type = fc.subarray([...webhookCategories], { minLength: 1, maxLength: 3 });
  const config = fc.record(
    {
      delay: fc.constantFrom('1s', '5s', '30s', '31s'),
      max_package_size: fc.constantFrom(100, 10240, 1048576, 99),
    },
    { requiredKeys: [] },
  );
  const create: fc.Arbitrary<Body> = fc.record(
    { title, url, type, config },
    { requiredKeys: ['title', 'url'] },
  );
  const patch: fc.Arbitrary<Body> = fc.record(
    { title, url, type, config, enabled: fc.boolean() },
    { requiredKeys: [] },
  );
  const query: fc.Arbitrary<ListQuery> = fc.record(
    {
      offset: fc.nat(8).map(String),
      limit: fc.oneof(fc.integer({ min: 0, max: 4 }).map(String), fc.constant('1001')),
      sort: fc.constantFrom(...SORT_KEYS),
      order: fc.constantFrom(...SORT_ORDERS),
    },
    { requiredKeys: [] },
  );
  return { create, patch, query };
}

function commandsOf(run: string): fc.Arbitrary<Iterable<Step>> {
  const a = arbitraries(run);
  const target = fc.tuple(
    fc.nat(),
    fc.boolean().map((b) => b && Math.random() < 0.2),
  );
  return fc.commands(
    [
      a.create.map((body) =>
        step(
          `create ${JSON.stringify(body)}`,
          async (r) => void (await r.driver.create(body, 'sequence')),
        ),
      ),
      target.map(([n, unknown]) =>
        step(`retrieve #${n}${unknown ? ' (unknown)' : ''}`, (r) =>
          r.driver.retrieve(pick(r, n, unknown, false), 'sequence'),
        ),
      ),
      fc
        .tuple(target, a.patch)
        .map(([[n, unknown], patch]) =>
          step(`update #${n}${unknown ? ' (unknown)' : ''} with ${JSON.stringify(patch)}`, (r) =>
            r.driver.update(pick(r, n, unknown), patch, 'sequence'),
          ),
        ),
      target.map(([n, unknown]) =>
        step(`delete #${n}${unknown ? ' (unknown)' : ''}`, (r) =>
          r.driver.remove(pick(r, n, unknown), 'sequence'),
        ),
      ),
      target.map(([n, unknown]) =>
        step(`test #${n}${unknown ? ' (unknown)' : ''}`, (r) =>
          r.driver.test(pick(r, n, unknown), 'sequence'),
        ),
      ),
      a.query.map((query) =>
        step(
          `list ${JSON.stringify(query)}`,
          async (r) => void (await r.driver.list(query, 'sequence')),
        ),
      ),
      fc
        .tuple(
          fc.constantFrom(...SORT_KEYS),
          fc.constantFrom(...SORT_ORDERS),
          fc.integer({ min: 1, max: 3 }),
        )
        .map(([sort, order, limit]) =>
          step(`walk every page, sort=${sort}&order=${order}, ${limit} per page`, (r) =>
            r.driver.walk({ sort, order }, limit, 'sequence'),
          ),
        ),
    ],
    { maxCommands: SEQUENCES.maxCommands },
  );
}

/** Runs one sequence against a fresh model of the server; cleans up what it created. */
async function runSequence(
  context: ProfileContext,
  log: CheckLog,
  steps: Iterable<Step>,
): Promise<void> {
  const model = await snapshot(context);
  if (!model) throw new ModelMismatch('GET /webhooks gave no list to start the model from');
  const driver = new ModelDriver(context, log, model, 'stateful');
  try {
    await fc.asyncModelRun(() => ({ model: {}, real: { driver } }), steps);
  } finally {
    await driver.cleanUp();
  }
}

/**
 * Runs the generated sequences and records one verdict: passed (how many sequences, the seed),
 * or the shrunk sequence that disagrees, replayed and printed step by step with the curl
 * command of every exchange it made.
 *
 * @example
 * ```ts
 * await runGeneratedSequences(context, 'conformance-x', seedBody);
 * ```
 */
export async function runGeneratedSequences(
  context: ProfileContext,
  run: string,
  _seed: Body,
): Promise<void> {
  const where = {
    profile: 'stateful' as const,
    operation: 'list_webhooks' as const,
    case: 'generated sequences',
  };
  const seed = context.fuzz.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const result = await fc.check(
    fc.asyncProperty(commandsOf(run), (steps) => runSequence(context, new CheckLog(), steps)),
    { seed, numRuns: SEQUENCES.runs, endOnFailure: true },
  );
  if (!result.failed || !result.counterexample) {
    context.log.add({
      ...where,
      check: 'every generated sequence agrees with the model',
      outcome: 'pass',
      detail: `${result.numRuns} sequences, seed ${seed}`,
    });
    return;
  }
  // The shrunk sequence once more, recorded, to print what it sent.
  const [steps] = result.counterexample;
  const mark = context.recording.mark();
  const replay = new CheckLog();
  const error = await runSequence(context, replay, steps).then(
    () => undefined,
    (e: unknown) => e,
  );
  const calls = context.recording
    .since(mark)
    .map((exchange, i) => `${i + 1}. ${evidenceOf(exchange).curl} -> HTTP ${exchange.status}`);
  context.log.add({
    ...where,
    check: 'every generated sequence agrees with the model',
    outcome: 'fail',
    detail: `${error instanceof Error ? error.message : 'the sequence disagreed'}; shrunk to: ${[...steps].map(String).join(' -> ')}; seed ${seed} (--seed reproduces it); the replayed requests:\n${calls.join('\n')}`,
  });
}
