import fc from 'fast-check';
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import type { OperationId } from '../../generated/constants.js';
import { UpvestConfigurationError } from '../errors.js';
import {
  backoffMs,
  provablyNotProcessed,
  resolveRetryOptions,
  retryAfterMs,
  shouldRetry,
  sleep,
  type AttemptOutcome,
} from './retry-policy.js';

const outcomes: Record<string, AttemptOutcome> = {
  '429': { kind: 'status', status: 429 },
  '503': { kind: 'status', status: 503 },
  refused: { kind: 'network', reachedServer: false },
  '502': { kind: 'status', status: 502 },
  '504': { kind: 'status', status: 504 },
  reset: { kind: 'network', reachedServer: true },
  timeout: { kind: 'timeout' },
  '500': { kind: 'status', status: 500 },
  '400': { kind: 'status', status: 400 },
  '401': { kind: 'status', status: 401 },
  '404': { kind: 'status', status: 404 },
  '409': { kind: 'status', status: 409 },
  '307': { kind: 'status', status: 307 },
};

/** The retry table of docs/transport.md, as data: what each operation is retried on. */
const table: Record<OperationId, readonly string[]> = {
  list_webhooks: ['429', '503', 'refused', '502', '504', 'reset', 'timeout'],
  retrieve_webhook: ['429', '503', 'refused', '502', '504', 'reset', 'timeout'],
  get_jwks: ['429', '503', 'refused', '502', '504', 'reset', 'timeout'],
  issue_token: ['429', '503', 'refused', '502', '504', 'reset', 'timeout'],
  update_webhook: ['429', '503', 'refused', '502', '504', 'reset', 'timeout'],
  delete_webhook: ['429', '503', 'refused', '502', '504', 'reset', 'timeout'],
  create_webhook: ['429', '503', 'refused'],
  test_webhook: ['429', '503', 'refused'],
};

describe('shouldRetry', () => {
  const cases = Object.entries(table).flatMap(([operation, retried]) =>
    Object.keys(outcomes).map(
      (outcome) => [operation as OperationId, outcome, retried.includes(outcome)] as const,
    ),
  );

  it.each(cases)('should decide %s after %s: retry %s', (operation, outcome, expected) => {
    expect(shouldRetry(operation, outcomes[outcome]!)).toBe(expected);
  });
});

describe('provablyNotProcessed', () => {
  it.each([
    ['429', true],
    ['503', true],
    ['refused', true],
    ['502', false],
    ['504', false],
    ['reset', false],
    ['timeout', false],
    ['500', false],
  ])('should say a %s proves nothing was processed: %s', (name, expected) => {
    expect(provablyNotProcessed(outcomes[name]!)).toBe(expected);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it.each([
    ['delay seconds', '2', 2000],
    ['zero seconds', '0', 0],
    ['white space around seconds', ' 3 ', 3000],
    ['an HTTP date 5 s ahead', 'Wed, 21 Oct 2015 07:28:05 GMT', 5000],
    ['an HTTP date in the past', 'Wed, 21 Oct 2015 07:27:00 GMT', 0],
    ['an absent header', null, undefined],
    ['an empty header', '', undefined],
    ['a fraction, which Date.parse would read as a date', '1.5', undefined],
    ['a negative number', '-1', undefined],
    ['garbage', 'soon', undefined],
  ])('should read %s', (_name, header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});

describe('backoffMs', () => {
  it('should wait a random share of an exponentially growing, capped ceiling (full jitter)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseDelayMs, maxDelayMs, r) => {
          const wait = backoffMs(attempt, undefined, { baseDelayMs, maxDelayMs, random: () => r });
          const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(wait).toBeLessThanOrEqual(ceiling);
          expect(Number.isInteger(wait)).toBe(true);
        },
      ),
    );
  });

  it('should take Retry-After over the backoff, capped at maxDelayMs', () => {
    expect(backoffMs(1, 2000, { maxDelayMs: 10_000, random: () => 0.99 })).toBe(2000);
    expect(backoffMs(1, 120_000, { maxDelayMs: 10_000 })).toBe(10_000);
  });

  it('should double the ceiling with each attempt', () => {
    const half = { baseDelayMs: 100, maxDelayMs: 10_000, random: () => 0.5 };
    expect([1, 2, 3, 4].map((n) => backoffMs(n, undefined, half))).toEqual([50, 100, 200, 400]);
  });
});

describe('resolveRetryOptions', () => {
  it('should fill in the defaults and turn retries off with false', () => {
    expect(resolveRetryOptions(undefined)).toMatchObject({
      maxAttempts: 3,
      baseDelayMs: 200,
      maxDelayMs: 10_000,
    });
    expect(resolveRetryOptions(false).maxAttempts).toBe(1);
  });

  it.each([
    ['maxAttempts 0', { maxAttempts: 0 }, 'retry.maxAttempts must be a whole number'],
    [
      'maxAttempts NaN, which would retry forever',
      { maxAttempts: Number.NaN },
      'retry.maxAttempts',
    ],
    ['maxAttempts 2.5', { maxAttempts: 2.5 }, 'retry.maxAttempts'],
    ['a negative baseDelayMs', { baseDelayMs: -1 }, 'retry.baseDelayMs must be a finite number'],
    ['an infinite maxDelayMs', { maxDelayMs: Number.POSITIVE_INFINITY }, 'retry.maxDelayMs'],
    ['a negative minAttemptMs', { minAttemptMs: -0.5 }, 'retry.minAttemptMs'],
  ])('should refuse %s, naming the option', (_name, options, message) => {
    expect(() => resolveRetryOptions(options)).toThrow(UpvestConfigurationError);
    expect(() => resolveRetryOptions(options)).toThrow(message);
  });

  it('should accept zero for every wait: no backoff and no minimum attempt time are valid choices', () => {
    expect(resolveRetryOptions({ baseDelayMs: 0, maxDelayMs: 0, minAttemptMs: 0 })).toMatchObject({
      baseDelayMs: 0,
      maxDelayMs: 0,
      minAttemptMs: 0,
    });
  });
});

describe('sleep', () => {
  it('should reject with the reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('should reject at once, without waiting, on a signal that is already aborted', async () => {
    const started = performance.now();
    await expect(sleep(60_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('should leave no timer behind when aborted, and no listener behind either way', async () => {
    vi.useFakeTimers();
    try {
      const aborted = new AbortController();
      const waiting = sleep(60_000, aborted.signal);
      aborted.abort(new Error('stop'));
      await expect(waiting).rejects.toThrow('stop');
      expect(vi.getTimerCount()).toBe(0);
      expect(getEventListeners(aborted.signal, 'abort')).toHaveLength(0);

      const finished = new AbortController();
      const done = sleep(10, finished.signal);
      expect(getEventListeners(finished.signal, 'abort')).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(10);
      await done;
      expect(getEventListeners(finished.signal, 'abort')).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
