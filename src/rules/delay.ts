import type { ValidationIssue } from '../validation-issue.js';
import { webhookDelayPattern, webhookLimits } from '../../generated/constants.js';
import { preview, ruleIssue } from './issue.js';

/** The spec's pattern: 1–99 seconds or minutes. */
const SPEC_PATTERN = new RegExp(webhookDelayPattern);

/**
 * The documentation's upper bound of `config.delay`, in seconds (R5).
 *
 * @example
 * ```ts
 * checkDelay(`${MAX_DELAY_SECONDS}s`, '/config/delay'); // []
 * ```
 */
export const MAX_DELAY_SECONDS = webhookLimits.delaySeconds.maximum;

// The lower bound needs no check of its own: the spec pattern starts at 1, and the generator
// refuses a documented minimum other than 1.
const RANGE = `${webhookLimits.delaySeconds.minimum}s to ${MAX_DELAY_SECONDS}s`;

/**
 * Which delay rule applies: `docs` (default) enforces R5, 1s to 30s in seconds only, as Upvest's
 * current registration guide states; `spec` accepts everything the 1.9.0 schema pattern accepts
 * (1–99 s or m), as older documentation did. There is deliberately no "minutes, capped at 30s"
 * mode: the smallest minute value, `1m`, is already above the 30s cap.
 *
 * @example
 * ```ts
 * const policy: DelayPolicy = 'spec';
 * checkDelay('1m', '/config/delay', policy); // []
 * ```
 */
export type DelayPolicy = 'docs' | 'spec';

/**
 * R5: `delay` is `<n>s` with 1 ≤ n ≤ 30. Distinct codes tell a value the spec also rejects
 * (`delay.malformed`: `0s`, `01s`, `1.5s`, `5`, `1h`, `5S`, `100s`) from one only the
 * documentation rejects (`delay.minutes_unit`: `1m`–`99m`; `delay.above_maximum`: `31s`–`99s`).
 * At most one issue per value. Never throws.
 *
 * @example
 * ```ts
 * checkDelay('45s', '/config/delay')[0]?.code; // 'delay.above_maximum'
 * checkDelay('45s', '/config/delay', 'spec'); // []
 * ```
 */
export function checkDelay(
  value: unknown,
  path: string,
  policy: DelayPolicy = 'docs',
): ValidationIssue[] {
  if (typeof value !== 'string') {
    return [
      ruleIssue(
        path,
        'delay.not_a_string',
        `delay must be a string such as "1s", got ${typeof value}`,
      ),
    ];
  }
  if (!SPEC_PATTERN.test(value)) {
    return [
      ruleIssue(
        path,
        'delay.malformed',
        `delay must be <number><unit> such as "1s" or "5s", got ${preview(value)} (R5)`,
      ),
    ];
  }
  if (policy === 'spec') return [];
  const amount = value.slice(0, -1);
  const unit = value.slice(-1);
  if (unit === 'm') {
    return [
      ruleIssue(
        path,
        'delay.minutes_unit',
        `delay must be given in seconds, ${RANGE}; got ${value} (R5)`,
      ),
    ];
  }
  if (Number(amount) > MAX_DELAY_SECONDS) {
    return [
      ruleIssue(
        path,
        'delay.above_maximum',
        `delay must be at most ${MAX_DELAY_SECONDS}s, got ${value} (R5)`,
      ),
    ];
  }
  return [];
}
