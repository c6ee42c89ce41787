import { describe, expect, it } from 'vitest';
import { validateWebhookEventFields } from '../../generated/validators.js';
import { compareCreatedAt } from '../receiver/created-at.js';
import { createDeliveryEvent, generateDeliveryKeyPair, signDelivery } from './deliveries.js';
import { verifyDelivery } from '../receiver/verify.js';

describe('createDeliveryEvent', () => {
  it('should create valid events whose created_at increases with nanoseconds', () => {
    const events = Array.from({ length: 50 }, () => createDeliveryEvent());
    for (const event of events) expect(validateWebhookEventFields(event)).toBe(true);
    expect(events[0]?.created_at).toMatch(/\.\d{9}Z$/);
    for (let i = 1; i < events.length; i += 1)
      expect(compareCreatedAt(events[i - 1]!.created_at, events[i]!.created_at)).toBe(-1);
    expect(new Set(events.map((event) => event.id)).size).toBe(50);
  });

  it('should take overrides', () => {
    expect(createDeliveryEvent({ type: 'ORDER.FILLED', object: { id: 'o' } })).toMatchObject({
      type: 'ORDER.FILLED',
      object: { id: 'o' },
    });
  });
});

describe('generateDeliveryKeyPair', () => {
  it('should give a P-521 key and the JWKS that verifies it, with the key id as kid', () => {
    const pair = generateDeliveryKeyPair({ keyId: 'upvest-test' });
    expect(pair.privateKey.asymmetricKeyDetails?.namedCurve).toBe('secp521r1');
    expect(pair.jwks).toEqual({
      keys: [
        {
          kid: 'upvest-test',
          kty: 'EC',
          crv: 'P-521',
          x: expect.any(String) as unknown,
          y: expect.any(String) as unknown,
        },
      ],
    });
  });
});

describe('signDelivery', () => {
  const pair = generateDeliveryKeyPair();

  it('should sign the documented v6 form by default', async () => {
    const signed = signDelivery([createDeliveryEvent()], {
      ...pair,
      url: 'https://tenant.tld/hooks',
    });
    expect(signed.headers).toMatchObject({
      'content-type': 'application/json',
      digest: expect.stringMatching(/^SHA-256=/) as unknown,
      'signature-input': expect.stringMatching(
        new RegExp(
          `^sig1=\\("@method" "@path" "content-type" "content-length" "digest"\\);created=\\d+;expires=\\d+;nonce="[^"]+";keyid="${pair.keyId}"$`,
        ),
      ) as unknown,
      signature: expect.stringMatching(/^sig1=:[A-Za-z0-9+/]+=*:$/) as unknown,
    });
    const result = await verifyDelivery(
      { method: 'POST', url: signed.url, headers: signed.headers, body: signed.body },
      { keys: pair.jwks },
    );
    expect(result).toMatchObject({
      ok: true,
      signature: { format: 'upvest-v6', ecdsaEncoding: 'der' },
    });
  });

  it('should sign an exact body and extra covered headers', async () => {
    const signed = signDelivery([], {
      ...pair,
      url: 'https://tenant.tld/hooks',
      body: '{"payload":[]}\n',
      headers: { 'upvest-webhook-id': 'w' },
      components: ['@method', 'upvest-webhook-id', 'digest'],
    });
    expect(signed.body).toBe('{"payload":[]}\n');
    const result = await verifyDelivery(
      { method: 'POST', url: signed.url, headers: signed.headers, body: signed.body },
      { keys: pair.jwks },
    );
    expect(result).toMatchObject({
      ok: true,
      events: [],
      signature: { coveredComponents: ['@method', 'upvest-webhook-id', 'digest'] },
    });
  });
});
