import type { ValidationIssue } from '../validation/issue.js';
import type { RuleCode } from './codes.js';

/** Builds an issue with a catalogued code, so a typo in a code is a compile error. */
export function ruleIssue(path: string, code: RuleCode, message: string): ValidationIssue {
  return { path, code, message };
}

/** Shortens a value for a message: a 10 MB string must not become a 10 MB error. */
export function preview(value: unknown): string {
  // String() throws on objects without a prototype or with a hostile toString: never call it on
  // an object a caller handed in.
  const text =
    typeof value === 'string'
      ? JSON.stringify(value)
      : value === null || (typeof value !== 'object' && typeof value !== 'function')
        ? String(value)
        : Array.isArray(value)
          ? 'a list'
          : `a ${typeof value}`;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
