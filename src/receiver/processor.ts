import { createMemoryDedupeStore, type DedupeClaim, type DeliveryDedupeStore } from './dedupe.js';
import type { DeliveryEvent } from './events.js';
import { log, type Logger } from '../wire/logger.js';
import { quietTelemetry, type Telemetry } from '../wire/telemetry.js';
import {
  endDeliveryTrace,
  startDeliveryTrace,
  timedVerification,
  type DeliveryTrace,
} from './delivery-trace.js';
import {
  readDeliveryHeaders,
  verifyReadDelivery,
  type DeliveryFailure,
  type DeliveryHeaders,
  type DeliveryRequest,
  type DeliverySignature,
  type VerifiedDelivery,
  type VerifiedHeaders,
  type VerifyDeliveryOptions,
} from './verify.js';

/**
 * What `onEvents` is told besides the events.
 *
 * @example
 * ```ts
 * const onEvents = (events: readonly DeliveryEvent[], context: DeliveryContext) =>
 *   log.info({ fresh: events.length, skipped: context.duplicates, format: context.signature.format });
 * ```
 */
export interface DeliveryContext {
  /** How the delivery was verified (key, format, encoding, digest header, covered components). */
  readonly signature: DeliverySignature;
  /** Events of the batch skipped as processed before or repeated within it (a retry, R15). */
  readonly duplicates: number;
  /** Every event of the delivery, in `created_at` order, duplicates included. */
  readonly batch: readonly DeliveryEvent[];
  /**
   * The delivery's span as a W3C `traceparent`, when `telemetry` records it. `inbox.store` of
   * `upvest-webhooks/postgres` keeps it with each event, so the worker's span joins the trace.
   */
  readonly traceparent?: string;
}

/**
 * Options of the delivery handlers and {@link createDeliveryProcessor}; the verification options
 * are those of {@link verifyDelivery}.
 *
 * @example
 * ```ts
 * const options: DeliveryHandlerOptions = {
 *   keys: createVerificationKeyProvider({ fetchKeys: () => client.verificationKeys() }),
 *   onEvents: async (events) => {
 *     await db.insertEvents(events); // persist, work on them later (R17)
 *   },
 *   onRefused: (failure) => log.warn(failure.reason, failure.message),
 *   onError: (error) => log.error(error),
 * };
 * ```
 */
export interface DeliveryHandlerOptions extends VerifyDeliveryOptions {
  /**
   * Receives the verified events not processed before, in `created_at` order, once per event
   * id. Answer fast: Upvest blocks later deliveries until this one succeeds (R16). Throwing
   * answers 500, so Upvest retries the batch and these events come again. What it resolves
   * with is ignored (so `inbox.store` of `upvest-webhooks/postgres` fits as it is).
   */
  readonly onEvents: (
    events: readonly DeliveryEvent[],
    context: DeliveryContext,
  ) => Promise<unknown> | void;
  /**
   * Remembers processed event ids, so a redelivered batch hands each event over once. An
   * in-memory store by default (bounded, per process); `false` hands every event of every
   * delivery over, for an `onEvents` that deduplicates itself.
   */
  readonly dedupe?: DeliveryDedupeStore | false;
  /**
   * The deduplication key of an event (default its `id`). Use `` (e) => `${e.webhook_id}:${e.id}` ``
   * when several webhooks deliver the same event to one store and each must see it.
   */
  readonly dedupeKey?: (event: DeliveryEvent) => string;
  /**
   * Largest body accepted (default 10 MiB). Upvest batches up to `max_package_size` (at most
   * 1 MiB) but still sends one larger event whole (R6), so keep room.
   */
  readonly maxBodyBytes?: number;
  /**
   * The public origin Upvest addresses (`https://tenant.tld`), when a proxy in front of the
   * receiver changes the `host` header. Only matters if the signature covers `@authority`,
   * `@scheme` or `@target-uri`. Default: `https://` and the `host` header (Node), the request's
   * URL (Fetch).
   */
  readonly publicOrigin?: string;
  /**
   * How long the handlers wait for the whole body once the headers arrived (default 10 s).
   * A sender that trickles bytes is answered 408 and the connection closed, instead of holding
   * the request until the server's own timeout (5 minutes in Node).
   */
  readonly bodyTimeoutMs?: number;
  /** Called with each refused delivery (400, 401, 503): log it, a refused batch blocks (R16). */
  readonly onRefused?: (failure: DeliveryFailure) => void;
  /** Called with errors of `onEvents`, the dedupe store, or reading the body; answers never reveal them. */
  readonly onError?: (error: unknown) => void;
  /**
   * Where refusals (warn: the reason and the status) and errors (error: the error's name) are
   * logged besides `onRefused` and `onError`; silent by default. Never a payload or a secret.
   */
  readonly logger?: Logger;
  /**
   * Where each delivery is traced (a consumer span: batch size, outcome, refusal reason) and
   * counted, with the time spent verifying: `openTelemetry()` of `upvest-webhooks/telemetry`.
   * Nothing is recorded without it. Never an event, a header value or a key.
   */
  readonly telemetry?: Telemetry;
}

/**
 * The options with `onRefused` and `onError` also written to `logger`, when one is given: what
 * each entry point (the handlers, the processor) applies once.
 *
 * @example
 * ```ts
 * const process = createProcessor(withLogger(options));
 * ```
 */
export function withLogger(options: DeliveryHandlerOptions): DeliveryHandlerOptions {
  const { logger } = options;
  if (!logger) return options;
  return {
    ...options,
    onRefused: (failure) => {
      const { status } = refusal(failure);
      log(logger, 'warn', `delivery refused with ${status}: ${failure.reason}`, {
        reason: failure.reason,
        status,
      });
      options.onRefused?.(failure);
    },
    onError: (error) => {
      log(logger, 'error', 'delivery not handled; it is answered with an error and comes again', {
        error: error instanceof Error ? error.name : typeof error,
      });
      options.onError?.(error);
    },
  };
}

/**
 * A handler's answer, framework-neutral.
 *
 * @example
 * ```ts
 * const answer: DeliveryAnswer = await process(request);
 * reply.status(answer.status).headers(answer.headers).send(answer.body);
 * ```
 */
export interface DeliveryAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** An `application/problem+json` document for errors; no body for 200. */
  readonly body: string | undefined;
}

/**
 * The handlers' default body limit, 10 MiB: ten times the largest `max_package_size`, for single
 * events above it, which Upvest still delivers whole (R6).
 *
 * @example
 * ```ts
 * createNodeDeliveryHandler({ keys, onEvents, maxBodyBytes: 4 * DEFAULT_MAX_BODY_BYTES });
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Builds a problem answer; `type` is a bare token, as Upvest writes its own.
 *
 * @example
 * ```ts
 * problemAnswer(401, 'bad_signature', 'Invalid signature', 'the signature does not match');
 * ```
 */
export function problemAnswer(
  status: number,
  type: string,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): DeliveryAnswer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify({ type, status, title, detail }),
  };
}

/**
 * The handlers' default time for reading a body, 10 s: a 1 MiB batch needs a fraction of it on
 * any link Upvest would deliver over.
 *
 * @example
 * ```ts
 * createNodeDeliveryHandler({ keys, onEvents, bodyTimeoutMs: 2 * DEFAULT_BODY_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/**
 * {@link earlyAnswer}'s verdict: the answer to send now, or the signature verified over the
 * headers, for the body check.
 */
export type EarlyAnswer =
  | { readonly answer: DeliveryAnswer; readonly read?: undefined }
  | { readonly answer?: undefined; readonly read?: VerifiedHeaders };

/**
 * What can be answered before the body is read: 405 for another method, and every refusal of
 * `checkDeliveryHeaders` (no signature, expired, a digest header that cannot be checked, an
 * unknown key, a signature that does not verify; 503 when the keys cannot be fetched). The
 * answer closes the connection, so the unread body is not read to reuse it. Without an
 * `answer`, read the body and process it with `read`, the signature verified here.
 *
 * @example
 * ```ts
 * const early = await earlyAnswer({ method, url, headers }, options);
 * if (early.answer) return send(early.answer);
 * return send(await process({ method, url, headers, body }, early.read));
 * ```
 */
export async function earlyAnswer(
  request: Omit<DeliveryRequest, 'body'>,
  options: DeliveryHandlerOptions,
  trace?: DeliveryTrace,
): Promise<EarlyAnswer> {
  if (request.method.toUpperCase() !== 'POST') return { answer: methodNotAllowed() };
  let early: DeliveryHeaders;
  try {
    early = await timedVerification(trace, () =>
      readDeliveryHeaders(
        { ...request, url: withPublicOrigin(request.url, options.publicOrigin) },
        options,
      ),
    );
  } catch (error) {
    // Never expected (the check never throws); the full check decides then.
    report(options.onError, error);
    return {};
  }
  if (early.ok) return { read: early };
  report(options.onRefused, early);
  if (early.reason === 'keys_unavailable') report(options.onError, early.cause);
  const answer = refusal(early);
  return { answer: { ...answer, headers: { ...answer.headers, connection: 'close' } } };
}

function methodNotAllowed(): DeliveryAnswer {
  return problemAnswer(405, 'method_not_allowed', 'Method not allowed', 'deliveries are POSTed', {
    allow: 'POST',
  });
}

function refusal(failure: DeliveryFailure): DeliveryAnswer {
  switch (failure.reason) {
    case 'invalid_json':
    case 'invalid_delivery':
      return problemAnswer(400, failure.reason, 'Invalid delivery', failure.message);
    case 'foreign_webhook':
      return problemAnswer(403, failure.reason, 'Foreign webhook', failure.message);
    case 'keys_unavailable':
      return problemAnswer(
        503,
        'keys_unavailable',
        'Verification keys unavailable',
        'the keys to verify the delivery could not be fetched; retry later',
        { 'retry-after': '5' },
      );
    default:
      return problemAnswer(401, failure.reason, 'Invalid signature', failure.message);
  }
}

function withPublicOrigin(url: string, origin: string | undefined): string {
  if (origin === undefined) return url;
  const target = new URL(url, 'https://localhost');
  return new URL(`${target.pathname}${target.search}`, origin).href;
}

/** Calls a hook without letting its failure change the answer. */
function report<T>(hook: ((value: T) => void) | undefined, value: T): void {
  try {
    hook?.(value);
  } catch {
    // A logging hook that throws must not turn a refusal into a crash.
  }
}

/**
 * The framework-neutral core of the delivery handlers: verify, parse, deduplicate, hand over,
 * answer. Use it to mount deliveries on anything that is neither `node:http` nor the Fetch API
 * (AWS Lambda, Fastify with a raw body, …). Answers 200 only after `onEvents` resolved; 400 for
 * a malformed body, 401 for a bad signature, 403 for events of a webhook not among `webhookIds`,
 * 405 for other methods, 500 when `onEvents` threw,
 * 503 when the keys could not be fetched or another attempt of the same batch is under way.
 *
 * @example
 * ```ts
 * const process = createDeliveryProcessor({ keys, onEvents });
 * const answer = await process({ method: 'POST', url, headers, body: rawBody });
 * return { statusCode: answer.status, headers: answer.headers, body: answer.body ?? '' };
 * ```
 */
export function createDeliveryProcessor(
  options: DeliveryHandlerOptions,
): (request: DeliveryRequest) => Promise<DeliveryAnswer> {
  const process = createProcessor(withLogger(options));
  const telemetry = quietTelemetry(options.telemetry);
  return async (request) => {
    const trace = startDeliveryTrace(telemetry);
    const answer = await process(request, undefined, trace);
    endDeliveryTrace(trace, answer);
    return answer;
  };
}

/**
 * {@link createDeliveryProcessor} for the handlers, which pass the signature
 * {@link earlyAnswer} verified in the same request, so it is verified once, and the delivery's
 * trace. Internal.
 */
export function createProcessor(
  options: DeliveryHandlerOptions,
): (
  request: DeliveryRequest,
  read?: VerifiedHeaders,
  trace?: DeliveryTrace,
) => Promise<DeliveryAnswer> {
  const pipeline: Pipeline = {
    options,
    dedupe: options.dedupe === false ? undefined : (options.dedupe ?? createMemoryDedupeStore()),
    keyOf: options.dedupeKey ?? ((event: DeliveryEvent) => event.id),
  };
  return async (request, read, trace) => {
    try {
      return await handleDelivery(pipeline, request, read, trace);
    } catch (error) {
      report(options.onError, error);
      return problemAnswer(
        500,
        'internal_error',
        'Internal error',
        'the delivery could not be handled',
      );
    }
  };
}

/** What every step of a delivery shares: the options, the dedupe store and the dedupe key. */
interface Pipeline {
  readonly options: DeliveryHandlerOptions;
  readonly dedupe: DeliveryDedupeStore | undefined;
  readonly keyOf: (event: DeliveryEvent) => string;
}

type Verified = Extract<VerifiedDelivery, { ok: true }>;

/** Verify, claim the events, hand the fresh ones over, record them: each step may answer. */
async function handleDelivery(
  pipeline: Pipeline,
  request: DeliveryRequest,
  read: VerifiedHeaders | undefined,
  trace: DeliveryTrace | undefined,
): Promise<DeliveryAnswer> {
  const { options } = pipeline;
  if (request.method.toUpperCase() !== 'POST') return methodNotAllowed();
  const verified = await timedVerification(trace, () =>
    verifyReadDelivery(
      { ...request, url: withPublicOrigin(request.url, options.publicOrigin) },
      options,
      read,
    ),
  );
  if (!verified.ok) {
    report(options.onRefused, verified);
    if (verified.reason === 'keys_unavailable') report(options.onError, verified.cause);
    return refusal(verified);
  }
  // One entry per key: an event repeated within the batch is handed over once.
  const unique = new Map<string, DeliveryEvent>();
  for (const event of verified.events) {
    if (!unique.has(pipeline.keyOf(event))) unique.set(pipeline.keyOf(event), event);
  }
  trace?.span.setAttributes({
    'messaging.batch.message_count': verified.events.length,
    'upvest.webhook.id': verified.events[0]?.webhook_id,
  });
  const claim = await claimEvents(pipeline, [...unique.keys()]);
  if ('status' in claim) return claim;
  const claimed = [...claim.claimed];
  const release = async () => {
    try {
      await pipeline.dedupe?.release(claimed);
    } catch (error) {
      report(options.onError, error);
    }
  };
  if (claim.busy.length > 0) {
    // Another attempt of this batch is under way. Answering 200 now would lose its events if
    // it then fails; the retry finds them processed, or free again.
    await release();
    return problemAnswer(
      503,
      'in_progress',
      'Delivery in progress',
      'another attempt of this batch is being processed; retry later',
      { 'retry-after': '1' },
    );
  }
  const traceparent = trace?.span.traceparent;
  const failed = await handOver(options, { verified, traceparent }, unique, claimed, release);
  return failed ?? commitClaimed(pipeline, claimed);
}

/** The events' keys claimed in the dedupe store (all of them without one), or a 503. */
async function claimEvents(
  pipeline: Pipeline,
  keys: string[],
): Promise<DedupeClaim | DeliveryAnswer> {
  if (!pipeline.dedupe) return { claimed: keys, busy: [] };
  try {
    const claim = await pipeline.dedupe.claim(keys);
    if (!Array.isArray(claim?.claimed) || !Array.isArray(claim.busy))
      throw new TypeError('DeliveryDedupeStore.claim must answer { claimed, busy }');
    return claim;
  } catch (error) {
    report(pipeline.options.onError, error);
    return problemAnswer(
      503,
      'dedupe_unavailable',
      'Try again',
      'the receiver cannot record events right now',
      {
        'retry-after': '5',
      },
    );
  }
}

/** The claimed events to `onEvents`; a 500 (the claims released) when it fails. */
async function handOver(
  options: DeliveryHandlerOptions,
  { verified, traceparent }: { verified: Verified; traceparent: string | undefined },
  unique: ReadonlyMap<string, DeliveryEvent>,
  claimed: readonly string[],
  release: () => Promise<void>,
): Promise<DeliveryAnswer | undefined> {
  const wanted = new Set(claimed);
  const fresh = [...unique.entries()].filter(([key]) => wanted.has(key)).map(([, event]) => event);
  try {
    if (fresh.length > 0) {
      await options.onEvents(fresh, {
        signature: verified.signature,
        duplicates: verified.events.length - fresh.length,
        batch: verified.events,
        ...(traceparent === undefined ? {} : { traceparent }),
      });
    }
    return undefined;
  } catch (error) {
    await release();
    report(options.onError, error);
    return problemAnswer(
      500,
      'processing_failed',
      'Processing failed',
      'the receiver failed to process the events; the batch will be retried',
    );
  }
}

/** The handed-over events recorded as processed: 200, or a 500 when the store fails. */
async function commitClaimed(pipeline: Pipeline, claimed: string[]): Promise<DeliveryAnswer> {
  try {
    await pipeline.dedupe?.commit(claimed);
  } catch (error) {
    // The events were processed but not recorded: the retry may hand them over again, which
    // an idempotent onEvents tolerates.
    report(pipeline.options.onError, error);
    return problemAnswer(
      500,
      'processing_failed',
      'Processing failed',
      'the receiver could not record the processed events',
    );
  }
  return { status: 200, headers: {}, body: undefined };
}
