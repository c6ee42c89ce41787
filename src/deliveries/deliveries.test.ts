import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonWebKeySet } from '../types.js';
import { createMemoryDedupeStore } from './dedupe.js';
import type { DeliveryEvent } from './events.js';
import { createFetchDeliveryHandler, createNodeDeliveryHandler } from './handler.js';
import { createVerificationKeyProvider } from './keys.js';
import { parseDelivery } from './parse.js';
import {
  generateDeliveryKeyPair,
  signDelivery,
  type DeliveryEventInput,
  type SignDeliveryOptions,
} from './testing.js';
import { verifyDelivery, type DeliveryRequest } from './verify.js';

const pair = generateDeliveryKeyPair();
const NOW = 1_795_000_000;
const WEBHOOK = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';

function event(overrides: Partial<DeliveryEventInput> = {}): DeliveryEventInput {
  return {
    id: '0f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11',
    created_at: '2021-11-19T13:06:57.820371265Z',
    type: 'USER.CREATED',
    object: { id: '5e0c1a9e-7a52-4c53-8c2b-3c7f1d0b6a21' },
    webhook_id: WEBHOOK,
    ...overrides,
  };
}

/** A delivery as a test sends it: plain header record, text body. */
interface TestDelivery {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function request(
  events: DeliveryEventInput[] = [event()],
  options: Partial<SignDeliveryOptions> = {},
): TestDelivery {
  const signed = signDelivery(events, {
    keyId: pair.keyId,
    privateKey: pair.privateKey,
    now: NOW,
    ...options,
  });
  return { method: 'POST', url: signed.url, headers: signed.headers, body: signed.body };
}

const verify = (req: DeliveryRequest, keys: JsonWebKeySet = pair.jwks) =>
  verifyDelivery(req, { keys, now: () => NOW });

describe('verifyDelivery', () => {
  it.each<[string, Partial<SignDeliveryOptions>, object]>([
    [
      'the documented v6 form with a SHA-256 digest',
      {},
      { format: 'upvest-v6', digestHeader: 'digest', ecdsaEncoding: 'der' },
    ],
    [
      'the v15 form with content-digest',
      { format: 'rfc9421', digest: 'content-digest' },
      { format: 'rfc9421', digestHeader: 'content-digest' },
    ],
    ['a raw r||s signature', { ecdsaEncoding: 'ieee-p1363' }, { ecdsaEncoding: 'ieee-p1363' }],
  ])('should verify %s and say which variant it was', async (_name, options, signature) => {
    const result = await verify(request([event()], options));
    expect(result).toMatchObject({ ok: true, signature: { keyId: pair.keyId, ...signature } });
    if (result.ok) expect(result.events.map((e) => e.type)).toEqual(['USER.CREATED']);
  });

  it('should let a caller pin one variant', async () => {
    const result = await verifyDelivery(request(), {
      keys: pair.jwks,
      now: () => NOW,
      signatureFormats: ['rfc9421'],
    });
    expect(result).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  const base = request();
  const mutate = (change: (r: typeof base) => DeliveryRequest) =>
    change({ ...base, headers: { ...base.headers } });

  it.each<[string, () => DeliveryRequest, JsonWebKeySet | undefined, string]>([
    [
      'a changed body',
      () => mutate((r) => ({ ...r, body: String(r.body).replace('USER.CREATED', 'USER.DELETED') })),
      undefined,
      'digest_mismatch',
    ],
    [
      'a changed digest header',
      () =>
        mutate((r) => ({
          ...r,
          headers: { ...r.headers, digest: 'SHA-256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
        })),
      undefined,
      'digest_mismatch',
    ],
    [
      'a changed covered header',
      () => mutate((r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } })),
      undefined,
      'bad_signature',
    ],
    [
      'another path',
      () => mutate((r) => ({ ...r, url: 'https://tenant.tld/other' })),
      undefined,
      'bad_signature',
    ],
    [
      'a changed signature',
      () =>
        mutate((r) => ({
          ...r,
          headers: {
            ...r.headers,
            signature: r.headers['signature']!.replace(
              /:(.)/,
              (_m, c: string) => `:${c === 'A' ? 'B' : 'A'}`,
            ),
          },
        })),
      undefined,
      'bad_signature',
    ],
    ['a key Upvest does not publish', () => base, generateDeliveryKeyPair().jwks, 'unknown_key'],
    [
      'the right kid with another key',
      () => base,
      { keys: [{ ...generateDeliveryKeyPair().publicJwk, kid: pair.keyId }] },
      'bad_signature',
    ],
    [
      'missing signature headers',
      () => mutate((r) => ({ ...r, headers: { 'content-type': 'application/json' } })),
      undefined,
      'missing_signature',
    ],
    [
      'a signature that covers no digest',
      () => {
        const signed = request();
        const input = signed.headers['signature-input']!.replace(' "digest"', '');
        return { ...signed, headers: { ...signed.headers, 'signature-input': input } };
      },
      undefined,
      'bad_signature',
    ],
  ])('should refuse %s', async (_name, build, keys, reason) => {
    expect(await verify(build(), keys)).toMatchObject({ ok: false, reason });
  });

  it.each([
    ['an expired delivery', NOW - 3600, 'expired'],
    ['a delivery created in the future', NOW + 3600, 'created_in_future'],
  ])('should refuse %s', async (_name, signedAt, reason) => {
    expect(await verify(request([event()], { now: signedAt }))).toMatchObject({
      ok: false,
      reason,
    });
  });

  it('should refuse a valid signature that does not cover the digest', async () => {
    const { signRequest } = await import('../signing/sign.js');
    const body = JSON.stringify({ payload: [event()] });
    const signed = signRequest(
      {
        method: 'POST',
        url: 'https://tenant.tld/webhooks',
        headers: { 'content-type': 'application/json' },
        body,
      },
      {
        keyId: pair.keyId,
        privateKey: pair.privateKey,
        created: NOW,
        components: ['@method', '@path'],
        baseFormat: 'upvest-v6',
      },
    );
    const result = await verify({
      method: 'POST',
      url: 'https://tenant.tld/webhooks',
      headers: { 'content-type': 'application/json', ...signed.headers },
      body,
    });
    expect(result).toMatchObject({ ok: false, reason: 'missing_digest' });
  });

  it('should never accept a delivery with flipped bytes in its body or signature', async () => {
    const original = request([event(), event({ id: '1f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11' })]);
    const body = Buffer.from(String(original.body));
    const signature = Buffer.from(original.headers['signature']!.slice(6, -1), 'base64');
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        async (at, flip, inBody) => {
          const b = Buffer.from(body);
          const s = Buffer.from(signature);
          if (inBody) b[at % b.length]! ^= flip;
          else s[at % s.length]! ^= flip;
          const result = await verify({
            ...original,
            body: b,
            headers: { ...original.headers, signature: `sig1=:${s.toString('base64')}:` },
          });
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseDelivery', () => {
  it('should return events in created_at order, nanoseconds included', () => {
    const parsed = parseDelivery(
      JSON.stringify({
        payload: [
          event({
            id: '00000000-0000-4000-8000-000000000003',
            created_at: '2021-11-19T13:06:57.820371266Z',
          }),
          event({
            id: '00000000-0000-4000-8000-000000000001',
            created_at: '2021-11-19T13:06:57.820371265Z',
          }),
          event({
            id: '00000000-0000-4000-8000-000000000002',
            created_at: '2021-11-19T14:06:57.8203712655+01:00',
          }),
          event({ id: '00000000-0000-4000-8000-000000000000', created_at: '2021-11-19T13:06:57Z' }),
        ],
      }),
    );
    expect(parsed.ok && parsed.events.map((e) => e.id.slice(-1))).toEqual(['0', '1', '2', '3']);
  });

  it('should keep unknown event types as typed unknown events', () => {
    const parsed = parseDelivery(
      JSON.stringify({
        payload: [event({ type: 'SAVINGS_PLAN_EXECUTION.DATA_CHANGED' }), event()],
      }),
    );
    expect(parsed.ok && parsed.events.map((e) => [e.type, e.known])).toEqual([
      ['SAVINGS_PLAN_EXECUTION.DATA_CHANGED', false],
      ['USER.CREATED', true],
    ]);
  });

  it('should accept an empty batch', () => {
    expect(parseDelivery('{"payload":[]}')).toEqual({ ok: true, events: [] });
  });

  it.each([
    ['invalid JSON', '{"payload": [', 'invalid_json', ''],
    ['a body without payload', '{"events": []}', 'invalid_delivery', '/payload'],
    [
      'an event with a bad timestamp',
      JSON.stringify({ payload: [event(), event({ created_at: 'yesterday' })] }),
      'invalid_delivery',
      '/payload/1/created_at',
    ],
    [
      'an event with an extra field',
      JSON.stringify({ payload: [{ ...event(), extra: 1 }] }),
      'invalid_delivery',
      '/payload/0/extra',
    ],
    [
      'an event without a type',
      JSON.stringify({ payload: [{ ...event(), type: undefined }] }),
      'invalid_delivery',
      '/payload/0/type',
    ],
  ])('should refuse %s with a precise path', (_name, body, reason, path) => {
    const parsed = parseDelivery(body);
    expect(parsed).toMatchObject({ ok: false, reason });
    if (!parsed.ok) expect(parsed.issues.map((i) => i.path)).toContain(path);
  });

  it('should never throw, whatever the body', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array()), (body) => {
        expect(typeof parseDelivery(body).ok).toBe('boolean');
      }),
    );
  });
});

describe('createVerificationKeyProvider', () => {
  it('should refetch for an unknown keyid at most once per interval', async () => {
    let clock = 0;
    let fetches = 0;
    const keys = createVerificationKeyProvider({
      fetchKeys: () => {
        fetches += 1;
        return Promise.resolve(pair.jwks);
      },
      minRefetchIntervalMs: 60_000,
      now: () => clock,
    });
    expect(await keys(pair.keyId)).toBeDefined();
    expect(await keys('forged-1')).toBeUndefined();
    expect(await keys('forged-2')).toBeUndefined();
    expect(fetches).toBe(1);
    clock = 61_000;
    expect(await keys('forged-3')).toBeUndefined();
    expect(fetches).toBe(2);
  });
});

describe('delivery handlers', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function serve(options: Partial<Parameters<typeof createNodeDeliveryHandler>[0]> = {}) {
    const received: DeliveryEvent[][] = [];
    const handler = createNodeDeliveryHandler({
      keys: pair.jwks,
      now: () => NOW,
      onEvents: (events) => void received.push([...events]),
      ...options,
    });
    const server = createServer((req, res) => void handler(req, res));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    const post = (delivery: TestDelivery) =>
      fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
    return { received, post, url };
  }

  it('should answer 200 over real HTTP and hand each event over exactly once, even when the batch is retried', async () => {
    const { received, post } = await serve();
    const delivery = request(
      [
        event(),
        event({ id: '1f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11', created_at: '2021-11-19T13:06:57Z' }),
      ],
      { url: 'https://tenant.tld/webhooks' },
    );
    expect((await post(delivery)).status).toBe(200);
    expect((await post(delivery)).status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]?.map((e) => e.id)).toEqual([
      '1f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11',
      '0f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11',
    ]);
  });

  it('should answer 500 when onEvents throws, and process the events when the batch comes again', async () => {
    let attempts = 0;
    const seen: string[] = [];
    const errors: unknown[] = [];
    const { post } = await serve({
      onEvents: (events) => {
        attempts += 1;
        if (attempts === 1) throw new Error('database down');
        seen.push(...events.map((e) => e.id));
      },
      onError: (error) => errors.push(error),
    });
    const delivery = request([event()], { url: 'https://tenant.tld/webhooks' });
    const failed = await post(delivery);
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain('database down');
    expect((await post(delivery)).status).toBe(200);
    expect(seen).toEqual(['0f8b1b3e-9a4c-4a57-9d33-2a1f6f7c0b11']);
    expect(errors).toHaveLength(1);
  });

  it.each<[string, () => TestDelivery, number]>([
    [
      'a bad signature',
      () => ({ ...request(), headers: { ...request().headers, signature: 'sig1=:AAAA:' } }),
      401,
    ],
    [
      'a missing signature',
      () => ({ ...request(), headers: { 'content-type': 'application/json' } }),
      401,
    ],
    [
      'a signed empty batch',
      () => {
        const signed = signDelivery([], {
          keyId: pair.keyId,
          privateKey: pair.privateKey,
          now: NOW,
        });
        return { method: 'POST', url: signed.url, headers: signed.headers, body: signed.body };
      },
      200,
    ],
  ])('should answer %s with %d', async (_name, build, status) => {
    const { post } = await serve();
    const response = await post({ ...build(), url: 'https://tenant.tld/webhooks' });
    expect(response.status).toBe(status);
    if (status >= 400)
      expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('should answer 413 above the size cap without reading further', async () => {
    const { post } = await serve({ maxBodyBytes: 1000 });
    const big = request([event({ object: { blob: 'x'.repeat(5000) } })]);
    expect((await post(big)).status).toBe(413);
  });

  it('should answer 400 to a signed body that is not JSON', async () => {
    const { signRequest } = await import('../signing/sign.js');
    const { legacyDigest } = await import('../signing/digest.js');
    const body = '{"payload": [';
    const headers = { 'content-type': 'application/json', digest: legacyDigest(body) };
    const signed = signRequest(
      { method: 'POST', url: 'https://tenant.tld/webhooks', headers, body },
      {
        keyId: pair.keyId,
        privateKey: pair.privateKey,
        created: NOW,
        components: ['@method', '@path', 'digest'],
        baseFormat: 'upvest-v6',
      },
    );
    const { post } = await serve();
    expect(
      (await post({ method: 'POST', url: '', headers: { ...headers, ...signed.headers }, body }))
        .status,
    ).toBe(400);
  });

  it('should serve the Fetch API the same way', async () => {
    const seen: string[] = [];
    const handle = createFetchDeliveryHandler({
      keys: pair.jwks,
      now: () => NOW,
      onEvents: (events) => void seen.push(...events.map((e) => e.type)),
    });
    const delivery = request([event()], { url: 'https://tenant.tld/webhooks' });
    const ok = await handle(
      new Request(delivery.url, { method: 'POST', headers: delivery.headers, body: delivery.body }),
    );
    const bad = await handle(
      new Request(delivery.url, {
        method: 'POST',
        headers: { ...delivery.headers, signature: 'sig1=:AAAA:' },
        body: delivery.body,
      }),
    );
    const wrongMethod = await handle(new Request(delivery.url, { method: 'GET' }));
    expect([ok.status, bad.status, wrongMethod.status]).toEqual([200, 401, 405]);
    expect(seen).toEqual(['USER.CREATED']);
  });
});

describe('createMemoryDedupeStore', () => {
  it('should forget the oldest ids beyond its bound and after its time to live', () => {
    let clock = 0;
    const store = createMemoryDedupeStore({ maxEntries: 2, ttlMs: 1000, now: () => clock });
    void store.commit(store.claim(['a', 'b', 'c']) as string[]);
    expect(store.claim(['a', 'b', 'c'])).toEqual(['a']);
    void store.release(['a']);
    clock = 2000;
    expect(store.claim(['b', 'c'])).toEqual(['b', 'c']);
  });

  it('should give an id to only one of two concurrent claims', () => {
    const store = createMemoryDedupeStore();
    expect(store.claim(['x'])).toEqual(['x']);
    expect(store.claim(['x'])).toEqual([]);
  });
});
