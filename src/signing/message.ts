/**
 * The parts of an HTTP message a signature can cover. Requests have `method` and `url`;
 * responses have `status`. Header names are matched case-insensitively.
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
  readonly url?: string;
  readonly status?: number;
  readonly headers: Readonly<Record<string, string>> | Headers;
  /** The exact bytes of the body, or its text (encoded as UTF-8). */
  readonly body?: Uint8Array | string | undefined;
}

/** A header's value, looked up case-insensitively; repeated headers are joined with `, `. */
export function headerValue(message: HttpMessage, name: string): string | undefined {
  const wanted = name.toLowerCase();
  if (message.headers instanceof Headers) return message.headers.get(wanted) ?? undefined;
  const values = Object.entries(message.headers)
    .filter(([key]) => key.toLowerCase() === wanted)
    .map(([, value]) => value);
  return values.length === 0 ? undefined : values.join(', ');
}

/** The body as bytes; an absent body is empty. */
export function bodyBytes(message: HttpMessage): Uint8Array {
  if (message.body === undefined) return new Uint8Array();
  return typeof message.body === 'string' ? new TextEncoder().encode(message.body) : message.body;
}
