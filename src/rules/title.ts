import type { ValidationIssue } from '../validation-issue.js';
import { webhookLimits } from '../../generated/constants.js';
import { ruleIssue } from './issue.js';

/**
 * The spec's `maxLength` of a title, in Unicode code points.
 *
 * @example
 * ```ts
 * checkTitle('🙂'.repeat(MAX_TITLE_LENGTH), '/title'); // []: 100 code points, 200 UTF-16 units
 * ```
 */
export const MAX_TITLE_LENGTH = webhookLimits.titleMaxLength;

/**
 * R9: the title is a label of at most 100 characters, counted as Unicode code points like JSON
 * Schema's `maxLength` (an emoji of one code point counts once; a flag of two counts twice). An
 * empty or white-space-only title is allowed: the schema has no `minLength` and the guide calls
 * the title an optional label. Never throws.
 *
 * @example
 * ```ts
 * checkTitle('User webhook', '/title'); // []
 * checkTitle('x'.repeat(101), '/title')[0]?.code; // 'title.too_long'
 * ```
 */
export function checkTitle(value: unknown, path: string): ValidationIssue[] {
  if (typeof value !== 'string') {
    return [ruleIssue(path, 'title.not_a_string', `title must be a string, got ${typeof value}`)];
  }
  // Code points never outnumber UTF-16 units, so a short string needs no counting.
  if (value.length <= MAX_TITLE_LENGTH) return [];
  let length = 0;
  for (const _ of value) {
    length += 1;
    if (length > MAX_TITLE_LENGTH) {
      return [
        ruleIssue(
          path,
          'title.too_long',
          `title must be at most ${MAX_TITLE_LENGTH} characters (R9)`,
        ),
      ];
    }
  }
  return [];
}
