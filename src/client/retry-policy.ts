import type { OperationId } from '../../generated/constants.js';
import { UpvestConfigurationError } from '../errors.js';

/**
 * Retry settings of the client. `false` turns retries off.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 2000 };
 * ```
 */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  readonly maxAttempts?: number;
  /** The first backoff step (default 200 ms); each further step doubles, with full jitter. */
  readonly baseDelayMs?: number;
  /** The longest single wait, `Retry-After` included (default 10 s). */
  readonly maxDelayMs?: number;
  /**
   * The least time an attempt must have before the deadline to be started at all (default
   * 500 ms, at most `timeoutMs`). A repeat squeezed into the last millisecond would turn a
   * definite answer (a 429, a 503) into a timeout that leaves open whether a write happened,
   * so the call ends with the last definite answer instead.
   */
  readonly minAttemptMs?: number;
  /** Random source in [0, 1) for jitter; inject for deterministic tests. */
  readonly random?: () => number;
  /**
   * Waits between attempts; inject for tests. It should reject when `signal` aborts (the client
   * stops waiting on abort either way).
   */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * {@link RetryOptions} with every default filled in.
 *
 * @example
 * ```ts
 * const resolved: ResolvedRetryOptions = resolveRetryOptions({ maxAttempts: 5 });
 * ```
 */
export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly minAttemptMs: number;
  readonly random: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Fills in the defaults and refuses values that would retry forever or never wait.
 *
 * @example
 * ```ts
 * resolveRetryOptions(false).maxAttempts; // 1
 * resolveRetryOptions({ maxAttempts: 5 }).baseDelayMs; // 200
 * ```
 */
export function resolveRetryOptions(
  options: RetryOptions | false | undefined,
): ResolvedRetryOptions {
  const given = options === false ? { maxAttempts: 1 } : (options ?? {});
  const resolved = {
    maxAttempts: given.maxAttempts ?? 3,
    baseDelayMs: given.baseDelayMs ?? 200,
    maxDelayMs: given.maxDelayMs ?? 10_000,
    minAttemptMs: given.minAttemptMs ?? 500,
    random: given.random ?? Math.random,
    sleep: given.sleep ?? sleep,
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new UpvestConfigurationError('retry.maxAttempts must be a whole number of at least 1');
  }
  for (const name of ['baseDelayMs', 'maxDelayMs', 'minAttemptMs'] as const) {
    if (!Number.isFinite(resolved[name]) || resolved[name] < 0) {
      throw new UpvestConfigurationError(`retry.${name} must be a finite number of at least 0`);
    }
  }
  return resolved;
}

/**
 * What one attempt ended with, as far as retrying is concerned.
 *
 * @example
 * ```ts
 * const reset: AttemptOutcome = { kind: 'network', reachedServer: true };
 * ```
 */
export type AttemptOutcome =
  /** The server answered with this status. */
  | { readonly kind: 'status'; readonly status: number }
  /** No answer; `reachedServer` is false only when the request provably never left. */
  | { readonly kind: 'network'; readonly reachedServer: boolean }
  /** The time limit passed after the request was handed to the network. */
  | { readonly kind: 'timeout' };

/**
 * Operations whose repetition cannot do harm: reads, a PATCH that sets the same fields again, a
 * DELETE (a repeat can only answer 404), and the token request. `POST /webhooks` has no
 * idempotency key, so a repeat would register a second webhook; a repeated test sends a second
 * test delivery.
 */
const IDEMPOTENT: ReadonlySet<OperationId> = new Set([
  'get_jwks',
  'list_webhooks',
  'retrieve_webhook',
  'update_webhook',
  'delete_webhook',
  'issue_token',
]);

/**
 * Whether repeating the operation is harmless, so that it may be retried after an outcome that
 * leaves open whether the server acted.
 *
 * @example
 * ```ts
 * isIdempotent('list_webhooks'); // true
 * isIdempotent('create_webhook'); // false
 * ```
 */
export function isIdempotent(operation: OperationId): boolean {
  return IDEMPOTENT.has(operation);
}

/**
 * Whether the outcome proves the server did not act on the request: 429 and 503 say "not
 * processed", a refused connection never carried it.
 *
 * @example
 * ```ts
 * provablyNotProcessed({ kind: 'status', status: 503 }); // true
 * provablyNotProcessed({ kind: 'timeout' }); // false
 * ```
 */
export function provablyNotProcessed(outcome: AttemptOutcome): boolean {
  switch (outcome.kind) {
    case 'status':
      return outcome.status === 429 || outcome.status === 503;
    case 'network':
      return !outcome.reachedServer;
    case 'timeout':
      return false;
  }
}

/**
 * Whether an attempt may be repeated. 429 and 503 mean the server did not process the request,
 * and a refused connection never reached it: those are retried for every operation. 502, 504,
 * resets and timeouts may come after the server acted, so only idempotent operations repeat.
 * Other statuses (400, 401, 404, 500, …) are never retried here.
 *
 * @example
 * ```ts
 * shouldRetry('create_webhook', { kind: 'timeout' }); // false: the webhook may exist already
 * shouldRetry('create_webhook', { kind: 'status', status: 429 }); // true
 * ```
 */
export function shouldRetry(operation: OperationId, outcome: AttemptOutcome): boolean {
  if (provablyNotProcessed(outcome)) return true;
  if (!isIdempotent(operation)) return false;
  switch (outcome.kind) {
    case 'status':
      return outcome.status === 502 || outcome.status === 504;
    case 'network':
    case 'timeout':
      return true;
  }
}

/**
 * Reads `Retry-After` (delay seconds or an HTTP date, RFC 9110 §10.2.3) as milliseconds from
 * `now`; `undefined` when absent or unreadable. A date in the past gives 0.
 *
 * @example
 * ```ts
 * retryAfterMs('2'); // 2000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')); // 5000
 * ```
 */
export function retryAfterMs(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const value = header?.trim() ?? '';
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Date.parse reads "1.5" or "-1" as dates; an HTTP date always names a day or month.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): `Retry-After` when the server
 * sent it, else exponential backoff with full jitter (a random wait between 0 and
 * `baseDelayMs · 2^(attempt-1)`); never longer than `maxDelayMs`.
 *
 * @example
 * ```ts
 * backoffMs(1, undefined, { baseDelayMs: 100, random: () => 0.5 }); // 50
 * backoffMs(3, 60_000, { maxDelayMs: 10_000 }); // 10000: Retry-After, capped
 * ```
 */
export function backoffMs(
  attempt: number,
  retryAfter: number | undefined,
  options: RetryOptions = {},
): number {
  const max = options.maxDelayMs ?? 10_000;
  if (retryAfter !== undefined) return Math.min(retryAfter, max);
  const ceiling = Math.min(max, (options.baseDelayMs ?? 200) * 2 ** (attempt - 1));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/**
 * The default wait: a timer that rejects with the signal's reason on abort.
 *
 * @example
 * ```ts
 * await sleep(100, AbortSignal.timeout(50)); // rejects after 50 ms
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
