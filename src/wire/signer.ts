/**
 * The signing seam every request goes through: the client's attempts, the token request, the
 * conformance suite's raw requests. It sits below them all, so the signing profile and the token
 * provider depend on it without depending on the client.
 */

/**
 * What a request signer sees: the final bytes that will go on the wire.
 *
 * @example
 * ```ts
 * const signer: RequestSigner = ({ method, url, body }) => ({ 'x-debug': `${method} ${url} ${body?.length ?? 0}` });
 * ```
 */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  /** The serialized body, exactly as it will be sent; `undefined` without a body. */
  readonly body: Uint8Array | undefined;
}

/**
 * Adds headers to a request after it is serialized: the seam for HTTP message signatures.
 * It is called again for every attempt, so each retry gets a fresh signature. What it throws
 * surfaces as `UpvestSigningError` (nothing is sent).
 *
 * @example
 * ```ts
 * const signer: RequestSigner = (request) => upvestSignatureHeaders(request, { keyId, privateKey });
 * ```
 */
export type RequestSigner = (
  request: OutgoingRequest,
) => Promise<Record<string, string>> | Record<string, string>;

/**
 * Thrown when a signer failed, so the facade can tell "nothing was sent"
 * apart from a network failure and report it with the operation's name. Internal.
 *
 * @example
 * ```ts
 * if (error instanceof SignerFailure) throw new UpvestSigningError({ operation, message, cause: error.cause });
 * ```
 */
export class SignerFailure extends Error {
  constructor(cause: unknown) {
    super('the request signer failed', { cause });
    this.name = 'SignerFailure';
  }
}

/**
 * Runs a signer and returns the headers it adds; any failure becomes a {@link SignerFailure}.
 *
 * @example
 * ```ts
 * const added = await runSigner(signer, { method: 'GET', url, headers, body: undefined });
 * ```
 */
export async function runSigner(
  signer: RequestSigner,
  request: OutgoingRequest,
): Promise<Record<string, string>> {
  try {
    return await signer(request);
  } catch (error) {
    throw new SignerFailure(error);
  }
}
