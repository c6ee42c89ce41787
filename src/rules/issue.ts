import type { ValidationIssue } from '../validation-issue.js';
import type { RuleCode } from './codes.js';

/**
 * Builds an issue with a catalogued code, so a typo in a code is a compile error.
 *
 * @example
 * ```ts
 * ruleIssue('/title', 'title.too_long', 'title must be at most 100 characters (R9)');
 * ```
 */
export function ruleIssue(path: string, code: RuleCode, message: string): ValidationIssue {
  return { path, code, message };
}

/**
 * Shortens a value for a message: a 10 MB string must not become a 10 MB error, and an object a
 * caller handed in is named by its kind, never stringified (`String()` throws on objects without
 * a prototype or with a hostile `toString`, `Array.isArray` on a revoked proxy).
 *
 * @example
 * ```ts
 * preview('5h'); // '"5h"'
 * preview({ toString: () => 'boom' }); // 'an object'
 * ```
 */
export function preview(value: unknown): string {
  let text: string;
  if (typeof value === 'string') {
    // Cut before quoting: a huge string is never copied whole, and 90 M control characters,
    // six characters each once escaped, would take JSON.stringify past V8's string limit.
    text = JSON.stringify(value.slice(0, 80));
  } else if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    text = String(value);
  } else if (typeof value === 'function') {
    text = 'a function';
  } else {
    try {
      text = Array.isArray(value) ? 'a list' : 'an object';
    } catch {
      text = 'an object';
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
