import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { KeyInput } from '../signing/keys.js';
import { verifyUpvestRequest } from '../signing/upvest-profile.js';

/**
 * What a request verifier sees: the request exactly as it arrived.
 *
 * @example
 * ```ts
 * const verifyRequest = (request: MockIncomingRequest) =>
 *   request.headers['signature'] ? { ok: true as const } : { ok: false as const, reason: 'missing', message: 'unsigned' };
 * ```
 */
export interface MockIncomingRequest {
  readonly method: string;
  /** The absolute URL the client addressed (`http://127.0.0.1:<port>/webhooks?...`). */
  readonly url: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body bytes, empty without a body. */
  readonly body: Uint8Array;
}

/**
 * The verdict of a request verifier.
 *
 * @example
 * ```ts
 * const refused: MockVerification = { ok: false, reason: 'bad_signature', message: 'does not verify' };
 * ```
 */
export type MockVerification =
  { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly message: string };

/**
 * The one seam through which the mock checks signatures: every routed request, the token request
 * included, passes through it before its token is looked at.
 *
 * @example
 * ```ts
 * const verifier: MockRequestVerifier = () => ({ ok: true });
 * ```
 */
export type MockRequestVerifier = (
  request: MockIncomingRequest,
) => MockVerification | Promise<MockVerification>;

/**
 * How the mock checks signatures, from its options: a custom `verifyRequest` wins; otherwise
 * `requestSignatures: 'required'` (the default) verifies Upvest's v15 profile (facts §9.1)
 * against `signingKey`, or against a throwaway P-521 tenant key generated here and handed to the
 * test through `credentials`; `'off'` checks nothing.
 *
 * @example
 * ```ts
 * const { verifier, keyId, privateKey } = signatureCheck({ requestSignatures: 'required' }, () => new Date());
 * ```
 */
export function signatureCheck(
  options: {
    readonly requestSignatures?: 'required' | 'off' | undefined;
    readonly signingKey?: { readonly keyId: string; readonly publicKey: KeyInput } | undefined;
    readonly verifyRequest?: MockRequestVerifier | undefined;
    readonly tenantKeyType?: 'p521' | 'ed25519' | undefined;
  },
  now: () => Date,
): {
  readonly verifier: MockRequestVerifier | undefined;
  readonly keyId: string;
  readonly privateKey: KeyObject | undefined;
} {
  const keyId = options.signingKey?.keyId ?? randomUUID();
  if (options.verifyRequest) {
    return { verifier: options.verifyRequest, keyId, privateKey: undefined };
  }
  if (options.requestSignatures === 'off') {
    return { verifier: undefined, keyId, privateKey: undefined };
  }
  const { publicKey, privateKey } = options.signingKey
    ? { publicKey: options.signingKey.publicKey, privateKey: undefined }
    : options.tenantKeyType === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const verifier: MockRequestVerifier = async (request) => {
    const verdict = await verifyUpvestRequest(request, {
      keys: (id) => (id === keyId ? publicKey : undefined),
      now: () => Math.floor(now().getTime() / 1000),
    });
    return verdict.ok
      ? { ok: true }
      : { ok: false, reason: verdict.reason, message: verdict.message };
  };
  return { verifier, keyId, privateKey };
}
