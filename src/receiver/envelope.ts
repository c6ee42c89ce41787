import type { components } from '../../generated/openapi.js';

/**
 * The delivery envelope in the one shape Upvest sends it, checked with plain comparisons: an
 * object with only `payload`, a list of events with exactly the five fields of
 * `WebhookEventFields`, ids as hyphenated hex UUIDs, `created_at` as `YYYY-MM-DDTHH:MM:SS[.f]Z`.
 *
 * A sufficient check, never the judge: it answers `true` only for bodies the generated
 * `WebhookDelivery` validator accepts too (`envelope.test.ts` checks this property-based), and
 * `false` for anything else, which the generated validator then decides and explains. It exists
 * because ajv's `uuid` and full `date-time` formats cost more than parsing the JSON of a batch.
 */

/** 8-4-4-4-12 hex digits, either case. The reference also takes a `urn:uuid:` prefix: not here. */
function isPlainUuid(value: unknown): boolean {
  if (typeof value !== 'string' || value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66))) {
      return false;
    }
  }
  return true;
}

/** The value of the decimal digits at `from..to` (exclusive), or -1 if any is not a digit. */
function digits(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/**
 * UTC with an upper-case `T` and `Z`, any number of fraction digits, a real calendar date, and
 * no leap second (`:60` is valid RFC 3339 but rare: the reference decides it).
 */
function isPlainUtcTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || value.length < 20) return false;
  const end = value.length - 1;
  if (
    value.charCodeAt(4) !== 0x2d || // -
    value.charCodeAt(7) !== 0x2d ||
    value.charCodeAt(10) !== 0x54 || // T
    value.charCodeAt(13) !== 0x3a || // :
    value.charCodeAt(16) !== 0x3a ||
    value.charCodeAt(end) !== 0x5a // Z
  ) {
    return false;
  }
  if (end > 19) {
    if (value.charCodeAt(19) !== 0x2e || end === 20 || digits(value, 20, end) === -1) return false;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  const hour = digits(value, 11, 13);
  const minute = digits(value, 14, 16);
  const second = digits(value, 17, 19);
  return (
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The five fields, each of them checked; others are Upvest's additions and pass (R16). */
function isPlainEvent(event: unknown): boolean {
  if (!isObject(event)) return false;
  const type = event['type'];
  return (
    isPlainUuid(event['id']) &&
    isPlainUtcTimestamp(event['created_at']) &&
    typeof type === 'string' &&
    type.length > 0 &&
    isObject(event['object']) &&
    isPlainUuid(event['webhook_id'])
  );
}

/**
 * Whether parsed JSON is a delivery in the shape Upvest sends, by plain comparisons. `true`
 * means the generated validator accepts it too; `false` means "ask the generated validator".
 *
 * @example
 * ```ts
 * isPlainDelivery(JSON.parse(body)) || validateWebhookDelivery(data);
 * ```
 */
export function isPlainDelivery(data: unknown): data is components['schemas']['WebhookDelivery'] {
  if (!isObject(data)) return false;
  const payload = data['payload'];
  if (!Array.isArray(payload)) return false;
  for (const event of payload) if (!isPlainEvent(event)) return false;
  return true;
}
