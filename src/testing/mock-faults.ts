import type { OperationId } from '../../generated/constants.js';
import { operations } from '../../generated/constants.js';
import type { ValidationIssue } from '../validation-issue.js';

/**
 * A fault the mock answers instead of (or before) the API's answer, for the next `times` API
 * requests (default 1), or only those routed to `operation`. Mock-only: the real API has no way
 * to ask for one. The point is a tenant testing their retry handling without waiting for
 * Upvest to be slow:
 * - `rate_limited`: 429 `too_many_requests`, with `Retry-After: <retryAfterSeconds>` when given
 *   (Upvest documents no `Retry-After`, facts §6; a client must cope with both);
 * - `unavailable`: 503, with `Retry-After` when given;
 * - `delay`: waits `delayMs`, then answers as usual (a client's time limit can fire first);
 * - `reset`: closes the connection without an answer; with `afterEffect: true` the operation
 *   takes effect first (a webhook is created, then the answer is lost: the ambiguous case a
 *   client must not retry blindly).
 *
 * @example
 * ```ts
 * mock.injectFault({ kind: 'rate_limited', retryAfterSeconds: 1, times: 2 });
 * mock.injectFault({ kind: 'reset', afterEffect: true, operation: 'create_webhook' });
 * ```
 */
export type MockFault = {
  /** How many requests get this fault (default 1). */
  readonly times?: number;
  /** Only requests routed to this operation; any API request by default. */
  readonly operation?: OperationId;
} & (
  | { readonly kind: 'rate_limited' | 'unavailable'; readonly retryAfterSeconds?: number }
  | { readonly kind: 'delay'; readonly delayMs: number }
  | { readonly kind: 'reset'; readonly afterEffect?: boolean }
);

/** A queued fault with how many requests it still applies to. */
export type PendingFault = MockFault & { readonly remaining: number };

const KINDS = ['rate_limited', 'unavailable', 'delay', 'reset'] as const;
/** Longest injectable delay: past it a test would hang, not test a time limit. */
export const MAX_FAULT_DELAY_MS = 120_000;

const isWhole = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;

/**
 * Checks an injected fault (from `POST /__mock/faults` or `mock.injectFault`): every problem as
 * an issue with a JSON Pointer, so a caller in another language sees what to fix.
 *
 * @example
 * ```ts
 * faultIssues({ kind: 'delay' }); // [{ path: '/delayMs', code: 'fault.delay_ms', … }]
 * ```
 */
export function faultIssues(input: unknown): ValidationIssue[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ path: '', code: 'fault.not_an_object', message: 'a fault is a JSON object' }];
  }
  const fault = input as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const issue = (path: string, code: string, message: string) =>
    void issues.push({ path, code: `fault.${code}`, message });
  const kind = fault['kind'];
  if (!KINDS.includes(kind as (typeof KINDS)[number])) {
    issue('/kind', 'kind', `kind must be one of ${KINDS.join(', ')}`);
  }
  const allowed = new Set(['kind', 'times', 'operation']);
  if (kind === 'rate_limited' || kind === 'unavailable') allowed.add('retryAfterSeconds');
  if (kind === 'delay') allowed.add('delayMs');
  if (kind === 'reset') allowed.add('afterEffect');
  for (const name of Object.keys(fault)) {
    if (!allowed.has(name))
      issue(`/${name}`, 'unknown_field', `${name} is not a field of this fault`);
  }
  if (fault['times'] !== undefined && !isWhole(fault['times'], 1, 1_000_000)) {
    issue('/times', 'times', 'times must be a whole number from 1 to 1000000');
  }
  const operation = fault['operation'];
  if (
    operation !== undefined &&
    (typeof operation !== 'string' || !Object.hasOwn(operations, operation))
  ) {
    issue(
      '/operation',
      'operation',
      `operation must be one of ${Object.keys(operations).join(', ')}`,
    );
  }
  if (fault['retryAfterSeconds'] !== undefined && !isWhole(fault['retryAfterSeconds'], 0, 86_400)) {
    issue(
      '/retryAfterSeconds',
      'retry_after',
      'retryAfterSeconds must be a whole number from 0 to 86400',
    );
  }
  if (kind === 'delay' && !isWhole(fault['delayMs'], 0, MAX_FAULT_DELAY_MS)) {
    issue('/delayMs', 'delay_ms', `delayMs must be a whole number from 0 to ${MAX_FAULT_DELAY_MS}`);
  }
  if (fault['afterEffect'] !== undefined && typeof fault['afterEffect'] !== 'boolean') {
    issue('/afterEffect', 'after_effect', 'afterEffect must be true or false');
  }
  return issues;
}

/**
 * The faults waiting for requests, oldest first. A request takes the first fault that applies to
 * its operation, and that fault's count goes down by one.
 *
 * @example
 * ```ts
 * const faults = new FaultQueue();
 * faults.add({ kind: 'unavailable', times: 2 });
 * faults.take('list_webhooks'); // { kind: 'unavailable', … }
 * ```
 */
export class FaultQueue {
  #pending: PendingFault[] = [];

  /** Queues a fault; the caller has checked it with {@link faultIssues}. */
  add(fault: MockFault): void {
    this.#pending.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** The fault for a request routed to `operation`, if one is queued; uses it up by one. */
  take(operation: OperationId): MockFault | undefined {
    const index = this.#pending.findIndex(
      (fault) => fault.operation === undefined || fault.operation === operation,
    );
    const fault = this.#pending[index];
    if (!fault) return undefined;
    if (fault.remaining <= 1) this.#pending.splice(index, 1);
    else this.#pending[index] = { ...fault, remaining: fault.remaining - 1 };
    return fault;
  }

  /** Copies of the queued faults, oldest first. */
  pending(): PendingFault[] {
    return this.#pending.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.#pending = [];
  }
}
