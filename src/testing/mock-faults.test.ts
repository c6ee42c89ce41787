import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultQueue, faultIssues, MAX_FAULT_DELAY_MS, type MockFault } from './mock-faults.js';

describe('faultIssues', () => {
  it.each<[string, unknown]>([
    ['a 429 once', { kind: 'rate_limited' }],
    [
      'a 429 with Retry-After, three times',
      { kind: 'rate_limited', retryAfterSeconds: 2, times: 3 },
    ],
    ['a 503 for creates only', { kind: 'unavailable', operation: 'create_webhook' }],
    ['the longest delay', { kind: 'delay', delayMs: MAX_FAULT_DELAY_MS }],
    ['a reset after the effect', { kind: 'reset', afterEffect: true }],
  ])('should accept %s', (_name, fault) => {
    expect(faultIssues(fault)).toEqual([]);
  });

  it.each<[string, unknown, string, string]>([
    ['no object', [], '', 'fault.not_an_object'],
    ['null', null, '', 'fault.not_an_object'],
    ['an unknown kind', { kind: 'explode' }, '/kind', 'fault.kind'],
    ['no kind', { times: 1 }, '/kind', 'fault.kind'],
    ['zero times', { kind: 'reset', times: 0 }, '/times', 'fault.times'],
    ['fractional times', { kind: 'reset', times: 1.5 }, '/times', 'fault.times'],
    [
      'an unknown operation',
      { kind: 'reset', operation: 'drop_tables' },
      '/operation',
      'fault.operation',
    ],
    [
      'an inherited name as operation',
      { kind: 'reset', operation: 'toString' },
      '/operation',
      'fault.operation',
    ],
    [
      'a negative Retry-After',
      { kind: 'unavailable', retryAfterSeconds: -1 },
      '/retryAfterSeconds',
      'fault.retry_after',
    ],
    [
      'a Retry-After above a day',
      { kind: 'unavailable', retryAfterSeconds: 86_401 },
      '/retryAfterSeconds',
      'fault.retry_after',
    ],
    ['a delay without delayMs', { kind: 'delay' }, '/delayMs', 'fault.delay_ms'],
    [
      'a delay that would hang a test',
      { kind: 'delay', delayMs: MAX_FAULT_DELAY_MS + 1 },
      '/delayMs',
      'fault.delay_ms',
    ],
    [
      'a Retry-After on a delay',
      { kind: 'delay', delayMs: 5, retryAfterSeconds: 1 },
      '/retryAfterSeconds',
      'fault.unknown_field',
    ],
    [
      'afterEffect on a 429',
      { kind: 'rate_limited', afterEffect: true },
      '/afterEffect',
      'fault.unknown_field',
    ],
    [
      'afterEffect as a string',
      { kind: 'reset', afterEffect: 'yes' },
      '/afterEffect',
      'fault.after_effect',
    ],
  ])('should refuse %s, naming the field', (_name, fault, path, code) => {
    expect(faultIssues(fault)).toContainEqual(expect.objectContaining({ path, code }));
  });
});

describe('FaultQueue', () => {
  it('should hand a fault to as many requests as its times, then none', () => {
    const queue = new FaultQueue();
    queue.add({ kind: 'unavailable', times: 2 });
    expect(queue.take('list_webhooks')?.kind).toBe('unavailable');
    expect(queue.pending()).toEqual([{ kind: 'unavailable', times: 2, remaining: 1 }]);
    expect(queue.take('create_webhook')?.kind).toBe('unavailable');
    expect(queue.take('list_webhooks')).toBeUndefined();
    expect(queue.pending()).toEqual([]);
  });

  it('should leave a fault for another operation to the requests it names', () => {
    const queue = new FaultQueue();
    queue.add({ kind: 'reset', operation: 'create_webhook' });
    queue.add({ kind: 'rate_limited' });
    expect(queue.take('list_webhooks')?.kind).toBe('rate_limited');
    expect(queue.take('list_webhooks')).toBeUndefined();
    expect(queue.take('create_webhook')?.kind).toBe('reset');
  });

  it('should forget every fault on clear', () => {
    const queue = new FaultQueue();
    queue.add({ kind: 'reset', times: 5 });
    queue.clear();
    expect(queue.take('list_webhooks')).toBeUndefined();
  });

  it('should hand out exactly the sum of the times, oldest fault first, whatever the mix', () => {
    const faultArbitrary = fc.record({
      kind: fc.constantFrom('rate_limited', 'unavailable', 'reset') as fc.Arbitrary<'reset'>,
      times: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(faultArbitrary, { maxLength: 8 }), (faults: MockFault[]) => {
        const queue = new FaultQueue();
        for (const fault of faults) queue.add(fault);
        const handedOut: string[] = [];
        for (let fault = queue.take('list_webhooks'); fault; fault = queue.take('list_webhooks')) {
          handedOut.push(fault.kind);
        }
        expect(handedOut).toEqual(faults.flatMap((f) => Array<string>(f.times ?? 1).fill(f.kind)));
      }),
    );
  });
});
