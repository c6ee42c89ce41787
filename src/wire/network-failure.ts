/**
 * Error codes that prove the request never left this machine: no connection was ever
 * established, so not a byte of it reached a server. Anything else (a reset, "other side
 * closed", a TLS error mid-stream) may come after the server read the request.
 */
const NEVER_CONNECTED: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The `code` of an error or of the first cause that has one (undici wraps the socket's error
 * in `TypeError: fetch failed`).
 *
 * @example
 * ```ts
 * causeCode(new TypeError('fetch failed', { cause: Object.assign(new Error(), { code: 'ECONNREFUSED' }) })); // 'ECONNREFUSED'
 * ```
 */
export function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Whether a `fetch` failure proves the request never reached a server.
 *
 * @example
 * ```ts
 * neverConnected('ECONNREFUSED'); // true
 * neverConnected('ECONNRESET'); // false: the server may have read the request
 * ```
 */
export function neverConnected(code: string | undefined): boolean {
  return code !== undefined && NEVER_CONNECTED.has(code);
}
