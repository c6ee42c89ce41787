import type { OperationId } from '../../generated/constants.js';

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
  /** Random source in [0, 1) for jitter; inject for deterministic tests. */
  readonly random?: () => number;
}

/** What one attempt ended with, as far as retrying is concerned. */
export type AttemptOutcome =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'network'; readonly reachedServer: boolean }
  | { readonly kind: 'timeout' };

/**
 * Operations whose repetition cannot do harm: reads, a PATCH that sets the same fields again, a
 * DELETE (a repeat can only answer 404). `POST /webhooks` has no idempotency key, so a repeat
 * would register a second webhook; a repeated test sends a second test delivery.
 */
const IDEMPOTENT: ReadonlySet<OperationId> = new Set([
  'get_jwks',
  'list_webhooks',
  'retrieve_webhook',
  'update_webhook',
  'delete_webhook',
  'issue_token',
]);

/** Whether repeating the operation is harmless. */
export function isIdempotent(operation: OperationId): boolean {
  return IDEMPOTENT.has(operation);
}

/**
 * Whether an attempt may be repeated. 429 and 503 mean the server did not process the request,
 * and a refused connection never reached it: those are retried for every operation. 502, 504,
 * resets and timeouts may come after the server acted, so only idempotent operations repeat.
 *
 * @example
 * ```ts
 * shouldRetry('create_webhook', { kind: 'timeout' }); // false: the webhook may exist already
 * shouldRetry('create_webhook', { kind: 'status', status: 429 }); // true
 * ```
 */
export function shouldRetry(operation: OperationId, outcome: AttemptOutcome): boolean {
  switch (outcome.kind) {
    case 'status':
      if (outcome.status === 429 || outcome.status === 503) return true;
      return (outcome.status === 502 || outcome.status === 504) && isIdempotent(operation);
    case 'network':
      return !outcome.reachedServer || isIdempotent(operation);
    case 'timeout':
      return isIdempotent(operation);
  }
}

/**
 * Reads `Retry-After` (delay seconds or an HTTP date) as milliseconds from now; undefined when
 * absent or unreadable.
 *
 * @example
 * ```ts
 * retryAfterMs('2'); // 2000
 * ```
 */
export function retryAfterMs(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): `Retry-After` when the server
 * sent it, else exponential backoff with full jitter; never longer than `maxDelayMs`.
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
