import type { ValidationIssue } from '../validation-issue.js';
import { webhookLimits } from '../../generated/constants.js';
import { preview, ruleIssue } from './issue.js';

/**
 * The spec's lower bound of `config.max_package_size`, in bytes.
 *
 * @example
 * ```ts
 * checkMaxPackageSize(MIN_PACKAGE_SIZE, '/config/max_package_size'); // []
 * ```
 */
export const MIN_PACKAGE_SIZE = webhookLimits.maxPackageSize.minimum;

/**
 * The spec's upper bound of `config.max_package_size`, in bytes (1 MiB).
 *
 * @example
 * ```ts
 * checkMaxPackageSize(MAX_PACKAGE_SIZE + 1, '/config/max_package_size')[0]?.code;
 * // 'max_package_size.above_maximum'
 * ```
 */
export const MAX_PACKAGE_SIZE = webhookLimits.maxPackageSize.maximum;

/**
 * R6: `max_package_size` is a whole number of bytes within 100..1048576 (the spec's bounds; a
 * number such as `1024.0` is whole, a numeric string such as `"1024"` is not a number). It caps
 * batching only: a single event larger than it is still delivered whole, so a receiver must
 * accept bigger bodies than the configured maximum. Never throws.
 *
 * @example
 * ```ts
 * checkMaxPackageSize(10240, '/config/max_package_size'); // []
 * checkMaxPackageSize(99, '/config/max_package_size')[0]?.code; // 'max_package_size.below_minimum'
 * ```
 */
export function checkMaxPackageSize(value: unknown, path: string): ValidationIssue[] {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return [
      ruleIssue(
        path,
        'max_package_size.not_an_integer',
        `max_package_size must be a whole number of bytes, got ${preview(value)}`,
      ),
    ];
  }
  if (value < MIN_PACKAGE_SIZE) {
    return [
      ruleIssue(
        path,
        'max_package_size.below_minimum',
        `max_package_size must be at least ${MIN_PACKAGE_SIZE} bytes, got ${value} (R6)`,
      ),
    ];
  }
  if (value > MAX_PACKAGE_SIZE) {
    return [
      ruleIssue(
        path,
        'max_package_size.above_maximum',
        `max_package_size must be at most ${MAX_PACKAGE_SIZE} bytes, got ${value} (R6)`,
      ),
    ];
  }
  return [];
}
