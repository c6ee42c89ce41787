/**
 * Signed deliveries in any shape: the ones Upvest may send (either base format, either digest
 * header, DER or raw r‖s, parameters in any order) and the ones only an attacker or a broken
 * signer makes (a wrong `alg`, an HMAC keyed with the public key, a second label, a component
 * left out). `signDelivery` of the testing entry signs only honest shapes; the receiver suite
 * needs both, so the signature parameters here are written by hand, in the order given.
 */
import { createHash, createHmac, randomUUID, sign, type KeyObject } from 'node:crypto';
import {
  buildSignatureBase,
  type BaseFormat,
  type EcdsaEncoding,
} from '../../src/signing/index.js';

/** The body digest header of a delivery: `digest` (v6, SHA-256) or `content-digest` (v15). */
export type DigestHeader = 'digest' | 'content-digest';

/**
 * The digest header value of a body, hashed here like the signatures (synchronously, with
 * node:crypto) rather than with the package's own helpers: `digest` is SHA-256 in base64,
 * `content-digest` a structured dictionary of SHA-512 (RFC 9530).
 *
 * @example
 * ```ts
 * digestHeaderValue('digest', '{}'); // 'SHA-256=RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o='
 * ```
 */
export function digestHeaderValue(digest: DigestHeader, body: string): string {
  return digest === 'digest'
    ? `SHA-256=${createHash('sha256').update(body).digest('base64')}`
    : `sha-512=:${createHash('sha512').update(body).digest('base64')}:`;
}

/** How a genuine delivery may look: Upvest documents v6, its own signers emit DER (§9). */
export interface DeliveryShape {
  readonly format: BaseFormat;
  readonly digest: DigestHeader;
  readonly encoding: EcdsaEncoding;
}

/** Every shape a genuine delivery may take, the documented one (v6, `digest`, DER) first. */
export const DELIVERY_SHAPES: readonly DeliveryShape[] = (
  ['upvest-v6', 'rfc9421'] as const
).flatMap((format) =>
  (['digest', 'content-digest'] as const).flatMap((digest) =>
    (['der', 'ieee-p1363'] as const).map((encoding) => ({ format, digest, encoding })),
  ),
);

/**
 * A shape in words, for case names.
 *
 * @example
 * ```ts
 * shapeName(DELIVERY_SHAPES[0]); // 'v6 base, digest SHA-256, DER'
 * ```
 */
export function shapeName(shape: DeliveryShape): string {
  return [
    shape.format === 'upvest-v6' ? 'v6 base' : 'v15 base',
    shape.digest === 'digest' ? 'digest SHA-256' : 'content-digest SHA-512',
    shape.encoding === 'der' ? 'DER' : 'raw r‖s',
  ].join(', ');
}

/** A signature parameter as it is written into `signature-input`. */
export type SignatureParam = readonly [name: string, value: string | number];

/** Signs the signature base's bytes. */
export type BaseSigner = (base: Uint8Array) => Buffer;

/**
 * ECDSA P-521 with SHA-512 in the given encoding: what Upvest signs deliveries with.
 *
 * @example
 * ```ts
 * const signer = ecdsaSigner(key.privateKey, 'der');
 * ```
 */
export function ecdsaSigner(privateKey: KeyObject, encoding: EcdsaEncoding): BaseSigner {
  return (base) =>
    sign('sha512', base, {
      key: privateKey,
      dsaEncoding: encoding === 'der' ? 'der' : 'ieee-p1363',
    });
}

/**
 * ECDSA P-521 signatures that satisfy `wanted`, signed again until one does (ECDSA signatures are
 * random): DER signatures of one length, raw ones whose halves begin with zero bytes. A verifier
 * that guesses the encoding from the length, or converts by hand, fails some genuine signatures.
 *
 * @example
 * ```ts
 * const shortDer = ecdsaSignerWhere(key.privateKey, 'der', (bytes) => bytes.length === 137);
 * ```
 */
export function ecdsaSignerWhere(
  privateKey: KeyObject,
  encoding: EcdsaEncoding,
  wanted: (signature: Buffer) => boolean,
): BaseSigner {
  const once = ecdsaSigner(privateKey, encoding);
  return (base) => {
    // Each try succeeds with a chance of about a quarter: 400 failures in a row do not happen.
    for (let attempt = 0; attempt < 400; attempt++) {
      const signature = once(base);
      if (wanted(signature)) return signature;
    }
    throw new Error('no signature of the wanted form in 400 tries');
  };
}

/**
 * HMAC-SHA256 keyed with `secret`: the algorithm-confusion attack, keyed with something public.
 *
 * @example
 * ```ts
 * const signer = hmacSigner(Buffer.from(JSON.stringify(publicJwk)));
 * ```
 */
export function hmacSigner(secret: Uint8Array | string): BaseSigner {
  return (base) => createHmac('sha256', secret).update(base).digest();
}

/** One signature of a delivery: the `signature-input` member and how its bytes are made. */
interface SignatureSpec {
  readonly label?: string;
  /** Covered components, in order (default: `@method`, `@path`, the content headers, the digest). */
  readonly components?: readonly string[];
  readonly params: readonly SignatureParam[];
  readonly signer: BaseSigner;
  /** Replace the signature bytes with these (a forged signature). */
  readonly bytes?: Buffer;
}

/** What {@link forgeDelivery} builds. */
export interface ForgeOptions {
  /** Where the delivery is sent: `@path` is signed from it unless `signedUrl` says otherwise. */
  readonly url: string;
  /** The URL the signature names (a delivery signed for another endpoint). */
  readonly signedUrl?: string;
  /** The method the signature covers (POST); `method` is the one sent. */
  readonly signedMethod?: string;
  readonly method?: string;
  readonly body: string;
  readonly shape: DeliveryShape;
  /** The digest header's value: default the body's; `null` leaves the header out. */
  readonly digestValue?: string | null;
  /** The body that is sent instead of the signed one (tampering after signing). */
  readonly sentBody?: string;
  /** Signatures in the order of `signature-input`; `signatureOrder` may reorder `signature`. */
  readonly signatures: readonly SignatureSpec[];
  readonly signatureOrder?: readonly string[];
  /** Extra headers, sent and not covered unless listed in the components. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Send the body chunked, without `content-length` (then it cannot be covered). */
  readonly chunked?: boolean;
  /** Headers signed but not sent. */
  readonly drop?: readonly string[];
}

/** A request to send to the endpoint under test. */
export interface OutgoingDelivery {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Sent with `transfer-encoding: chunked` and no `content-length`. */
  readonly chunked?: boolean;
}

/** The components a genuine delivery covers: the default of `signDelivery`. */
export function defaultComponents(digest: DigestHeader): string[] {
  return ['@method', '@path', 'content-type', 'content-length', digest];
}

function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The `@signature-params` value: the covered components and the parameters, in the order given.
 *
 * @example
 * ```ts
 * signatureParams(['@method'], [['created', 1], ['keyid', 'k']]); // '("@method");created=1;keyid="k"'
 * ```
 */
function signatureParams(components: readonly string[], params: readonly SignatureParam[]): string {
  const list = `(${components.map(quoted).join(' ')})`;
  return list + params.map(([n, v]) => `;${n}=${typeof v === 'number' ? v : quoted(v)}`).join('');
}

/**
 * A delivery signed as described: the body's digest header, `content-type` and `content-length`,
 * and one `signature-input` / `signature` member per signature.
 *
 * @example
 * ```ts
 * const delivery = forgeDelivery({
 *   url, body, shape: DELIVERY_SHAPES[0],
 *   signatures: [{ params: honestParams(key.keyId), signer: ecdsaSigner(key.privateKey, 'der') }],
 * });
 * ```
 */
export function forgeDelivery(options: ForgeOptions): OutgoingDelivery {
  const { body, shape } = options;
  const digestValue =
    options.digestValue === undefined ? digestHeaderValue(shape.digest, body) : options.digestValue;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(options.chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
    ...(digestValue === null ? {} : { [shape.digest]: digestValue }),
    ...options.headers,
  };
  const message = {
    method: options.signedMethod ?? 'POST',
    url: options.signedUrl ?? options.url,
    headers,
    body,
  };
  const inputs: string[] = [];
  const signatures = new Map<string, string>();
  options.signatures.forEach((spec, index) => {
    const label = spec.label ?? `sig${index + 1}`;
    const components = spec.components ?? defaultComponents(shape.digest);
    const params = signatureParams(components, spec.params);
    const base = buildSignatureBase(message, components, params, shape.format);
    const bytes = spec.bytes ?? spec.signer(new TextEncoder().encode(base));
    inputs.push(`${label}=${params}`);
    signatures.set(label, `${label}=:${bytes.toString('base64')}:`);
  });
  const order = options.signatureOrder ?? [...signatures.keys()];
  const sentBody = options.sentBody ?? body;
  for (const name of options.drop ?? []) delete headers[name];
  return {
    method: options.method ?? 'POST',
    url: options.url,
    ...(options.chunked ? { chunked: true } : {}),
    headers: {
      ...headers,
      ...(options.chunked ? {} : { 'content-length': String(Buffer.byteLength(sentBody)) }),
      'signature-input': inputs.join(', '),
      signature: order.map((label) => signatures.get(label) ?? '').join(', '),
    },
    body: sentBody,
  };
}

/**
 * The parameters an honest signer writes: `created`, `expires` (60 s later), `nonce`, `keyid`.
 *
 * @example
 * ```ts
 * honestParams('kid-1', { now: 1_700_000_000 }); // [['created', 1700000000], ['expires', 1700000060], …]
 * ```
 */
export function honestParams(
  keyId: string,
  options: { readonly now?: number; readonly windowSeconds?: number; readonly nonce?: string } = {},
): SignatureParam[] {
  const created = options.now ?? Math.floor(Date.now() / 1000);
  return [
    ['created', created],
    ['expires', created + (options.windowSeconds ?? 60)],
    ['nonce', options.nonce ?? randomUUID()],
    ['keyid', keyId],
  ];
}
