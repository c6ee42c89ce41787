/**
 * What a known secret is replaced with.
 *
 * @example
 * ```ts
 * error.message.includes(REDACTED); // the server echoed a secret, and it was scrubbed
 * ```
 */
const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of the given secrets in a string, or in the strings of a JSON-like
 * value, with `[redacted]`. Servers and proxies sometimes echo request headers or form fields
 * in error bodies; what the client puts into an error must not carry a token or a client
 * secret back out.
 *
 * @example
 * ```ts
 * redactSecrets({ detail: 'token dG9rZW4 expired' }, ['dG9rZW4']); // { detail: 'token [redacted] expired' }
 * ```
 */
export function redactSecrets<T>(value: T, secrets: readonly (string | undefined)[]): T {
  // Very short strings would redact ordinary words; a real token or secret is never that short.
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  if (known.length === 0) return value;
  const walk = (current: unknown): unknown => {
    if (typeof current === 'string') {
      let text = current;
      for (const secret of known) text = text.split(secret).join(REDACTED);
      return text;
    }
    if (Array.isArray(current)) return current.map(walk);
    if (current && typeof current === 'object') {
      return Object.fromEntries(
        Object.entries(current as Record<string, unknown>).map(([k, v]) => [walk(k), walk(v)]),
      );
    }
    return current;
  };
  return walk(value) as T;
}

/**
 * A secret as given and in the encodings a server may echo it in: percent-encoded (a query or a
 * form field) and form-encoded (spaces as `+`).
 *
 * @example
 * ```ts
 * secretForms('a b/c'); // ['a b/c', 'a%20b%2Fc', 'a+b%2Fc']
 * ```
 */
export function secretForms(secret: string | undefined): string[] {
  if (secret === undefined) return [];
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
    ]),
  ];
}
