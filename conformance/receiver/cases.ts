/**
 * What the receiver suite sends, one case per row: a genuine delivery the endpoint must
 * acknowledge with 2xx, or a request it must refuse with 4xx. Every case is built on a delivery
 * shape the endpoint has accepted, so a refusal means the endpoint saw what was wrong, not that
 * it refuses that shape anyway.
 *
 * `documented` cases fail only what is wrong whatever Upvest sends; `strict` cases are what a
 * careful receiver demands beyond what Upvest documents (for example that `@path` is covered),
 * and fail only under `--strict`.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import {
  defaultComponents,
  digestHeaderValue,
  ecdsaSigner,
  ecdsaSignerWhere,
  forgeDelivery,
  hmacSigner,
  honestParams,
  type BaseSigner,
  type DeliveryShape,
  type DigestHeader,
  type ForgeOptions,
  type OutgoingDelivery,
  type SignatureParam,
} from './forge.js';
import { batchOfSize, envelope, UNUSUAL_JSON, type EventSource } from './events.js';
import { deliveryKeyPairOf } from '../../src/testing/index.js';

/** A key the endpoint trusts: its `kid` in the JWKS is `keyId`. */
export interface ReceiverKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

/** What the endpoint answered: a status, or why there was none. */
export interface Answer {
  readonly status: number | undefined;
  readonly ms: number;
  readonly error?: string;
}

/** What a case builds its requests from. */
export interface CaseKit {
  readonly url: string;
  readonly key: ReceiverKey;
  readonly source: EventSource;
  /** A shape the endpoint accepted: attacks are made in it. */
  readonly shape: DeliveryShape;
  /** An accepted shape with this digest header, if the endpoint accepts one. */
  shapeWith(digest: DigestHeader): DeliveryShape | undefined;
  /** A key the endpoint must not trust, and the URL where the suite serves it as a JWKS. */
  readonly attacker: { readonly privateKey: KeyObject; readonly jwksUrl: string };
  /** Another key the endpoint trusts, listed first in its JWKS, if the run has one. */
  readonly secondKey: ReceiverKey | undefined;
  /** Whether the run knows the webhook id the endpoint serves (`webhookId` was given). */
  readonly webhookIdKnown: boolean;
  deliver(delivery: OutgoingDelivery): Promise<Answer>;
}

/** The parameters an honest signer sends under the run's key, all but `left` out. */
function honestParamsWithout(kit: CaseKit, left: string): SignatureParam[] {
  return honestParams(kit.key.keyId).filter(([name]) => name !== left);
}

/** How much a case demands: what Upvest documents, or what a careful receiver adds. */
type ReceiverLevel = 'documented' | 'strict';

/** One row of the receiver suite. */
export interface ReceiverCase {
  readonly name: string;
  readonly level: ReceiverLevel;
  readonly owed: 'accept' | 'refuse';
  /** Why a wrong answer matters, for the failure's detail. */
  readonly why: string;
  /** Sends the case's requests; the answer returned is judged, a string skips with that reason. */
  run(kit: CaseKit): Promise<Answer | string>;
}

type Overrides = Partial<Omit<ForgeOptions, 'shape' | 'body' | 'signatures'>> & {
  readonly shape?: DeliveryShape;
  readonly components?: readonly string[];
  readonly params?: readonly SignatureParam[];
  readonly label?: string;
  readonly signer?: BaseSigner;
  /** Signature bytes instead of a signature (a forgery that may not even parse). */
  readonly bytes?: Buffer;
};

/** A delivery of `body` signed honestly by the trusted key, in the kit's shape. */
export function genuine(
  kit: Pick<CaseKit, 'url' | 'key' | 'shape'>,
  body: string,
  overrides: Overrides = {},
): OutgoingDelivery {
  const shape = overrides.shape ?? kit.shape;
  return forgeDelivery({
    url: kit.url,
    body,
    shape,
    ...overrides,
    signatures: [
      {
        ...(overrides.label ? { label: overrides.label } : {}),
        components: overrides.components ?? defaultComponents(shape.digest),
        params: overrides.params ?? honestParams(kit.key.keyId),
        signer: overrides.signer ?? ecdsaSigner(kit.key.privateKey, shape.encoding),
        ...(overrides.bytes ? { bytes: overrides.bytes } : {}),
      },
    ],
  });
}

const now = () => Math.floor(Date.now() / 1000);
const batch = (kit: CaseKit) => envelope(kit.source.events({ count: 2 }));

/** Sends one delivery. */
const send =
  (build: (kit: CaseKit) => OutgoingDelivery | string) =>
  (kit: CaseKit): Promise<Answer | string> => {
    const delivery = build(kit);
    return typeof delivery === 'string' ? Promise.resolve(delivery) : kit.deliver(delivery);
  };

const accept = (
  name: string,
  why: string,
  build: (kit: CaseKit) => OutgoingDelivery | string,
  level: ReceiverLevel = 'documented',
): ReceiverCase => ({ name, level, owed: 'accept', why, run: send(build) });

const refuse = (
  name: string,
  why: string,
  build: (kit: CaseKit) => OutgoingDelivery | string,
  level: ReceiverLevel = 'documented',
): ReceiverCase => ({ name, level, owed: 'refuse', why, run: send(build) });

/** Several requests; the first answer that is not a 2xx is judged, else the slowest. */
const every =
  (build: (kit: CaseKit) => readonly OutgoingDelivery[]) =>
  async (kit: CaseKit): Promise<Answer> => {
    const answers: Answer[] = [];
    for (const delivery of build(kit)) answers.push(await kit.deliver(delivery));
    return (
      answers.find((a) => a.status === undefined || a.status < 200 || a.status >= 300) ??
      answers.reduce((slowest, a) => (a.ms > slowest.ms ? a : slowest))
    );
  };

/** The same request twice; the second answer is judged. */
const twice =
  (build: (kit: CaseKit) => OutgoingDelivery) =>
  async (kit: CaseKit): Promise<Answer> => {
    const delivery = build(kit);
    await kit.deliver(delivery);
    return kit.deliver(delivery);
  };

const STREAM =
  'anything but 2xx makes Upvest retry the batch and blocks every later one (R15, R16)';
const FORGED = 'accepting it lets anyone who can reach the endpoint feed it events';

/** A same-length change of the body: only the digest can tell. */
function tampered(body: string): string {
  return body.replace(
    /"type":"([A-Z_]+)\./,
    (_, category: string) => `"type":"${'X'.repeat(category.length)}.`,
  );
}

/** Public key material an HMAC verifier might wrongly use as the secret. */
const PUBLIC_KEY_MATERIAL: readonly (readonly [
  string,
  (key: ReceiverKey) => Uint8Array | string,
])[] = [
  [
    'its SPKI DER',
    (key) => createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' }),
  ],
  [
    'its SPKI PEM',
    (key) => String(createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' })),
  ],
  [
    'its JWK as JSON',
    (key) => JSON.stringify(deliveryKeyPairOf(key.keyId, key.privateKey).publicJwk),
  ],
  ['the JWKS as JSON', (key) => JSON.stringify(deliveryKeyPairOf(key.keyId, key.privateKey).jwks)],
  [
    'its raw EC point',
    (key) => {
      const { x = '', y = '' } = deliveryKeyPairOf(key.keyId, key.privateKey).publicJwk;
      return Buffer.concat([
        Buffer.from([4]),
        Buffer.from(x, 'base64url'),
        Buffer.from(y, 'base64url'),
      ]);
    },
  ],
  ['its x coordinate', (key) => deliveryKeyPairOf(key.keyId, key.privateKey).publicJwk.x ?? ''],
  ['its key id', (key) => key.keyId],
];

/** The digest header value of `body`. */
function digestOf(digest: DigestHeader, body: string): string {
  return digestHeaderValue(digest, body);
}

/** The value with the first letter of its base64 in the other case. */
function flipFirstLetter(value: string): string {
  return value.replace(
    /(=:?[^a-zA-Z]*)([a-zA-Z])/,
    (_, before: string, letter: string) =>
      before + (letter === letter.toUpperCase() ? letter.toLowerCase() : letter.toUpperCase()),
  );
}

/** Headers proxies use for the original path: a receiver must not take `@path` from them. */
const PATH_HEADERS = [
  'x-original-uri',
  'x-original-url',
  'x-forwarded-uri',
  'x-rewrite-url',
  'x-forwarded-path',
] as const;

/** The URL with another path: a delivery Upvest signed for another endpoint. */
function elsewhere(url: string): URL {
  const other = new URL(url);
  other.pathname = `${other.pathname.replace(/\/$/, '')}-other/hooks`;
  return other;
}

/** Genuine deliveries in forms a receiver must take whatever Upvest's exact signer does. */
function genuineCases(): ReceiverCase[] {
  return [
    ...reorderedAndRedeliveredCases(),
    ...signatureVariantCases(),
    ...eventVariantCases(),
    ...keyAndBatchVariantCases(),
    ...newAndLargeEventCases(),
  ];
}

/** Genuine deliveries with their parts in another order, sent again, or out of order. */
function reorderedAndRedeliveredCases(): ReceiverCase[] {
  return [
    accept(
      'a genuine delivery with its parameters in another order (keyid;nonce;created;expires)',
      `Upvest's signers write the parameters in different orders (§9); the base takes them verbatim. ${STREAM}`,
      (kit) => {
        const [created, expires, nonce, keyid] = honestParams(kit.key.keyId);
        return genuine(kit, batch(kit), { params: [keyid!, nonce!, created!, expires!] });
      },
    ),
    accept(
      'a genuine delivery covering its components in another order',
      `the covered components are read from signature-input, in its order (§9.2). ${STREAM}`,
      (kit) =>
        genuine(kit, batch(kit), {
          components: [...defaultComponents(kit.shape.digest)].reverse(),
        }),
    ),
    {
      name: 'the same delivery again after a 2xx',
      level: 'documented',
      owed: 'accept',
      why: `Upvest redelivers; deduplicate on the event id and acknowledge again (R15, R17). ${STREAM}`,
      run: twice((kit) => genuine(kit, batch(kit))),
    },
    {
      name: 'the same events again under a fresh signature',
      level: 'documented',
      owed: 'accept',
      why: `a retry is signed anew (R15); the events are not new, the answer is still 2xx (R17). ${STREAM}`,
      run: async (kit) => {
        const body = batch(kit);
        await kit.deliver(genuine(kit, body));
        return kit.deliver(genuine(kit, body));
      },
    },
    {
      name: 'a new batch repeating an event delivered before, beside a new one',
      level: 'documented',
      owed: 'accept',
      why: `an event may come again in another batch (R15); process the new one, skip the known one (R17). ${STREAM}`,
      run: async (kit) => {
        const [old] = kit.source.events({ count: 1 });
        await kit.deliver(genuine(kit, envelope([old!])));
        const [fresh] = kit.source.events({ count: 1 });
        return kit.deliver(genuine(kit, envelope([old!, fresh!])));
      },
    },
    {
      name: 'a batch of events older than those of the batch before it',
      level: 'documented',
      owed: 'accept',
      why: `there is no order across batches (R13). ${STREAM}`,
      run: async (kit) => {
        const older = kit.source.events({ count: 2, ageMs: 60_000 });
        await kit.deliver(genuine(kit, batch(kit)));
        return kit.deliver(genuine(kit, envelope(older)));
      },
    },
    accept(
      'events created three days ago (a batch retried after an outage)',
      `Upvest retries a failing batch without limit (R15, R16): events arrive as old as the outage was long. ${STREAM}`,
      (kit) => genuine(kit, envelope(kit.source.events({ count: 2, ageMs: 3 * 86_400_000 }))),
    ),
  ];
}

/** Genuine signatures of every length and encoding, and one made ahead of this clock. */
function signatureVariantCases(): ReceiverCase[] {
  return [
    {
      name: 'genuine DER signatures of every length (137, 138 and 139 bytes) and raw ones with leading zeros',
      level: 'documented',
      owed: 'accept',
      why: `ECDSA signatures vary in length; a verifier that guesses the encoding from it, or converts by hand, refuses some genuine ones. ${STREAM}`,
      run: every((kit) => [
        ...[137, 138, 139].map((length) =>
          genuine(kit, batch(kit), {
            shape: { ...kit.shape, encoding: 'der' },
            signer: ecdsaSignerWhere(kit.key.privateKey, 'der', (b) => b.length === length),
          }),
        ),
        genuine(kit, batch(kit), {
          shape: { ...kit.shape, encoding: 'ieee-p1363' },
          signer: ecdsaSignerWhere(
            kit.key.privateKey,
            'ieee-p1363',
            (b) => b[0] === 0 && b[66] === 0,
          ),
        }),
      ]),
    },
    accept(
      'a genuine signature created five seconds ahead of this clock',
      `clocks differ; a receiver allows some skew. ${STREAM}`,
      (kit) =>
        genuine(kit, batch(kit), { params: honestParams(kit.key.keyId, { now: now() + 5 }) }),
    ),
  ];
}

/** Events as Upvest may write them: any characters, UUID version, offset or clock. */
function eventVariantCases(): ReceiverCase[] {
  return [
    accept(
      'a large delivery full of characters beyond ASCII',
      `the body is UTF-8 bytes; decoding it chunk by chunk splits characters. ${STREAM}`,
      (kit) =>
        genuine(
          kit,
          envelope(
            kit.source.events({ count: 40 }).map((e) => ({
              ...e,
              object: { ...e.object, note: 'Zoë Straße 😀 ‰ 中文 '.repeat(400) },
            })),
          ),
        ),
    ),
    accept(
      'events whose ids are UUIDs of other versions than 4',
      `the schema says uuid, not version 4; Upvest may mint others. ${STREAM}`,
      (kit) =>
        genuine(
          kit,
          envelope(
            kit.source.events({ count: 2 }).map((e, i) => ({
              ...e,
              id: [
                '01890a5d-ac96-774b-bcce-b302099a8057', // version 7
                'c232ab00-9414-11ec-b3c8-9f6bdeced846', // version 1
              ][i]!.replace(/^.{8}/, () => randomUUID().slice(0, 8)),
            })),
          ),
        ),
    ),
    accept(
      'events whose created_at carries an offset (+02:00) instead of Z',
      `created_at is an RFC 3339 date-time; an offset is one. ${STREAM}`,
      (kit) =>
        genuine(
          kit,
          envelope(
            kit.source.events({ count: 1 }).map((e) => {
              const at = new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 19);
              return { ...e, created_at: `${at}.123456789+02:00` };
            }),
          ),
        ),
    ),
    accept(
      'events created a few seconds in the future (clocks differ)',
      `Upvest's clock is not yours; an event is not refused for its created_at. ${STREAM}`,
      (kit) => genuine(kit, envelope(kit.source.events({ count: 2, ageMs: -20_000 }))),
    ),
    accept(
      'two events of one batch with the same created_at',
      `within a batch events are in created_at order (R13), and two may share a time. ${STREAM}`,
      (kit) => {
        const [first, second] = kit.source.events({ count: 2 });
        return genuine(kit, envelope([first!, { ...second!, created_at: first!.created_at }]));
      },
    ),
  ];
}

/** A rotated key, every category in one batch, unusual JSON, and an empty batch. */
function keyAndBatchVariantCases(): ReceiverCase[] {
  return [
    {
      name: 'a delivery signed by the other key of the JWKS (a key rotation)',
      level: 'documented',
      owed: 'accept',
      why: `Upvest publishes its keys as a set; during a rotation deliveries are signed by either, and the keyid names which. ${STREAM}`,
      run: (kit) =>
        kit.secondKey
          ? kit.deliver(genuine({ ...kit, key: kit.secondKey }, batch(kit)))
          : Promise.resolve('no second key the endpoint trusts (secondKey) was given'),
    },
    accept(
      'events shaped like every example of the spec, in one batch',
      `a batch mixes the categories the webhook subscribes to (§8). ${STREAM}`,
      (kit) => genuine(kit, envelope(kit.source.events({ count: 5 }))),
    ),
    ...unusualJsonCases(),
    accept(
      'an empty batch',
      `{"payload":[]} is a valid delivery (the schema sets no minimum). ${STREAM}`,
      (kit) => genuine(kit, '{"payload":[]}'),
    ),
  ];
}

/** Event types and fields added later, and batches and events up to and beyond 1 MiB. */
function newAndLargeEventCases(): ReceiverCase[] {
  return [
    accept(
      'an event type added after this endpoint was written, in a known category',
      `Upvest adds event types; an unknown one must not block the stream. ${STREAM}`,
      (kit) =>
        genuine(
          kit,
          envelope(
            kit.source.events({ count: 1 }).map((e) => ({ ...e, type: 'ORDER.SOMETHING_NEW' })),
          ),
        ),
    ),
    accept(
      'an event type of a category added after this endpoint was written',
      `Upvest adds categories too. ${STREAM}`,
      (kit) =>
        genuine(
          kit,
          envelope(
            kit.source.events({ count: 1 }).map((e) => ({ ...e, type: 'FUTURE_CATEGORY.CREATED' })),
          ),
        ),
    ),
    accept(
      'fields beyond the documented ones, on the delivery and on its events',
      `Upvest adds fields; ignore what you do not know. ${STREAM}`,
      (kit) =>
        genuine(
          kit,
          JSON.stringify({
            payload: kit.source
              .events({ count: 1 })
              .map((e) => ({ ...e, version: 2, trace: { id: 'x' } })),
            meta: { sent_at: new Date().toISOString() },
          }),
        ),
    ),
    accept(
      'a full batch of about 1 MiB, the largest max_package_size',
      `a webhook may batch up to 1 MiB (R6). ${STREAM}`,
      (kit) => genuine(kit, envelope(batchOfSize(kit.source, 1024 * 1024))),
    ),
    accept(
      'one event larger than 1 MiB',
      `an event larger than max_package_size is delivered whole (R6). ${STREAM}`,
      (kit) =>
        genuine(
          kit,
          envelope(
            kit.source.events({ count: 1 }).map((e) => ({
              ...e,
              type: 'REPORT.CREATED',
              object: { ...e.object, content: 'x'.repeat(1_100_000) },
            })),
          ),
        ),
    ),
  ];
}

function unusualJsonCases(): ReceiverCase[] {
  return UNUSUAL_JSON.map(([name, write]) =>
    accept(
      `a genuine delivery in ${name}`,
      `the digest is over the bytes as sent; a receiver that re-serialises the parsed JSON refuses genuine deliveries. ${STREAM}`,
      (kit) => genuine(kit, write(kit.source.events({ count: 1 })[0]!)),
    ),
  );
}

/** A fresh P-521 key the endpoint does not trust. */
const otherKey = () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;

/** Requests without a valid signature of the trusted key over this body. */
function forgedCases(): ReceiverCase[] {
  return [
    ...missingOrBrokenSignatureCases(),
    ...untrustedKeyCases(),
    ...forgedBesideGenuineCases(),
  ];
}

/** Signatures missing, altered, unparseable, or under a label Upvest does not use. */
function missingOrBrokenSignatureCases(): ReceiverCase[] {
  return [
    refuse('no signature', FORGED, (kit) => {
      const delivery = genuine(kit, batch(kit));
      const { signature: _s, 'signature-input': _i, ...headers } = delivery.headers;
      return { ...delivery, headers };
    }),
    refuse('signature-input without signature', FORGED, (kit) => {
      const delivery = genuine(kit, batch(kit));
      const { signature: _s, ...headers } = delivery.headers;
      return { ...delivery, headers };
    }),
    refuse('signature without signature-input', FORGED, (kit) => {
      const delivery = genuine(kit, batch(kit));
      const { 'signature-input': _i, ...headers } = delivery.headers;
      return { ...delivery, headers };
    }),
    refuse('a signature whose bytes were altered', FORGED, (kit) => {
      const delivery = genuine(kit, batch(kit));
      const signature = delivery.headers['signature']!;
      const at = signature.indexOf(':') + 8;
      const flipped = signature[at] === 'A' ? 'B' : 'A';
      return {
        ...delivery,
        headers: {
          ...delivery.headers,
          signature: signature.slice(0, at) + flipped + signature.slice(at + 1),
        },
      };
    }),
    ...(
      [
        ['an empty signature', Buffer.alloc(0)],
        ['a signature of three bytes', Buffer.from([48, 1, 0])],
        ['a signature of zeros as long as a raw P-521 one', Buffer.alloc(132)],
      ] as const
    ).map(([name, bytes]) =>
      refuse(
        name,
        `${FORGED}: a signature that cannot even be parsed is refused, never skipped`,
        (kit) => genuine(kit, batch(kit), { bytes }),
      ),
    ),
    refuse(
      'a forged signature labelled sig2, with no sig1',
      `${FORGED}: a receiver that verifies only a label it expects must refuse when that label is absent`,
      (kit) =>
        genuine(kit, batch(kit), {
          label: 'sig2',
          signer: ecdsaSigner(otherKey(), kit.shape.encoding),
        }),
    ),
    refuse(
      'a signature-input that is no structured field, beside a forged signature',
      `${FORGED}: what cannot be parsed is refused, never skipped`,
      (kit) => {
        const delivery = genuine(kit, batch(kit), {
          signer: ecdsaSigner(otherKey(), kit.shape.encoding),
        });
        return {
          ...delivery,
          headers: { ...delivery.headers, 'signature-input': 'sig1=@method @path' },
        };
      },
    ),
  ];
}

/** Signatures by keys, or under algorithms, the endpoint must not trust. */
function untrustedKeyCases(): ReceiverCase[] {
  return [
    refuse('a signature under an unknown key id, by an unknown key', FORGED, (kit) =>
      genuine(kit, batch(kit), {
        params: honestParams(randomUUID()),
        signer: ecdsaSigner(otherKey(), kit.shape.encoding),
      }),
    ),
    refuse('a signature by another key under the trusted key id', FORGED, (kit) =>
      genuine(kit, batch(kit), { signer: ecdsaSigner(otherKey(), kit.shape.encoding) }),
    ),
    refuse(
      'a key id that is the URL of a JWKS holding the signing key',
      `${FORGED}: keys come from Upvest's GET /auth/verify_keys only (§9.2), never from the request`,
      (kit) =>
        genuine(kit, batch(kit), {
          params: honestParams(kit.attacker.jwksUrl),
          signer: ecdsaSigner(kit.attacker.privateKey, kit.shape.encoding),
        }),
    ),
    ...['ecdsa-p256-sha256', 'ed25519', 'rsa-pss-sha512', 'rsa-v1_5-sha256', 'none'].map((alg) =>
      refuse(
        `alg="${alg}" on a P-521 signature of the trusted key`,
        `an alg that does not suit the key must be refused (RFC 9421 §3.2); ignoring it opens algorithm confusion`,
        (kit) =>
          genuine(kit, batch(kit), { params: [...honestParams(kit.key.keyId), ['alg', alg]] }),
      ),
    ),
    ...PUBLIC_KEY_MATERIAL.map(([material, secretOf]) =>
      refuse(
        `alg="hmac-sha256" keyed with the trusted public key (${material})`,
        `${FORGED}: a public key is no secret, so an HMAC keyed with it proves nothing (algorithm confusion)`,
        (kit) =>
          genuine(kit, batch(kit), {
            params: [...honestParams(kit.key.keyId), ['alg', 'hmac-sha256']],
            signer: hmacSigner(secretOf(kit.key)),
          }),
      ),
    ),
  ];
}

/** A forged or expired signature beside one that is genuine or fresh. */
function forgedBesideGenuineCases(): ReceiverCase[] {
  return [
    refuse(
      'a forged sig1 beside a second signature that is valid alone',
      `${FORGED}: Upvest's signature is sig1; another label that verifies alone does not make the delivery genuine`,
      (kit) =>
        forgeDelivery({
          url: kit.url,
          body: batch(kit),
          shape: kit.shape,
          signatures: [
            {
              params: honestParams(kit.key.keyId),
              signer: ecdsaSigner(otherKey(), kit.shape.encoding),
            },
            {
              params: honestParams(kit.key.keyId),
              signer: ecdsaSigner(kit.key.privateKey, kit.shape.encoding),
            },
          ],
        }),
    ),
    refuse(
      'signature members in another order than signature-input, the forged one labelled sig1',
      `${FORGED}: signatures pair with signature-input by label, never by position`,
      (kit) => {
        const body = batch(kit);
        const honest = genuine(kit, body);
        const good = /^sig1=(:[^:]*:)$/.exec(honest.headers['signature']!)![1]!;
        return {
          ...honest,
          headers: {
            ...honest.headers,
            signature: `sig2=${good}, sig1=:${Buffer.alloc(132, 7).toString('base64')}:`,
          },
        };
      },
    ),
    refuse(
      'an expired genuine signature beside a fresh signature-input member without a signature',
      `${FORGED}: the time window is the verified signature's own`,
      (kit) => {
        const body = batch(kit);
        const expired = genuine(kit, body, {
          params: honestParams(kit.key.keyId, { now: now() - 3600 }),
        });
        const fresh = `sig0=${/^sig1=(.*)$/.exec(genuine(kit, body).headers['signature-input']!)![1]!}`;
        return {
          ...expired,
          headers: {
            ...expired.headers,
            'signature-input': `${fresh}, ${expired.headers['signature-input']!}`,
          },
        };
      },
    ),
  ];
}

/**
 * A JWKS of the attacker's key under `keyId`: what the suite serves at `attacker.jwksUrl`.
 *
 * @example
 * ```ts
 * const jwks = attackerJwks('http://127.0.0.1:4000/jwks.json', privateKey);
 * ```
 */
export function attackerJwks(keyId: string, privateKey: KeyObject) {
  return deliveryKeyPairOf(keyId, privateKey).jwks;
}

/** Genuine signatures on something else than the signed delivery. */
function replayCases(): ReceiverCase[] {
  return [
    ...digestMismatchCases(),
    ...uncoveredDigestCases(),
    ...malformedParameterCases(),
    ...wrongTimeOrTargetCases(),
  ];
}

/** Digests that do not match the body as received. */
function digestMismatchCases(): ReceiverCase[] {
  return [
    ...(['digest', 'content-digest'] as const).map((digest) =>
      refuse(
        `a body changed after signing, ${digest} unchanged`,
        `${FORGED}: the digest must be checked against the bytes received`,
        (kit) => {
          const shape = kit.shapeWith(digest);
          if (!shape) return `the endpoint accepts no genuine delivery with ${digest}`;
          const body = batch(kit);
          return genuine(kit, body, { shape, sentBody: tampered(body) });
        },
      ),
    ),
    ...(['digest', 'content-digest'] as const).map((digest) =>
      refuse(
        `a ${digest} that differs from the body's only in letter case`,
        `${FORGED}: base64 is case-sensitive; a digest compared case-insensitively matches bodies it is not of`,
        (kit) => {
          const shape = kit.shapeWith(digest);
          if (!shape) return `the endpoint accepts no genuine delivery with ${digest}`;
          const body = batch(kit);
          const value = flipFirstLetter(digestOf(digest, body));
          return genuine(kit, body, { shape, digestValue: value });
        },
      ),
    ),
    ...(['digest', 'content-digest'] as const).map((digest) =>
      refuse(
        `a changed body whose covered ${digest} is in an algorithm no receiver should take (MD5)`,
        `${FORGED}: a digest in an algorithm the receiver does not check proves nothing; refuse, never skip`,
        (kit) => {
          const shape = kit.shapeWith(digest);
          if (!shape) return `the endpoint accepts no genuine delivery with ${digest}`;
          const body = batch(kit);
          const md5 = createHash('md5').update(body).digest('base64');
          return genuine(kit, body, {
            shape,
            sentBody: tampered(body),
            digestValue: digest === 'digest' ? `MD5=${md5}` : `md5=:${md5}:`,
          });
        },
      ),
    ),
  ];
}

/** Digests and headers the signature does not cover, or covers while the request lacks them. */
function uncoveredDigestCases(): ReceiverCase[] {
  return [
    refuse(
      'a delivery without any digest header, the rest signed',
      `${FORGED}: a signature that covers no digest says nothing about the body`,
      (kit) =>
        genuine(kit, batch(kit), {
          digestValue: null,
          components: ['@method', '@path', 'content-type', 'content-length'],
        }),
    ),
    refuse(
      'a digest that matches a swapped body but is not covered by the signature',
      `${FORGED}: an uncovered digest can be replaced with the body; the signature must cover it`,
      (kit) => {
        const swapped = batch(kit);
        return genuine(kit, batch(kit), {
          components: ['@method', '@path', 'content-type'],
          sentBody: swapped,
          headers: { [kit.shape.digest]: digestOf(kit.shape.digest, swapped) },
        });
      },
    ),
    refuse(
      'a covered digest header left out of the request',
      `${FORGED}: a covered component that is absent fails the signature`,
      (kit) => {
        const delivery = genuine(kit, batch(kit));
        const { [kit.shape.digest]: _d, ...headers } = delivery.headers;
        return { ...delivery, headers };
      },
    ),
    refuse(
      'a covered header the request does not carry (signed as if empty)',
      `${FORGED}: a covered component that is absent fails the signature (RFC 9421 §2.5)`,
      (kit) =>
        genuine(kit, batch(kit), {
          components: [...defaultComponents(kit.shape.digest), 'x-upvest-trace'],
          headers: { 'x-upvest-trace': '' },
          drop: ['x-upvest-trace'],
        }),
    ),
  ];
}

/** Parameters and digests that are repeated, mistyped or cut. */
function malformedParameterCases(): ReceiverCase[] {
  return [
    refuse(
      'a repeated expires parameter, the last one past',
      `${FORGED}: in a structured field the last of a repeated parameter counts (RFC 8941 §4.2)`,
      (kit) => {
        const created = now() - 3600;
        return genuine(kit, batch(kit), {
          params: [
            ['created', created],
            ['expires', now() + 60],
            ['expires', created + 60],
            ['nonce', randomUUID()],
            ['keyid', kit.key.keyId],
          ],
        });
      },
    ),
    refuse(
      'an expires that is a string ("never")',
      `${FORGED}: created and expires are integers; a string must not make a signature last forever`,
      (kit) =>
        genuine(kit, batch(kit), {
          params: [...honestParamsWithout(kit, 'expires'), ['expires', 'never']],
        }),
    ),
    ...(
      [
        ['an empty covered digest', (value: string) => value.replace(/=.*$/, '=')],
        [
          'a covered digest cut to its first characters',
          (value: string) => value.slice(0, value.indexOf('=') + 9),
        ],
      ] as const
    ).map(([name, cut]) =>
      refuse(`${name}, on a changed body`, `${FORGED}: the digest is compared whole`, (kit) => {
        const body = batch(kit);
        return genuine(kit, body, {
          sentBody: tampered(body),
          digestValue: cut(digestOf(kit.shape.digest, body)),
        });
      }),
    ),
  ];
}

/** Genuine signatures outside their time window, or for another method or path. */
function wrongTimeOrTargetCases(): ReceiverCase[] {
  return [
    refuse(
      'a signature created an hour in the future',
      `${FORGED}: created after now (beyond clock skew) is no signature Upvest made`,
      (kit) =>
        genuine(kit, batch(kit), { params: honestParams(kit.key.keyId, { now: now() + 3600 }) }),
    ),
    refuse(
      'a signature that expired ten minutes ago',
      `${FORGED}: a captured delivery must not be replayable after expires (a few minutes of clock skew aside)`,
      (kit) =>
        genuine(kit, batch(kit), { params: honestParams(kit.key.keyId, { now: now() - 660 }) }),
    ),
    refuse(
      'a signature that expired an hour ago',
      `${FORGED}: a captured delivery must not be replayable after expires`,
      (kit) =>
        genuine(kit, batch(kit), { params: honestParams(kit.key.keyId, { now: now() - 3600 }) }),
    ),
    refuse(
      'a genuine POST signature sent with PUT',
      `${FORGED}: @method is covered; a delivery is a POST`,
      (kit) => genuine(kit, batch(kit), { method: 'PUT' }),
    ),
    refuse(
      'a delivery signed for another path',
      `${FORGED}: @path is covered, so a delivery meant for another endpoint does not verify here`,
      (kit) => genuine(kit, batch(kit), { signedUrl: elsewhere(kit.url).href }),
    ),
    refuse(
      `a delivery signed for another path that names it in ${PATH_HEADERS.join(', ')}`,
      `${FORGED}: @path comes from the request line; headers a client sets are not the path`,
      (kit) => {
        const other = elsewhere(kit.url);
        return genuine(kit, batch(kit), {
          signedUrl: other.href,
          headers: Object.fromEntries(PATH_HEADERS.map((h) => [h, other.pathname])),
        });
      },
    ),
  ];
}

/** Genuinely signed bodies that are no delivery. */
function bodyCases(): ReceiverCase[] {
  const bad = `a 4xx says the delivery is wrong; a 2xx loses it, a 5xx or a dropped connection hides a receiver bug`;
  return [
    refuse('malformed JSON under a valid signature', bad, (kit) =>
      genuine(kit, batch(kit).slice(0, -5)),
    ),
    refuse('a body that is not JSON under a valid signature', bad, (kit) =>
      genuine(kit, 'payload=not-json'),
    ),
    refuse('an empty body under a valid signature', bad, (kit) => genuine(kit, '')),
    ...(
      [
        ['a JSON body without payload', '{}'],
        ['a payload that is not a list', '{"payload":{}}'],
        ['a JSON array instead of a delivery', '[]'],
        ['an event without an id', '{"payload":[{"type":"USER.CREATED","object":{}}]}'],
      ] as const
    ).map(([name, body]) =>
      refuse(
        `${name} under a valid signature`,
        `${bad}; Upvest never sends it`,
        (kit) => genuine(kit, body),
        'strict',
      ),
    ),
  ];
}

/** What a careful receiver demands beyond what Upvest documents. */
function strictCases(): ReceiverCase[] {
  return [
    ...strictRefusalCases(),
    ...strictSignatureVariantCases(),
    ...strictDeliveryVariantCases(),
  ];
}

/** Signatures a careful receiver refuses: @path or @method uncovered, created, expires or keyid missing, a key id the JWKS lacks, a PUT. */
function strictRefusalCases(): ReceiverCase[] {
  const careful =
    'Upvest does not document it, but every signer it publishes does it; a careful receiver requires it';
  return [
    refuse(
      'a signature that does not cover @path',
      `${careful}: without @path a delivery for another endpoint verifies here`,
      (kit) =>
        genuine(kit, batch(kit), {
          components: defaultComponents(kit.shape.digest).filter((c) => c !== '@path'),
        }),
      'strict',
    ),
    refuse(
      'a signature that does not cover @method',
      careful,
      (kit) =>
        genuine(kit, batch(kit), {
          components: defaultComponents(kit.shape.digest).filter((c) => c !== '@method'),
        }),
      'strict',
    ),
    refuse(
      'a signature without created',
      `${careful}: without created the age of a signature cannot be told`,
      (kit) =>
        genuine(kit, batch(kit), {
          params: honestParamsWithout(kit, 'created'),
        }),
      'strict',
    ),
    refuse(
      'a signature without expires',
      `${careful}: without expires a captured delivery replays forever`,
      (kit) =>
        genuine(kit, batch(kit), {
          params: honestParamsWithout(kit, 'expires'),
        }),
      'strict',
    ),
    refuse(
      'the trusted key under a key id the JWKS does not have',
      'keyid names the kid of the key (implied, §9.2); a careful receiver does not try other keys',
      (kit) => genuine(kit, batch(kit), { params: honestParams(randomUUID()) }),
      'strict',
    ),
    refuse(
      'a genuine signature without keyid',
      'keyid names the key (implied, §9.2); a careful receiver does not try every key',
      (kit) =>
        genuine(kit, batch(kit), {
          params: honestParamsWithout(kit, 'keyid'),
        }),
      'strict',
    ),
    refuse(
      'a genuine signature over a PUT',
      'deliveries are POSTs (§8); a careful receiver refuses another method however it is signed',
      (kit) => genuine(kit, batch(kit), { method: 'PUT', signedMethod: 'PUT' }),
      'strict',
    ),
  ];
}

/** Genuine signatures a careful receiver accepts: beside a second one, over fewer or more components, sent chunked. */
function strictSignatureVariantCases(): ReceiverCase[] {
  return [
    accept(
      'a genuine sig1 beside a second signature by another key',
      `Upvest's signature is sig1; a second one (another key, another algorithm) is no reason to refuse. ${STREAM}`,
      (kit) =>
        forgeDelivery({
          url: kit.url,
          body: batch(kit),
          shape: kit.shape,
          signatures: [
            {
              params: honestParams(kit.key.keyId),
              signer: ecdsaSigner(kit.key.privateKey, kit.shape.encoding),
            },
            {
              params: honestParams(randomUUID()),
              signer: ecdsaSigner(
                generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey,
                kit.shape.encoding,
              ),
            },
          ],
        }),
      'strict',
    ),
    accept(
      'a genuine delivery covering only @method, @path and the digest',
      `which components Upvest covers is not documented (§9.2). ${STREAM}`,
      (kit) => genuine(kit, batch(kit), { components: ['@method', '@path', kit.shape.digest] }),
      'strict',
    ),
    accept(
      'a genuine delivery that also covers @authority and @query',
      `RFC 9421 defines both; @query of a URL without a query is "?". ${STREAM}`,
      (kit) =>
        genuine(kit, batch(kit), {
          components: [...defaultComponents(kit.shape.digest), '@authority', '@query'],
        }),
      'strict',
    ),
    accept(
      'a genuine delivery sent chunked, without content-length',
      `HTTP/1.1 allows it, and the digest covers the body either way. ${STREAM}`,
      (kit) =>
        genuine(kit, batch(kit), {
          chunked: true,
          components: defaultComponents(kit.shape.digest).filter((c) => c !== 'content-length'),
        }),
      'strict',
    ),
  ];
}

/** Genuine deliveries a careful receiver accepts (a tag, a charset, a type without a dot, alg, a query), and one of another webhook it refuses. */
function strictDeliveryVariantCases(): ReceiverCase[] {
  return [
    accept(
      'a genuine delivery with a tag parameter',
      `RFC 9421 defines tag; a receiver ignores parameters it does not need. ${STREAM}`,
      (kit) =>
        genuine(kit, batch(kit), {
          params: [...honestParams(kit.key.keyId), ['tag', 'upvest-webhooks']],
        }),
      'strict',
    ),
    accept(
      'a genuine delivery with content-type application/json; charset=utf-8',
      `the media type is JSON either way. ${STREAM}`,
      (kit) =>
        genuine(kit, batch(kit), {
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      'strict',
    ),
    accept(
      'an event type without a category dot',
      `any non-empty type is an event; a receiver that splits on the dot must not fail on one without. ${STREAM}`,
      (kit) =>
        genuine(
          kit,
          envelope(kit.source.events({ count: 1 }).map((e) => ({ ...e, type: 'TOPUP' }))),
        ),
      'strict',
    ),
    accept(
      'a genuine delivery that names its algorithm, alg="ecdsa-p521-sha512"',
      `RFC 9421 allows alg; Upvest's signers leave it out, but may add it. ${STREAM}`,
      (kit) =>
        genuine(kit, batch(kit), {
          params: [...honestParams(kit.key.keyId), ['alg', 'ecdsa-p521-sha512']],
        }),
      'strict',
    ),
    accept(
      'a genuine delivery to the URL with a query string',
      `@path is the path without the query; a webhook URL may carry one. ${STREAM}`,
      (kit) => {
        const url = new URL(kit.url);
        url.searchParams.set('source', 'upvest');
        return genuine(kit, batch(kit), { url: url.href });
      },
      'strict',
    ),
    refuse(
      'a genuine delivery with an event of another webhook',
      'a delivery signed for another subscription (another tenant, replayed here) is refused: set the webhook ids you serve',
      (kit) => {
        if (!kit.webhookIdKnown) {
          return 'pass the webhook id your endpoint serves (--webhook-id) to test that it refuses others';
        }
        const events = kit.source.events({ count: 2 });
        return genuine(kit, envelope([events[0]!, { ...events[1]!, webhook_id: randomUUID() }]));
      },
      'strict',
    ),
  ];
}

/**
 * Every case after the shapes, in the order they run: genuine forms first (a receiver that
 * breaks on them would make refusals meaningless), then forgeries, replays and bodies, then
 * the strict demands.
 *
 * @example
 * ```ts
 * const names = receiverCases().map((c) => c.name);
 * ```
 */
export function receiverCases(): readonly ReceiverCase[] {
  return [...genuineCases(), ...forgedCases(), ...replayCases(), ...bodyCases(), ...strictCases()];
}
