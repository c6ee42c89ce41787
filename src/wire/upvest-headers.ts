import { upvestApiVersion } from '../../generated/constants.js';

/**
 * The headers every request to the Upvest API carries besides its own: who is calling, which
 * API version (read from the spec, never typed here) and what answers the caller reads. Errors
 * come as `application/problem+json`, which `application/json` alone does not match under
 * strict content negotiation (RFC 9110 §12.5.1), so both are accepted.
 *
 * @example
 * ```ts
 * const headers = new Headers({ ...upvestHeaders(clientId), authorization: `Bearer ${token}` });
 * ```
 */
export function upvestHeaders(clientId: string): Record<string, string> {
  return {
    'upvest-client-id': clientId,
    'upvest-api-version': upvestApiVersion,
    accept: 'application/json, application/problem+json',
  };
}
