/**
 * One problem found in an input, as data: validators collect every issue instead of stopping at
 * the first, so a caller can show them all at once.
 *
 * @example
 * ```ts
 * const issue: ValidationIssue = {
 *   path: '/config/delay',
 *   code: 'delay.above_maximum',
 *   message: 'delay must be at most 30s (R5); got 45s',
 * };
 * ```
 */
export interface ValidationIssue {
  /** JSON Pointer (RFC 6901) into the validated input; `''` is the input itself. */
  readonly path: string;
  /** Stable, machine-readable code such as `url.ip_host` or `schema.required`. */
  readonly code: string;
  /** A sentence for people; wording may change between releases, codes do not. */
  readonly message: string;
}

/**
 * The outcome of a validator: the validated value, or every issue found.
 *
 * @example
 * ```ts
 * const result = validateCreateWebhook(input);
 * if (!result.ok) console.table(result.issues);
 * ```
 */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/**
 * A refusal with one issue about the whole input, frozen: for an answer every caller shares, so
 * one caller cannot change what the next one gets.
 *
 * @example
 * ```ts
 * const UNREADABLE = frozenRefusal('body.unreadable', 'the input could not be read');
 * ```
 */
export function frozenRefusal(code: string, message: string): ValidationResult<never> {
  return Object.freeze({
    ok: false,
    issues: Object.freeze([Object.freeze({ path: '', code, message })]),
  });
}

/** Appends one reference token to a JSON Pointer, escaping `~` and `/` (RFC 6901 §3). */
export function pointer(base: string, token: string | number): string {
  const escaped = String(token).replaceAll('~', '~0').replaceAll('/', '~1');
  return `${base}/${escaped}`;
}
