/**
 * Every answer the delivery processor gives, word for word: the status Upvest acts on, the
 * problem document a person reads in Upvest's delivery log, and the headers (retry-after, allow).
 * handler.test.ts proves the same answers travel over HTTP.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryDedupeStore } from './dedupe.js';
import {
  createDeliveryProcessor,
  createProcessor,
  earlyAnswer,
  type DeliveryAnswer,
  type DeliveryHandlerOptions,
} from './processor.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
} from '../testing/deliveries.js';

const pair = generateDeliveryKeyPair();
const NOW = 1_795_000_000;
const URL_ = 'https://tenant.tld/webhooks/upvest';
const event = (n: number) =>
  createDeliveryEvent({
    id: `00000000-0000-4000-8000-00000000000${n}`,
    created_at: `2021-11-19T13:06:57.82037126${n}Z`,
  });

const signed = (events = [event(1)], body?: string) =>
  signDelivery(events, { ...pair, now: NOW, url: URL_, ...(body ? { body } : {}) });

const request = (delivery = signed(), method = 'POST') => ({
  method,
  url: URL_,
  headers: delivery.headers,
  body: Buffer.from(delivery.body),
});

const base: DeliveryHandlerOptions = { keys: pair.jwks, now: () => NOW, onEvents: () => {} };

function problem(answer: DeliveryAnswer) {
  expect(answer.headers['content-type']).toBe('application/problem+json');
  return JSON.parse(answer.body ?? 'null') as Record<string, unknown>;
}

/** A store whose every call fails or answers garbage, as a down or broken database would. */
const brokenStore = (overrides: Partial<DeliveryDedupeStore>): DeliveryDedupeStore => ({
  claim: (ids) => Promise.resolve({ claimed: [...ids], busy: [] }),
  commit: () => Promise.resolve(),
  release: () => Promise.resolve(),
  ...overrides,
});

describe('the answers of the delivery processor', () => {
  it.each<[string, Partial<DeliveryHandlerOptions>, () => ReturnType<typeof request>, object]>([
    [
      'a GET with 405 and allow: POST',
      {},
      () => request(signed(), 'GET'),
      {
        status: 405,
        headers: { allow: 'POST' },
        problem: {
          type: 'method_not_allowed',
          title: 'Method not allowed',
          detail: 'deliveries are POSTed',
        },
      },
    ],
    ['a lower-case post as a POST', {}, () => request(signed(), 'post'), { status: 200 }],
    [
      'signed invalid JSON with 400, Invalid delivery',
      {},
      () => request(signed([], '{"payload": [')),
      { status: 400, problem: { type: 'invalid_json', title: 'Invalid delivery' } },
    ],
    [
      'a forged signature with 401, Invalid signature',
      {},
      () => {
        const delivery = signed();
        return request({ ...delivery, headers: { ...delivery.headers, signature: 'sig1=:AAAA:' } });
      },
      { status: 401, problem: { type: 'bad_signature', title: 'Invalid signature' } },
    ],
    [
      'events of a webhook not among webhookIds with 403, Foreign webhook',
      { webhookIds: ['5b3c8d1e-6f2a-4c7b-9e0d-1a2b3c4d5e6f'] },
      () => request(),
      { status: 403, problem: { type: 'foreign_webhook', title: 'Foreign webhook' } },
    ],
    [
      'an unreachable key set with 503, retry-after 5 and a detail that says retry',
      { keys: () => Promise.reject(new Error('ECONNREFUSED')) },
      () => request(),
      {
        status: 503,
        headers: { 'retry-after': '5' },
        problem: {
          type: 'keys_unavailable',
          title: 'Verification keys unavailable',
          detail: 'the keys to verify the delivery could not be fetched; retry later',
        },
      },
    ],
    [
      'a dedupe store that cannot claim with 503 and retry-after 5',
      { dedupe: brokenStore({ claim: () => Promise.reject(new Error('db down')) }) },
      () => request(),
      {
        status: 503,
        headers: { 'retry-after': '5' },
        problem: {
          type: 'dedupe_unavailable',
          title: 'Try again',
          detail: 'the receiver cannot record events right now',
        },
      },
    ],
    [
      'a dedupe store that answers something else than { claimed, busy } with 503',
      {
        dedupe: brokenStore({
          claim: () =>
            Promise.resolve({ claimed: [] } as unknown as { claimed: string[]; busy: string[] }),
        }),
      },
      () => request(),
      { status: 503, problem: { type: 'dedupe_unavailable' } },
    ],
    [
      'a batch another attempt holds with 503 and retry-after 1',
      { dedupe: brokenStore({ claim: (ids) => Promise.resolve({ claimed: [], busy: [...ids] }) }) },
      () => request(),
      {
        status: 503,
        headers: { 'retry-after': '1' },
        problem: {
          type: 'in_progress',
          title: 'Delivery in progress',
          detail: 'another attempt of this batch is being processed; retry later',
        },
      },
    ],
    [
      'an onEvents that throws with 500, the error kept to the receiver',
      { onEvents: () => Promise.reject(new Error('db password is hunter2')) },
      () => request(),
      {
        status: 500,
        problem: {
          type: 'processing_failed',
          title: 'Processing failed',
          detail: 'the receiver failed to process the events; the batch will be retried',
        },
      },
    ],
    [
      'a commit that fails after processing with 500',
      { dedupe: brokenStore({ commit: () => Promise.reject(new Error('db down')) }) },
      () => request(),
      {
        status: 500,
        problem: {
          type: 'processing_failed',
          title: 'Processing failed',
          detail: 'the receiver could not record the processed events',
        },
      },
    ],
    [
      'a hook that throws on the way with 500, never with a crash',
      {
        dedupeKey: () => {
          throw new Error('bad key function');
        },
      },
      () => request(),
      {
        status: 500,
        problem: {
          type: 'internal_error',
          title: 'Internal error',
          detail: 'the delivery could not be handled',
        },
      },
    ],
  ])('should answer %s', async (_name, options, build, expected) => {
    const answer = await createDeliveryProcessor({ ...base, ...options })(build());
    const {
      status,
      headers = {},
      problem: document,
    } = expected as {
      status: number;
      headers?: Record<string, string>;
      problem?: Record<string, string>;
    };
    expect(answer.status).toBe(status);
    expect(answer.headers).toMatchObject(headers);
    if (document) expect(problem(answer)).toEqual(expect.objectContaining({ status, ...document }));
    else expect(answer.body).toBeUndefined();
    expect(answer.body ?? '').not.toContain('hunter2');
  });

  it('should report a failing onEvents, a broken store and an unreachable key set to onError', async () => {
    const errors: unknown[] = [];
    const onError = (error: unknown) => void errors.push(error);
    const thrown = new Error('handler bug');
    const cause = new Error('ECONNREFUSED');
    const storeDown = new Error('db down');
    await createDeliveryProcessor({ ...base, onError, onEvents: () => Promise.reject(thrown) })(
      request(),
    );
    await createDeliveryProcessor({ ...base, onError, keys: () => Promise.reject(cause) })(
      request(),
    );
    await createDeliveryProcessor({
      ...base,
      onError,
      dedupe: brokenStore({
        release: () => Promise.reject(storeDown),
        claim: (ids) => Promise.resolve({ claimed: [], busy: [...ids] }),
      }),
    })(request());
    expect(errors[0]).toBe(thrown);
    expect(String((errors[1] as Error).message) + String((errors[1] as Error).cause)).toContain(
      'ECONNREFUSED',
    );
    expect(errors[2]).toBe(storeDown);
    expect(errors).toHaveLength(3);
  });

  it('should answer without hooks at all: no onRefused, no onError', async () => {
    const answer = await createDeliveryProcessor({
      ...base,
      onEvents: () => Promise.reject(new Error('x')),
    })(request());
    expect(answer.status).toBe(500);
    const refused = await createDeliveryProcessor(base)(request(signed([], '{')));
    expect(refused.status).toBe(400);
  });

  it('should hand an event repeated within a batch over once, the first copy', async () => {
    const handed: string[][] = [];
    const first = { ...event(1), object: { copy: 'first' } };
    const second = { ...event(1), object: { copy: 'second' } };
    await createDeliveryProcessor({
      ...base,
      dedupe: false,
      onEvents: (events) => void handed.push(events.map((e) => JSON.stringify(e.object))),
    })(request(signed([first, second, event(2)])));
    expect(handed).toEqual([['{"copy":"first"}', JSON.stringify(event(2).object)]]);
  });
});

describe('earlyAnswer', () => {
  it('should refuse a GET from its request line alone, with allow: POST', async () => {
    const { answer } = await earlyAnswer({ method: 'GET', url: URL_, headers: {} }, base);
    expect(answer?.status).toBe(405);
    expect(answer?.headers).toMatchObject({ allow: 'POST' });
  });

  it('should refuse an unsigned POST before its body, and close the connection', async () => {
    const refused: unknown[] = [];
    const { answer } = await earlyAnswer(
      { method: 'POST', url: URL_, headers: { 'content-type': 'application/json' } },
      { ...base, onRefused: (failure) => void refused.push(failure) },
    );
    expect(answer?.status).toBe(401);
    expect(answer?.headers).toMatchObject({ connection: 'close' });
    expect(refused).toEqual([expect.objectContaining({ reason: 'missing_signature' })]);
  });

  it('should leave a well-signed POST to the full check, with the signature it read', async () => {
    const delivery = signed();
    const early = await earlyAnswer({ method: 'POST', url: URL_, headers: delivery.headers }, base);
    expect(early.answer).toBeUndefined();
    expect(early.read?.signature.keyId).toBe(
      delivery.headers['signature-input']?.match(/keyid="([^"]+)"/)?.[1],
    );
  });

  it('should refuse in the full check what changed after the read: the time window is judged again', async () => {
    const delivery = signed();
    const early = await earlyAnswer({ method: 'POST', url: URL_, headers: delivery.headers }, base);
    // An hour later, the signature read before the body has expired.
    const later = { ...base, now: () => NOW + 3600 };
    const answer = await createProcessor(later)(
      { method: 'POST', url: URL_, headers: delivery.headers, body: delivery.body },
      early.read,
    );
    expect(answer.status).toBe(401);
    expect(answer.body).toContain('expired');
  });

  it('should verify with the read it was handed, not the headers it is given again', async () => {
    const delivery = signed();
    const other = signed([event(7)]);
    const early = await earlyAnswer({ method: 'POST', url: URL_, headers: other.headers }, base);
    // The read belongs to another delivery: its signature cannot match this body and base.
    const answer = await createProcessor(base)(
      { method: 'POST', url: URL_, headers: delivery.headers, body: delivery.body },
      early.read,
    );
    expect(answer.status).toBe(401);
  });
});
