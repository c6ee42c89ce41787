import { webhookCategories } from '../../generated/constants.js';
import { pointer, type ValidationIssue } from '../validation/issue.js';
import { preview, ruleIssue } from './issue.js';

/** An event category a webhook can subscribe to. */
export type WebhookCategoryName = (typeof webhookCategories)[number];

const known: ReadonlySet<string> = new Set(webhookCategories);

/**
 * Whether a value is one of the 27 categories of the spec.
 *
 * @example
 * ```ts
 * isWebhookCategory('USER'); // true
 * isWebhookCategory('USER.CREATED'); // false: that is an event type
 * ```
 */
export function isWebhookCategory(value: unknown): value is WebhookCategoryName {
  return typeof value === 'string' && known.has(value);
}

/**
 * R7: `type` lists known categories, at least one, each once; `ALL` stands alone because it
 * already includes every other category and a mixed list reads as a mistake.
 *
 * @example
 * ```ts
 * checkCategories(['USER', 'ORDER'], '/type'); // []
 * checkCategories(['ALL', 'USER'], '/type')[0]?.code; // 'type.all_with_others'
 * ```
 */
export function checkCategories(value: unknown, path: string): ValidationIssue[] {
  if (!Array.isArray(value)) {
    return [
      ruleIssue(
        path,
        'type.not_an_array',
        `type must be a list of categories such as ["USER"], got ${typeof value}`,
      ),
    ];
  }
  if (value.length === 0) {
    return [
      ruleIssue(
        path,
        'type.empty',
        'type must list at least one category; use ["ALL"] for every event (R7)',
      ),
    ];
  }
  const issues: ValidationIssue[] = [];
  const seen = new Set<unknown>();
  value.forEach((item: unknown, index) => {
    // The pointer is built only for an issue: this runs on every valid request too.
    if (!isWebhookCategory(item)) {
      issues.push(
        ruleIssue(
          pointer(path, index),
          'type.unknown_category',
          `${preview(item)} is not an event category (R7)`,
        ),
      );
    } else if (seen.has(item)) {
      issues.push(
        ruleIssue(pointer(path, index), 'type.duplicate_category', `${item} is listed twice`),
      );
    }
    seen.add(item);
  });
  if (seen.has('ALL') && value.length > 1) {
    issues.push(
      ruleIssue(
        path,
        'type.all_with_others',
        'ALL already includes every category; list ALL alone or only the categories you want (R7)',
      ),
    );
  }
  return issues;
}
