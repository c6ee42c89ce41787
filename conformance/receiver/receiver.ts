/**
 * Receiver conformance: tests a tenant's webhook endpoint the way Upvest will call it. It waits
 * until the endpoint accepts a genuine delivery, learns which genuine shapes it accepts, then
 * sends the cases of `cases.ts`, each built on an accepted shape. What it can prove from the
 * outside is what the endpoint answers; whether it also acted on an event (stored it once, not
 * twice) it cannot see, and says so in the report.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonWebKeySet } from '../../src/index.js';
import { deliveryKeyPairOf } from '../../src/testing/index.js';
import { countsOf, type ConformanceReport } from '../report/reports.js';
import type { CheckResult } from '../report/results.js';
import {
  attackerJwks,
  genuine,
  receiverCases,
  type Answer,
  type ReceiverCase,
  type ReceiverKey,
} from './cases.js';
import { envelope, eventSource } from './events.js';
import { DELIVERY_SHAPES, shapeName, type DeliveryShape, type OutgoingDelivery } from './forge.js';

/**
 * Options of {@link runReceiverConformance}.
 *
 * @example
 * ```ts
 * const options: ReceiverConformanceOptions = {
 *   url: 'http://localhost:8080/webhooks/upvest',
 *   key,
 *   webhookId: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a',
 *   strict: true,
 * };
 * ```
 */
export interface ReceiverConformanceOptions {
  /** The endpoint Upvest delivers to; its path is signed. */
  readonly url: string;
  /** The key the endpoint trusts (its `kid` in the JWKS it verifies with); default a fresh one. */
  readonly key?: ReceiverKey;
  /**
   * A second key the endpoint trusts, as during one of Upvest's key rotations (`jwksOf(key,
   * secondKey)` lists it first): one delivery is signed with it. Without it that case is skipped.
   */
  readonly secondKey?: ReceiverKey;
  /**
   * The webhook id every event carries, as one subscription's deliveries do; default one random
   * id for the run. Give the id your endpoint serves to have `strict` test that it refuses others.
   */
  readonly webhookId?: string;
  /**
   * Also demand what a careful receiver checks beyond what Upvest documents: `@path` and
   * `@method` covered, `created` and `expires` present, `keyid` naming the key, deliveries that
   * are no envelope refused, other webhooks' events refused. Without it those are warnings.
   */
  readonly strict?: boolean;
  /** How long an answer may take (default 5000 ms): Upvest blocks later batches meanwhile. */
  readonly ackBudgetMs?: number;
  /**
   * How long to wait for the endpoint to accept a first genuine delivery before the checks
   * start (default 10000 ms): time to start it, or to configure it with the key's JWKS.
   */
  readonly readyTimeoutMs?: number;
  /** The `fetch` to send with (default the global one). */
  readonly fetch?: typeof globalThis.fetch;
  /** Called while waiting for the endpoint, with what it answered last. */
  readonly onWaiting?: (last: string) => void;
}

/**
 * The JWKS to configure the endpoint under test with (or serve to it): the key, and a second
 * one listed first, as a JWKS looks during a key rotation.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(jwksOf(key, secondKey)));
 * ```
 */
export function jwksOf(key: ReceiverKey, secondKey?: ReceiverKey): JsonWebKeySet {
  const jwk = (k: ReceiverKey) => deliveryKeyPairOf(k.keyId, k.privateKey).publicJwk;
  return { keys: secondKey ? [jwk(secondKey), jwk(key)] : [jwk(key)] };
}

/**
 * A fresh EC P-521 signing key under a new `keyid`.
 *
 * @example
 * ```ts
 * const key = freshReceiverKey();
 * ```
 */
export function freshReceiverKey(): { keyId: string; privateKey: KeyObject } {
  return {
    keyId: randomUUID(),
    privateKey: generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey,
  };
}

const NO_ANSWER_IN_TIME = 'no answer in time';

/** Why a request got no answer, in a word or two (`ECONNREFUSED`, `timeout`). */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return NO_ANSWER_IN_TIME;
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

/** Sends deliveries to the endpoint; never throws. */
function deliverer(options: ReceiverConformanceOptions, budget: number) {
  const send = options.fetch ?? globalThis.fetch;
  return async (delivery: OutgoingDelivery): Promise<Answer> => {
    const begun = Date.now();
    try {
      const bytes = new TextEncoder().encode(delivery.body);
      const response = await send(delivery.url, {
        method: delivery.method,
        headers: delivery.headers,
        // A stream has no length known in advance: undici sends it chunked.
        body: delivery.chunked
          ? new ReadableStream({
              start(controller) {
                controller.enqueue(bytes);
                controller.close();
              },
            })
          : bytes,
        ...(delivery.chunked ? { duplex: 'half' } : {}),
        redirect: 'manual',
        // Past the budget the answer fails whatever it is: waiting longer only slows the run.
        signal: AbortSignal.timeout(budget + 1_000),
      });
      await response.arrayBuffer();
      return { status: response.status, ms: Date.now() - begun };
    } catch (error) {
      return { status: undefined, ms: Date.now() - begun, error: reasonOf(error) };
    }
  };
}

const is2xx = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;
const is4xx = (status: number | undefined) => status !== undefined && status >= 400 && status < 500;
const answered = (answer: Answer) =>
  answer.status === undefined
    ? `no answer (${answer.error ?? 'unknown'})`
    : `HTTP ${answer.status}`;

/** Serves the attacker's JWKS on loopback, for the case whose `keyid` is its URL. */
async function startAttackerJwks(): Promise<{
  url: string;
  privateKey: KeyObject;
  server: Server;
}> {
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
  let url = '';
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(attackerJwks(url, privateKey)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return { url, privateKey, server };
}

type Readiness =
  /** `slowest`: the slowest answer (or timeout) of the endpoint while it listened. */
  | { readonly state: 'accepted'; readonly slowest: Answer }
  | { readonly state: 'refusing'; readonly last: Answer }
  | { readonly state: 'unreachable'; readonly last: Answer };

/**
 * Sends genuine deliveries, cycling through the shapes, until one gets a 2xx or the time is up.
 * Every shape is tried at least once.
 */
async function waitUntilReady(
  deliverShape: (shape: DeliveryShape) => Promise<Answer>,
  timeoutMs: number,
  onWaiting: ((last: string) => void) | undefined,
): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  let last: Answer | undefined;
  let slowest: Answer | undefined;
  let everAnswered = false;
  for (let round = 0; round === 0 || Date.now() < deadline; round++) {
    for (const shape of DELIVERY_SHAPES) {
      last = await deliverShape(shape);
      // A timeout is an endpoint that listens but is slow; anything else without a status is
      // one that does not listen. Either way the next shape will not do better.
      const listening = last.status !== undefined || last.error === NO_ANSWER_IN_TIME;
      if (listening && last.ms > (slowest?.ms ?? -1)) slowest = last;
      if (is2xx(last.status)) return { state: 'accepted', slowest: slowest! };
      everAnswered ||= listening;
      if (last.status === undefined) break;
    }
    onWaiting?.(answered(last!));
    if (Date.now() < deadline) await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
  }
  return everAnswered ? { state: 'refusing', last: last! } : { state: 'unreachable', last: last! };
}

/** The check of one case's answer. */
function judge(
  entry: ReceiverCase,
  answer: Answer,
  budget: number,
  strict: boolean,
): Pick<CheckResult, 'check' | 'outcome' | 'detail'> {
  const fast = answer.ms <= budget;
  const slow = `${answer.ms} ms, over the ${budget} ms budget: Upvest waits, and blocks later batches (R16); persist and work later (R17)`;
  let ok: boolean;
  let detail: string;
  if (entry.owed === 'accept') {
    ok = is2xx(answer.status) && fast;
    detail = !is2xx(answer.status)
      ? `${answered(answer)}: ${entry.why}`
      : fast
        ? `HTTP ${answer.status}`
        : slow;
  } else {
    ok = is4xx(answer.status) && fast;
    detail = is2xx(answer.status)
      ? `HTTP ${answer.status}: accepted; ${entry.why}`
      : !is4xx(answer.status)
        ? `${answered(answer)}: not a refusal (4xx); ${entry.why}`
        : fast
          ? `HTTP ${answer.status}`
          : slow;
  }
  const check =
    entry.owed === 'accept'
      ? `acknowledged with 2xx within ${budget} ms`
      : `refused with 4xx within ${budget} ms`;
  if (ok) return { check, outcome: 'pass', detail };
  if (entry.level === 'strict' && !strict) {
    return { check, outcome: 'warn', detail: `${detail} (a failure under --strict)` };
  }
  return { check, outcome: 'fail', detail };
}

/** The genuine shapes as cases: each must be acknowledged. */
function shapeCases(): { readonly shape: DeliveryShape; readonly entry: ReceiverCase }[] {
  return DELIVERY_SHAPES.map((shape) => ({
    shape,
    entry: {
      name: `a genuine delivery (${shapeName(shape)})`,
      level: 'documented',
      owed: 'accept',
      why: 'Upvest documents v6 with digest and DER (§9.2) but its signers differ; a receiver accepts every genuine shape, or one signer change blocks the stream (R16)',
      run: () => Promise.resolve('never run directly'),
    },
  }));
}

/**
 * Runs the receiver checks against `options.url` and reports like the server suite (summary,
 * JUnit and JSON writers take the result). Never throws for a failing endpoint.
 *
 * @example
 * ```ts
 * const key = freshReceiverKey();
 * // configure the endpoint with jwksOf(key), then:
 * const report = await runReceiverConformance({ url, key, strict: true });
 * console.log(toSummary(report));
 * ```
 */
export async function runReceiverConformance(
  options: ReceiverConformanceOptions,
): Promise<ConformanceReport> {
  const started = Date.now();
  const key = options.key ?? freshReceiverKey();
  const budget = options.ackBudgetMs ?? 5_000;
  const strict = options.strict ?? false;
  const deliver = deliverer(options, budget);
  const source = eventSource(options.webhookId ?? randomUUID());
  const results: CheckResult[] = [];
  const attacker = await startAttackerJwks();
  try {
    const base = { url: options.url, key, source } as const;
    const deliverShape = (shape: DeliveryShape) =>
      deliver(genuine({ ...base, shape }, envelope(source.events({ count: 2 }))));
    const ready = await waitUntilReady(
      deliverShape,
      options.readyTimeoutMs ?? 10_000,
      options.onWaiting,
    );
    const cases = receiverCases();
    if (ready.state === 'unreachable') {
      recordUnreachable(results, options.url, ready.last, cases);
      return reportOf(options.url, strict, started, results);
    }
    recordFirstDelivery(results, ready, options, budget);
    const recorder = recorderOf(results, budget, strict);
    const accepted = await sendShapes(recorder, deliverShape);
    const reference = accepted[0];
    for (const entry of cases) {
      if (reference === undefined) {
        recorder.record(
          entry,
          'not sent: the endpoint accepts no genuine delivery, so no other answer of it means anything',
        );
      } else if (recorder.stalled()) {
        recorder.record(entry, recorder.stalledReason);
      } else {
        recorder.record(
          entry,
          await entry.run({
            ...base,
            shape: reference,
            shapeWith: (digest) => accepted.find((shape) => shape.digest === digest),
            attacker: { privateKey: attacker.privateKey, jwksUrl: attacker.url },
            secondKey: options.secondKey,
            webhookIdKnown: options.webhookId !== undefined,
            deliver,
          }),
        );
      }
    }
    results.push({
      ...where('what it cannot see'),
      check: 'side effects',
      outcome: 'skip',
      detail:
        'from outside, the run sees answers only: whether each event was stored once (not twice after a redelivery) is for your own tests',
    });
    return reportOf(options.url, strict, started, results);
  } finally {
    attacker.server.closeAllConnections();
    await new Promise((resolve) => attacker.server.close(resolve));
  }
}

/** Where a case's checks are recorded. */
const where = (name: string) => ({
  profile: 'receiver' as const,
  operation: 'receive_delivery',
  case: name,
});

/** An endpoint that cannot be reached fails once; every case is skipped. */
function recordUnreachable(
  results: CheckResult[],
  url: string,
  last: Answer,
  cases: readonly ReceiverCase[],
): void {
  results.push({
    ...where('reaching the endpoint'),
    check: 'it answers',
    outcome: 'fail',
    detail: `cannot connect to ${url}: ${last.error ?? 'no answer'}`,
  });
  for (const entry of [...shapeCases().map((s) => s.entry), ...cases]) {
    results.push({
      ...where(entry.name),
      check: 'not run',
      outcome: 'skip',
      detail: `cannot connect to ${url}`,
    });
  }
}

/** Fails an endpoint that accepted no first genuine delivery, or accepted it too slowly. */
function recordFirstDelivery(
  results: CheckResult[],
  ready: Exclude<Readiness, { state: 'unreachable' }>,
  options: ReceiverConformanceOptions,
  budget: number,
): void {
  if (ready.state === 'refusing') {
    results.push({
      ...where('a first genuine delivery'),
      check: `acknowledged with 2xx within ${options.readyTimeoutMs ?? 10_000} ms of waiting`,
      outcome: 'fail',
      detail: `no genuine delivery in any shape was accepted; the last answer was ${answered(ready.last)}. Is the endpoint configured with the key's JWKS?`,
    });
  }
  if (ready.state === 'accepted' && ready.slowest.ms > budget) {
    // The first deliveries after a start count: Upvest does not wait for a cold start.
    results.push({
      ...where('a first genuine delivery'),
      check: `answered within ${budget} ms`,
      outcome: 'fail',
      detail: `${ready.slowest.ms} ms (${answered(ready.slowest)}): a slow first answer (a cold start?) makes Upvest wait, and blocks later batches (R16)`,
    });
  }
}

/** Records the answers of cases, and tells when the endpoint has stalled. */
interface Recorder {
  record(entry: ReceiverCase, answer: Answer | string): void;
  stalled(): boolean;
  readonly stalledReason: string;
}

/** The recorder of a run: a string answer is a skip with that reason, an answer is judged. */
function recorderOf(results: CheckResult[], budget: number, strict: boolean): Recorder {
  // An endpoint that answers nothing within the budget three times in a row has failed the
  // run already; sending it the rest would only take minutes.
  let lateInARow = 0;
  return {
    stalled: () => lateInARow >= 3,
    record: (entry, answer) => {
      if (typeof answer === 'string') {
        results.push({ ...where(entry.name), check: 'not run', outcome: 'skip', detail: answer });
        return;
      }
      lateInARow = answer.ms > budget ? lateInARow + 1 : 0;
      results.push({ ...where(entry.name), ...judge(entry, answer, budget, strict) });
    },
    stalledReason: `not sent: the endpoint answered none of the last three requests within ${budget} ms`,
  };
}

/** Sends a genuine delivery in every shape; returns the shapes the endpoint accepted. */
async function sendShapes(
  recorder: Recorder,
  deliverShape: (shape: DeliveryShape) => Promise<Answer>,
): Promise<DeliveryShape[]> {
  const accepted: DeliveryShape[] = [];
  for (const { shape, entry } of shapeCases()) {
    if (recorder.stalled()) {
      recorder.record(entry, recorder.stalledReason);
      continue;
    }
    const answer = await deliverShape(shape);
    if (is2xx(answer.status)) accepted.push(shape);
    recorder.record(entry, answer);
  }
  return accepted;
}

function reportOf(
  url: string,
  strict: boolean,
  started: number,
  results: readonly CheckResult[],
): ConformanceReport {
  const counts = countsOf(results);
  return {
    target: `receiver ${url}${strict ? ' (strict)' : ''}`,
    profiles: [],
    preferHeader: false,
    stateful: false,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    drift: [],
    results,
    coverage: [],
    counts,
    passed: counts.fail === 0,
  };
}
