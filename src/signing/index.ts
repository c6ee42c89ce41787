/**
 * `upvest-webhooks/signing`: the general HTTP message signature helpers (RFC 9421, in the
 * draft-15 wire format Upvest calls "v15") and the body digests, for a caller who signs or
 * verifies other messages. Upvest's own profile (`createUpvestSigner`, `verifyUpvestRequest`)
 * is in the main entry; most integrations need nothing from here. It runs on every runtime with
 * Web Crypto (Node, Deno, Bun, workers): nothing here imports Node's modules, so signing and the
 * digest helpers are asynchronous.
 *
 * @example
 * ```ts
 * import { signRequest, verifyRequestSignature } from 'upvest-webhooks/signing';
 *
 * const signed = await signRequest(request, { keyId: 'k1', privateKey, components: ['@method', '@path'] });
 * const verdict = await verifyRequestSignature({ ...request, headers: { ...request.headers, ...signed.headers } }, { keys: publicKey });
 * ```
 */
export {
  SIGNATURE_ALGORITHMS,
  type EcdsaEncoding,
  type SignatureAlgorithm,
} from './algorithm-names.js';
export { BASE_FORMATS, buildSignatureBase, type BaseFormat } from './base.js';
export { DERIVED_COMPONENTS, type DerivedComponent } from './components.js';
export { contentDigest, legacyDigest, verifyContentDigest, verifyLegacyDigest } from './digest.js';
export type { DigestAlgorithm, DigestCheck } from './digest-fields.js';
export type { KeyInput, NodeKeyObjectLike, SigningJwk } from './keys.js';
export type { HeaderInput, HttpMessage } from './message.js';
export type { SignatureParameterName, SignatureParameters } from './params.js';
export { signRequest, type SignRequestOptions, type SignedRequest } from './sign.js';
export {
  verifyRequestSignature,
  type KeyLookup,
  type SignatureFailureReason,
  type SignatureVerification,
  type VerifySignatureOptions,
} from './verify.js';
