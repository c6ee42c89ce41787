import { webhookCategories } from '../../generated/constants.js';
import { pointer, type ValidationIssue } from '../validation-issue.js';
import { preview, ruleIssue } from './issue.js';

/**
 * An event category a webhook can subscribe to: the union of the 27 literal strings of the spec
 * (`'ALL' | 'USER' | …`), derived from the generated runtime list so the two never drift.
 *
 * @example
 * ```ts
 * const categories: WebhookCategory[] = ['USER', 'ORDER'];
 * ```
 */
export type WebhookCategory = (typeof webhookCategories)[number];

const known: ReadonlySet<string> = new Set(webhookCategories);

/**
 * Whether a value is one of the 27 categories of the spec. Case-sensitive, like the API.
 *
 * @example
 * ```ts
 * isWebhookCategory('USER'); // true
 * isWebhookCategory('USER.CREATED'); // false: that is an event type
 * ```
 */
export function isWebhookCategory(value: unknown): value is WebhookCategory {
  return typeof value === 'string' && known.has(value);
}

/**
 * The items of a list; `undefined` for anything else; `unreadable` for a list that throws when
 * read (a revoked proxy).
 */
function itemsOf(value: unknown): unknown[] | undefined | 'unreadable' {
  try {
    if (!Array.isArray(value)) return undefined;
    // Indexing instead of iterating: holes of a sparse list are read as `undefined`, not skipped.
    const items: unknown[] = [];
    for (let index = 0; index < value.length; index += 1) items.push(value[index]);
    return items;
  } catch {
    return 'unreadable';
  }
}

/**
 * The usual list, one known category, which passes R7 with nothing to copy or count. A list
 * that throws when read (a revoked proxy) is left to the full check.
 */
function isOneKnownCategory(value: unknown): boolean {
  try {
    return Array.isArray(value) && value.length === 1 && isWebhookCategory(value[0]);
  } catch {
    return false;
  }
}

/**
 * R7: `type` lists known categories (the spec's enum), at least one (`["ALL"]` means every event,
 * so an empty list is a mistake rather than "nothing"), each once; `ALL` must be the only entry
 * because it already includes every other category and a mixed list is ambiguous. Never throws.
 *
 * @example
 * ```ts
 * checkCategories(['USER', 'ORDER'], '/type'); // []
 * checkCategories(['ALL', 'USER'], '/type')[0]?.code; // 'type.all_with_others'
 * checkCategories(['USER', 'USER'], '/type')[0]?.path; // '/type/1'
 * ```
 */
export function checkCategories(value: unknown, path: string): ValidationIssue[] {
  if (isOneKnownCategory(value)) return [];
  const items = itemsOf(value);
  if (!Array.isArray(items)) {
    return [
      ruleIssue(
        path,
        'type.not_an_array',
        `type must be a list of categories such as ["USER"], got ${items === 'unreadable' ? 'a list that cannot be read' : preview(value)}`,
      ),
    ];
  }
  if (items.length === 0) {
    return [
      ruleIssue(
        path,
        'type.empty',
        'type must list at least one category; use ["ALL"] for every event (R7)',
      ),
    ];
  }
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
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
        ruleIssue(pointer(path, index), 'type.duplicate_category', `${item} is listed twice (R7)`),
      );
    } else {
      seen.add(item);
    }
  });
  // `ALL` must be the only entry: `["ALL", "ALL"]` is reported too, as a duplicate and as not alone.
  if (seen.has('ALL') && items.length > 1) {
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
