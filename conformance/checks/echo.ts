import { isDeepStrictEqual } from 'node:util';
import type { CheckLog, CheckResult } from '../report/results.js';

/**
 * What was sent but not returned unchanged: every field of a create or update body must come
 * back as sent (`config` field by field, since an update merges it). Empty when all match.
 *
 * @example
 * ```ts
 * echoMismatches({ title: 'a' }, { title: 'b' }); // ['title: sent "a", got "b"']
 * ```
 */
export function echoMismatches(sent: unknown, returned: unknown): string[] {
  const request = (sent ?? {}) as Record<string, unknown>;
  const response = (returned ?? {}) as Record<string, unknown>;
  const mismatches: string[] = [];
  for (const [field, value] of Object.entries(request)) {
    if (field === 'config' && typeof value === 'object' && value !== null) {
      const config = (response['config'] ?? {}) as Record<string, unknown>;
      for (const [key, inner] of Object.entries(value)) {
        if (!isDeepStrictEqual(config[key], inner))
          mismatches.push(
            `config.${key}: sent ${JSON.stringify(inner)}, got ${JSON.stringify(config[key])}`,
          );
      }
    } else if (!isDeepStrictEqual(response[field], value)) {
      mismatches.push(
        `${field}: sent ${JSON.stringify(value)}, got ${JSON.stringify(response[field])}`,
      );
    }
  }
  return mismatches;
}

/**
 * Records whether a create or update answer echoes what was sent (see {@link echoMismatches}).
 *
 * @example
 * ```ts
 * checkEcho(log, { profile: 'lifecycle', operation: 'create_webhook', case: 'create' }, input, created);
 * ```
 */
export function checkEcho(
  log: CheckLog,
  where: Pick<CheckResult, 'profile' | 'operation' | 'case'>,
  sent: unknown,
  returned: unknown,
): void {
  const mismatches = echoMismatches(sent, returned);
  log.expect(
    where,
    'response echoes what was sent',
    mismatches.length === 0,
    mismatches.join('; ') || 'every field matches',
  );
}
