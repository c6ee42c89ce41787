import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { operations, type OperationId } from '../../generated/constants.js';
import { UpvestApiError, UpvestNetworkError, UpvestTimeoutError } from '../errors.js';
import { nextStep, type AttemptEnd, type CallState, type StepContext } from './attempts.js';
import type { AttemptOutcome } from './retry-policy.js';

const retry = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  minAttemptMs: 500,
  random: () => 0.5,
  sleep: () => Promise.resolve(),
};
const first: CallState = {
  attempt: 1,
  refreshedAfter401: false,
  repeatedAfterUnknown: false,
  lastFailure: undefined,
};
const context = (operation: OperationId, overrides: Partial<StepContext> = {}): StepContext => ({
  operation,
  retry,
  canRefresh: true,
  leastUseful: 500,
  deadline: 60_000,
  now: 0,
  ...overrides,
});

const statusEnd = (operation: OperationId, status: number, retryAfter?: number): AttemptEnd => ({
  kind: 'failed',
  failure: new UpvestApiError({ operation, status, problem: undefined, requestId: undefined }),
  outcome: { kind: 'status', status },
  judgedAs: operation,
  retryAfter,
  token: 'dG9rZW4',
});
const thrownEnd = (operation: OperationId, outcome: AttemptOutcome): AttemptEnd => ({
  kind: 'failed',
  failure:
    outcome.kind === 'timeout'
      ? new UpvestTimeoutError({
          operation,
          timeoutMs: 1,
          requestMayHaveReachedServer: true,
          message: 'no answer',
        })
      : new UpvestNetworkError({
          operation,
          requestMayHaveReachedServer: outcome.kind === 'network' && outcome.reachedServer,
          message: 'reset',
        }),
  outcome,
  judgedAs: operation,
  retryAfter: undefined,
  token: 'dG9rZW4',
});

describe('nextStep', () => {
  it('should return an answer as it came', () => {
    const answer = { data: '[]', response: new Response(), requestId: undefined, secrets: [] };
    expect(nextStep({ kind: 'answer', answer }, first, context('list_webhooks'))).toEqual({
      do: 'return',
      answer,
    });
  });

  it('should repeat a first 401 at once with a fresh token, without counting an attempt', () => {
    const step = nextStep(statusEnd('create_webhook', 401), first, context('create_webhook'));
    expect(step).toMatchObject({
      do: 'repeat',
      sleepMs: undefined,
      invalidate: 'dG9rZW4',
      state: { attempt: 1, refreshedAfter401: true },
    });
  });

  it.each([
    ['a second 401', { ...first, refreshedAfter401: true }, context('list_webhooks')],
    [
      'a 401 with a token that cannot be dropped',
      first,
      context('list_webhooks', { canRefresh: false }),
    ],
  ])('should throw %s', (_name, state, given) => {
    expect(nextStep(statusEnd('list_webhooks', 401), state, given)).toMatchObject({ do: 'throw' });
  });

  it.each<[string, OperationId, AttemptEnd, 'repeat' | 'throw']>([
    ['a list after a 503', 'list_webhooks', statusEnd('list_webhooks', 503), 'repeat'],
    [
      'a list after a timeout',
      'list_webhooks',
      thrownEnd('list_webhooks', { kind: 'timeout' }),
      'repeat',
    ],
    ['a create after a 503', 'create_webhook', statusEnd('create_webhook', 503), 'repeat'],
    [
      'a create after a timeout',
      'create_webhook',
      thrownEnd('create_webhook', { kind: 'timeout' }),
      'throw',
    ],
    [
      'a create after a reset once sent',
      'create_webhook',
      thrownEnd('create_webhook', { kind: 'network', reachedServer: true }),
      'throw',
    ],
    [
      'a create refused before it was sent',
      'create_webhook',
      thrownEnd('create_webhook', { kind: 'network', reachedServer: false }),
      'repeat',
    ],
    ['a test after a 502', 'test_webhook', statusEnd('test_webhook', 502), 'throw'],
    ['anything after a 400', 'update_webhook', statusEnd('update_webhook', 400), 'throw'],
  ])('should decide for %s: %s', (_name, operation, end, expected) => {
    expect(nextStep(end, first, context(operation)).do).toBe(expected);
  });

  it('should throw once the attempts are used up', () => {
    const last = { ...first, attempt: retry.maxAttempts };
    expect(nextStep(statusEnd('list_webhooks', 503), last, context('list_webhooks')).do).toBe(
      'throw',
    );
  });

  it('should throw rather than repeat when the back-off would leave too little time', () => {
    const late = context('list_webhooks', { now: 59_000 });
    expect(nextStep(statusEnd('list_webhooks', 429, 5_000), first, late).do).toBe('throw');
  });

  it('should wait what Retry-After says, within maxDelayMs', () => {
    const step = nextStep(statusEnd('list_webhooks', 429, 2_000), first, context('list_webhooks'));
    expect(step).toMatchObject({ do: 'repeat', sleepMs: 2_000, state: { attempt: 2 } });
  });

  it('should remember that a repeated write may have reached the server', () => {
    const step = nextStep(
      thrownEnd('delete_webhook', { kind: 'timeout' }),
      first,
      context('delete_webhook'),
    );
    expect(step).toMatchObject({ do: 'repeat', state: { repeatedAfterUnknown: true } });
  });

  it('should never repeat more than maxAttempts times, nor a create that may have been sent', () => {
    const outcomes = fc.oneof(
      fc.record({
        kind: fc.constant('status' as const),
        status: fc.integer({ min: 300, max: 599 }),
      }),
      fc.constant({ kind: 'timeout' as const }),
      fc.record({ kind: fc.constant('network' as const), reachedServer: fc.boolean() }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(operations) as OperationId[])),
        fc.array(outcomes, { minLength: 1, maxLength: 10 }),
        (operation, sequence) => {
          let state = first;
          let repeats = 0;
          for (const outcome of sequence) {
            const end =
              outcome.kind === 'status'
                ? statusEnd(operation, outcome.status)
                : thrownEnd(operation, outcome);
            const step = nextStep(end, state, context(operation));
            if (step.do !== 'repeat') return;
            if (step.sleepMs !== undefined) repeats += 1;
            const mayHaveBeenSent =
              outcome.kind === 'timeout' || (outcome.kind === 'network' && outcome.reachedServer);
            if (operation === 'create_webhook' && mayHaveBeenSent) return false;
            expect(repeats).toBeLessThan(retry.maxAttempts);
            state = step.state;
          }
          return true;
        },
      ),
    );
  });
});
