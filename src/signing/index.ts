/**
 * HTTP message signatures (RFC 9421, in the draft-15 wire format Upvest calls "v15"): a general
 * core and Upvest's profile.
 *
 * @example
 * ```ts
 * import { createUpvestSigner } from 'upvest-webhooks';
 * ```
 */
export { signRequest, type SignRequestOptions, type SignedRequest } from './sign.js';
export {
  verifyRequestSignature,
  type KeyLookup,
  type SignatureFailureReason,
  type SignatureVerification,
  type VerifySignatureOptions,
} from './verify.js';
export {
  buildSignatureBase,
  componentValue,
  type BaseFormat,
  type SignatureParameters,
} from './base.js';
export {
  contentDigest,
  legacyDigest,
  verifyContentDigest,
  verifyLegacyDigest,
  type DigestAlgorithm,
  type DigestCheck,
} from './digest.js';
export type { EcdsaEncoding } from './algorithms.js';
export { algorithmForKey, type KeyInput, type SignatureAlgorithm } from './keys.js';
export type { HttpMessage } from './message.js';
export {
  createUpvestSigner,
  upvestSignatureHeaders,
  verifyUpvestRequest,
  UPVEST_SIGNATURE_VERSION,
  type UpvestSigningOptions,
} from './upvest-profile.js';
