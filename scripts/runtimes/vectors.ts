/**
 * The deliveries every runtime must judge as Node does: genuine ones in each documented shape,
 * and forgeries, each with the verdict expected of it. Made on Node with the package's own
 * signer (`upvest-webhooks/testing`), fresh per run.
 */
import { generateDeliveryKeyPair, signDelivery } from '../../src/testing/index.js';
import type { Vector } from './check-vectors.ts';

/** A vector and whether a correct receiver accepts it (`true`) or why it refuses it. */
export interface ExpectedVector extends Vector {
  readonly expected: true | string;
}

const url = 'https://tenant.example/webhooks/upvest';

function event(i: number, object: Record<string, unknown> = {}) {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    created_at: new Date().toISOString(),
    type: 'USER.CREATED',
    object,
    webhook_id: '5b0f3b4e-2a9c-4d1e-9f7a-0c1d2e3f4a5b',
  };
}

/** The keys of a run, and a signer and a vector maker over them. */
function workbench() {
  const pair = generateDeliveryKeyPair();
  const rotated = generateDeliveryKeyPair();
  const stranger = generateDeliveryKeyPair({ keyId: pair.keyId });
  const jwks = { keys: [...pair.jwks.keys, ...rotated.jwks.keys] };
  const sign = (events: object[], options: Partial<Parameters<typeof signDelivery>[1]> = {}) =>
    signDelivery(events as Parameters<typeof signDelivery>[0], {
      keyId: pair.keyId,
      privateKey: pair.privateKey,
      url,
      ...options,
    });
  const vector = (
    name: string,
    signed: { headers: Record<string, string>; body: string },
    expected: true | string,
    keys = jwks,
  ): ExpectedVector => ({
    name,
    request: { method: 'POST', url, headers: { ...signed.headers }, body: signed.body },
    jwks: keys,
    expected,
  });
  return { pair, rotated, stranger, sign, vector };
}

type Workbench = ReturnType<typeof workbench>;

/** Genuine deliveries in every documented shape: each must verify. */
function genuineVectors({ pair, rotated, sign, vector }: Workbench): ExpectedVector[] {
  const { kty: _kty, crv: _crv, ...bare } = pair.jwks.keys[0]!;
  return [
    vector('v6, digest, DER', sign([event(1)]), true),
    vector(
      'v6, content-digest, raw',
      sign([event(3)], { digest: 'content-digest', ecdsaEncoding: 'ieee-p1363' }),
      true,
    ),
    vector(
      'v15, content-digest, DER',
      sign([event(4)], { format: 'rfc9421', digest: 'content-digest' }),
      true,
    ),
    vector(
      'v15, digest, raw',
      sign([event(5)], { format: 'rfc9421', ecdsaEncoding: 'ieee-p1363' }),
      true,
    ),
    vector(
      'the rotated key',
      signDelivery([event(6)], { keyId: rotated.keyId, privateKey: rotated.privateKey, url }),
      true,
    ),
    vector("Upvest's JWK without kty and crv", sign([event(7)]), true, { keys: [bare] }),
    vector('text beyond ASCII', sign([event(8, { name: 'Zoë 🚀 北京' })]), true),
    vector(
      'a 200 KiB batch',
      sign(Array.from({ length: 400 }, (_, i) => event(100 + i, { note: 'x'.repeat(480) }))),
      true,
    ),
    // The default keyIdMatch, kid-or-any-key: a keyid the set lacks, signed by a key it has.
    vector('an unknown keyid, by a trusted key', sign([event(12)], { keyId: 'nobody' }), true),
  ];
}

/** Forgeries and broken deliveries: each must be refused, for its reason. */
function forgedVectors({ pair, stranger, sign, vector }: Workbench): ExpectedVector[] {
  const genuine = sign([event(1)]);
  const flipped = { ...genuine.headers };
  flipped['signature'] = flipped['signature']!.replace(
    /:(.)/,
    (_, c: string) => `:${c === 'A' ? 'B' : 'A'}`,
  );
  const der = sign([event(2)], { ecdsaEncoding: 'der' });
  const padded = { ...der.headers, signature: padDer(der.headers['signature']!) };
  return [
    vector(
      'a body changed after signing',
      { ...genuine, body: genuine.body.replace('USER.CREATED', 'USER.DELETED') },
      'digest_mismatch',
    ),
    vector(
      'another key under the trusted keyid',
      signDelivery([event(9)], { keyId: pair.keyId, privateKey: stranger.privateKey, url }),
      'bad_signature',
    ),
    vector(
      'an unknown keyid, by a key the set lacks',
      signDelivery([event(10)], { keyId: 'nobody', privateKey: stranger.privateKey, url }),
      'unknown_key',
    ),
    vector(
      'an expired signature',
      sign([event(11)], { now: Math.floor(Date.now() / 1000) - 3600, expiresInSeconds: 60 }),
      'expired',
    ),
    vector('a flipped signature byte', { ...genuine, headers: flipped }, 'bad_signature'),
    vector('DER with a needless leading zero', { ...der, headers: padded }, 'bad_signature'),
    vector('a signed body that is no JSON', sign([], { body: 'not json' }), 'invalid_json'),
  ];
}

/**
 * The vectors: genuine shapes (v6 and v15 bases, DER and raw, both digests), a rotated key,
 * Upvest's JWK without `kty` and `crv`, text beyond ASCII, a large batch and an unknown `keyid`
 * by a trusted key; then a changed body, another key under the trusted `keyid`, an unknown
 * `keyid` by an unknown key, an expired signature, a flipped signature byte, DER with a needless
 * leading zero, and a signed body that is no JSON.
 */
export function makeVectors(): ExpectedVector[] {
  const bench = workbench();
  return [...genuineVectors(bench), ...forgedVectors(bench)];
}

/** The DER signature of a `sig1=:…:` field with a zero byte put before r: no longer canonical. */
function padDer(field: string): string {
  const bytes = Buffer.from(/:(.*):/.exec(field)![1]!, 'base64');
  // 30 81 L 02 Lr r… : r gains a leading 00 (both lengths grow by one).
  const lengthBytes = bytes[1] === 0x81 ? 2 : 1;
  const rAt = 1 + lengthBytes;
  const out = Buffer.concat([
    bytes.subarray(0, rAt + 1),
    Buffer.from([bytes[rAt + 1]! + 1, 0]),
    bytes.subarray(rAt + 2),
  ]);
  if (lengthBytes === 2) out[2] = bytes[2]! + 1;
  else out[1] = bytes[1]! + 1;
  return field.replace(/:.*:/, `:${out.toString('base64')}:`);
}
