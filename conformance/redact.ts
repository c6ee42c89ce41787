/**
 * Replaces every secret (client secret, tokens) in a text with `[redacted]`.
 *
 * @example
 * ```ts
 * const redact = redactor([clientSecret, token]);
 * console.log(redact(`token ${token}`)); // 'token [redacted]'
 * ```
 */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  // Longest first, so a secret that contains another is replaced whole.
  const values = [
    ...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4)),
  ].sort((a, b) => b.length - a.length);
  return (text) => values.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}
