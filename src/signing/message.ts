/**
 * Header fields as a record or a `Headers` object. A record's values may be arrays (one entry per
 * field line, as Node's `IncomingHttpHeaders` gives repeated fields); `undefined` means absent.
 *
 * @example
 * ```ts
 * const headers: HeaderInput = { accept: ['application/json', 'text/plain'], 'content-type': 'application/json' };
 * ```
 */
export type HeaderInput =
  Readonly<Record<string, string | readonly string[] | undefined>> | Headers;

/**
 * The parts of an HTTP message a signature can cover. Requests have `method` and `url`;
 * responses have `status` (and `request` for components marked `;req`). Header names are
 * matched case-insensitively.
 *
 * @example
 * ```ts
 * const message: HttpMessage = {
 *   method: 'POST',
 *   url: 'https://sandbox.upvest.co/webhooks',
 *   headers: { 'content-type': 'application/json' },
 *   body: '{"title":"User webhook"}',
 * };
 * ```
 */
export interface HttpMessage {
  readonly method?: string;
  /** The URL the request was addressed to; absolute for `@authority`, `@scheme`, `@target-uri`. */
  readonly url?: string;
  readonly status?: number;
  readonly headers: HeaderInput;
  /** The exact bytes of the body, or its text (encoded as UTF-8). */
  readonly body?: Uint8Array | string | undefined;
  /** For a response: the request it answers, which components marked `;req` are read from. */
  readonly request?: HttpMessage;
}

/**
 * A header's value, looked up case-insensitively. Several field lines (an array, or the same
 * name in different cases) are trimmed and joined with `, `, as RFC 9421 §2.1 combines them.
 *
 * @example
 * ```ts
 * headerValue({ headers: { Accept: ['application/json', 'text/plain'] } }, 'accept'); // 'application/json, text/plain'
 * ```
 */
export function headerValue(message: HttpMessage, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const headers = message.headers;
  if (headers instanceof Headers) return headers.get(wanted) ?? undefined;
  // Called a dozen times per verification: no entry arrays, and a key of another length is
  // never lower-cased.
  let joined: string | undefined;
  for (const key of Object.keys(headers)) {
    if (key.length !== wanted.length || (key !== wanted && key.toLowerCase() !== wanted)) continue;
    const value = headers[key];
    const lines = typeof value === 'string' ? [value] : (value ?? []);
    for (const line of lines)
      joined = joined === undefined ? line.trim() : `${joined}, ${line.trim()}`;
  }
  return joined;
}

/**
 * A mutable copy of the message's headers, for adding the ones a signer computes.
 *
 * @example
 * ```ts
 * const headers = toHeaders({ 'content-type': 'application/json' });
 * headers.set('content-digest', contentDigest(body));
 * ```
 */
export function toHeaders(input: HeaderInput): Headers {
  if (input instanceof Headers) return new Headers(input);
  const headers = new Headers();
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (typeof value === 'string') headers.append(name, value);
    else for (const line of value) headers.append(name, line);
  }
  return headers;
}

/**
 * The body as bytes; an absent body is empty.
 *
 * @example
 * ```ts
 * bodyBytes({ headers: {}, body: '{}' }); // Uint8Array [123, 125]
 * ```
 */
export function bodyBytes(message: HttpMessage): Uint8Array {
  if (message.body === undefined) return new Uint8Array();
  return typeof message.body === 'string' ? new TextEncoder().encode(message.body) : message.body;
}
