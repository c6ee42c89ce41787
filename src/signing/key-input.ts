/**
 * The keys the signing and verifying functions take, as types only, with nothing of Node's:
 * the declarations of `upvest-webhooks/signing` must type-check without `@types/node` (Deno,
 * workers), so Node's `KeyObject` is described by its shape.
 */

/**
 * A key as PEM text, a JSON Web Key (`kty: "oct"` for HMAC), a Node `KeyObject` (any object of
 * its shape, {@link NodeKeyObjectLike}), or HMAC secret bytes.
 *
 * @example
 * ```ts
 * const key: KeyInput = await readFile('upvest-private.pem', 'utf8');
 * ```
 */
export type KeyInput = string | SigningJwk | NodeKeyObjectLike | Uint8Array;

/**
 * A JSON Web Key (RFC 7517) as the signing functions take it. Our own structural type, not
 * `node:crypto`'s `JsonWebKey`, whose place and shape change between `@types/node` majors (25
 * moved it), so our declarations type-check under every supported one.
 *
 * @example
 * ```ts
 * const jwk: SigningJwk = { kty: 'oct', k: 'c2VjcmV0' };
 * ```
 */
export interface SigningJwk {
  readonly kty?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly d?: string;
  readonly n?: string;
  readonly e?: string;
  readonly k?: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly [member: string]: unknown;
}

/**
 * Node's `KeyObject` as this package reads it, by its shape: what kind of key it is, and its
 * bytes. Declared here, not imported from `node:crypto`, so that the signing entry's declarations
 * type-check without `@types/node` (Deno, workers); a real `KeyObject` fits it.
 *
 * @example
 * ```ts
 * const key: NodeKeyObjectLike = createPrivateKey(pem); // a node:crypto KeyObject
 * ```
 */
export interface NodeKeyObjectLike {
  readonly type: 'secret' | 'public' | 'private';
  /** `ec`, `ed25519`, `rsa`, `rsa-pss`, …; absent for a secret. */
  readonly asymmetricKeyType?: string | undefined;
  /** For an EC key, its curve as OpenSSL names it (`secp521r1`, `prime256v1`). */
  readonly asymmetricKeyDetails?: { readonly namedCurve?: string | undefined } | undefined;
  /** DER: `pkcs8` for a private key, `spki` for a public one; a secret's bytes without options. */
  export(options?: { type: 'pkcs8' | 'spki'; format: 'der' }): Uint8Array;
}
