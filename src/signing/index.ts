/**
 * HTTP message signatures (RFC 9421, in the draft-15 wire format Upvest calls "v15"): a general
 * core (components, base, parameters, algorithms, keys, digests, sign, verify) and Upvest's
 * profile. `src/index.ts` picks what the package exports.
 *
 * @example
 * ```ts
 * import { signRequest, verifyRequestSignature } from './signing/index.js';
 * ```
 */
export {
  SIGNATURE_ALGORITHMS,
  isSignatureAlgorithm,
  signBase,
  verifyBase,
  type EcdsaEncoding,
  type SignatureAlgorithm,
} from './algorithms.js';
export { BASE_FORMATS, buildSignatureBase, type BaseFormat } from './base.js';
export {
  DERIVED_COMPONENTS,
  MissingComponentError,
  componentValue,
  formatComponentId,
  parseComponentId,
  type DerivedComponent,
} from './components.js';
export {
  contentDigest,
  legacyDigest,
  verifyContentDigest,
  verifyLegacyDigest,
  type DigestAlgorithm,
  type DigestCheck,
} from './digest.js';
export {
  algorithmForKey,
  assertKeyFits,
  keyFits,
  toSigningKey,
  toVerifyingKey,
  type KeyInput,
  type SigningJwk,
} from './keys.js';
export { headerValue, type HeaderInput, type HttpMessage } from './message.js';
export {
  createSignatureInput,
  parseSignatureField,
  parseSignatureInput,
  parseSignatureParams,
  serializeSignatureFields,
  serializeSignatureParams,
  type Parsed,
  type SignatureInput,
  type SignatureParameterName,
  type SignatureParameters,
} from './params.js';
export { signRequest, type SignRequestOptions, type SignedRequest } from './sign.js';
export {
  createUpvestSigner,
  upvestComponents,
  upvestSignatureHeaders,
  verifyUpvestRequest,
  UPVEST_DEFAULT_EXPIRES_IN_SECONDS,
  UPVEST_SIGNATURE_VERSION,
  type UpvestSigningOptions,
  type VerifyUpvestRequestOptions,
} from './upvest-profile.js';
export {
  verifyRequestSignature,
  type KeyLookup,
  type SignatureFailureReason,
  type SignatureVerification,
  type VerifySignatureOptions,
} from './verify.js';
