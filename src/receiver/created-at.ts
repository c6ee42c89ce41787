/**
 * An RFC 3339 timestamp split into whole Unix seconds and the fraction digits. `Date` keeps only
 * milliseconds, and Upvest's `created_at` carries nanoseconds: two events a few nanoseconds
 * apart would compare equal.
 */
interface Instant {
  readonly seconds: number;
  /** Fraction digits without trailing zeros (`'82037126'` for `.820371260`). */
  readonly fraction: string;
}

// What the spec's `date-time` format admits (ajv-formats, full mode): `T`, `t` or a space between
// date and time, `Z`/`z` or an offset `±hh`, `±hhmm`, `±hh:mm`, any number of fraction digits, and
// a leap second.
const RFC3339 =
  /^(\d{4})-(\d\d)-(\d\d)[Tt\s](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d)(?::?(\d\d))?)$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100);
  return era * 146097 + dayOfEra + dayOfYear - 719468;
}

/**
 * Parses a timestamp, or answers undefined for anything that is not RFC 3339.
 *
 * @example
 * ```ts
 * parseInstant('1970-01-01T00:00:01.500Z'); // { seconds: 1, fraction: '5' }
 * ```
 */
export function parseInstant(value: string): Instant | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, sign, offsetHours, offsetMinutes] =
    match;
  const offset =
    sign === undefined
      ? 0
      : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 3600 + Number(offsetMinutes ?? 0) * 60);
  // A leap second (`23:59:60`) counts as the first second of the next minute.
  const seconds =
    daysFromCivil(Number(year), Number(month), Number(day)) * 86400 +
    Number(hour) * 3600 +
    Number(minute) * 60 +
    Number(second) -
    offset;
  return { seconds, fraction: (fraction ?? '').replace(/0+$/, '') };
}

function compareInstants(a: Instant, b: Instant): number {
  // Fractions carry no trailing zeros, so as digit strings they sort like the numbers they spell
  // ('5' < '51' as 0.5 < 0.51).
  return (
    Math.sign(a.seconds - b.seconds) ||
    (a.fraction < b.fraction ? -1 : a.fraction > b.fraction ? 1 : 0)
  );
}

/**
 * Compares two `created_at` timestamps exactly, nanoseconds and offsets included (`Date` would
 * drop everything below a millisecond). Strings that are not RFC 3339 sort after all others.
 * Upvest orders events only within one delivery (R13); use this to order events you collected
 * across deliveries.
 *
 * @example
 * ```ts
 * compareCreatedAt('2021-11-19T13:06:57.820371265Z', '2021-11-19T13:06:57.820371266Z'); // -1
 * compareCreatedAt('2021-11-19T14:06:57+01:00', '2021-11-19T13:06:57Z'); // 0
 * events.sort((a, b) => compareCreatedAt(a.created_at, b.created_at));
 * ```
 */
export function compareCreatedAt(a: string, b: string): number {
  const x = parseInstant(a);
  const y = parseInstant(b);
  if (x && y) return compareInstants(x, y);
  return x ? -1 : y ? 1 : 0;
}

/**
 * UTC timestamps in one fixed shape (`Z`, no leap second): two of equal length compare as
 * strings exactly as they compare as instants.
 */
const CANONICAL_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:[0-5]\d(?:\.\d+)?Z$/;

/**
 * Whether items are already in `created_at` order, as Upvest sends them within a delivery (R13):
 * the usual case, checked without parsing where two neighbours share one canonical UTC shape.
 *
 * @example
 * ```ts
 * inOrder(['2021-01-01T00:00:00Z', '2021-01-01T00:00:01Z'], (at) => at); // true
 * ```
 */
export function inOrder<T>(items: readonly T[], createdAt: (item: T) => string): boolean {
  if (items.length < 2) return true;
  let previous = createdAt(items[0]!);
  for (let i = 1; i < items.length; i++) {
    const current = createdAt(items[i]!);
    const comparable =
      previous.length === current.length &&
      CANONICAL_UTC.test(previous) &&
      CANONICAL_UTC.test(current);
    if (comparable ? previous > current : compareCreatedAt(previous, current) > 0) return false;
    previous = current;
  }
  return true;
}

/**
 * Sorts items by a timestamp, stably (equal timestamps keep their order), parsing each
 * timestamp once; items whose timestamp is not RFC 3339 go last.
 *
 * @example
 * ```ts
 * const ordered = sortByCreatedAt(events, (event) => event.created_at);
 * ```
 */
export function sortByCreatedAt<T>(items: readonly T[], createdAt: (item: T) => string): T[] {
  if (inOrder(items, createdAt)) return [...items];
  const keyed = items.map((item) => ({ item, at: parseInstant(createdAt(item)) }));
  // Array.prototype.sort is stable (ES2019): equal timestamps keep their order.
  keyed.sort((a, b) => (a.at && b.at ? compareInstants(a.at, b.at) : a.at ? -1 : b.at ? 1 : 0));
  return keyed.map(({ item }) => item);
}

/**
 * A timestamp as exact decimal Unix seconds, every fraction digit kept (`numeric` in SQL sorts
 * it exactly, where a `timestamptz` would round to microseconds); undefined for anything that
 * is not RFC 3339.
 *
 * @example
 * ```ts
 * decimalEpochSeconds('2021-11-19T13:06:57.820371265Z'); // '1637327217.820371265'
 * decimalEpochSeconds('1970-01-01T00:00:00Z'); // '0'
 * ```
 */
export function decimalEpochSeconds(value: string): string | undefined {
  const instant = parseInstant(value);
  if (!instant) return undefined;
  const { seconds, fraction } = instant;
  if (!fraction) return String(seconds);
  // seconds + 0.fraction, exactly: before 1970 the seconds are negative and the fraction is not.
  const scaled = BigInt(seconds) * 10n ** BigInt(fraction.length) + BigInt(fraction);
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(fraction.length + 1, '0');
  const point = digits.length - fraction.length;
  return `${negative ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`;
}
