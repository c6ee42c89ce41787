/**
 * ajv-formats' `date-time` (RFC 3339 with a required time zone, leap seconds in UTC), written out
 * here: importing ajv-formats' CommonJS table of every format costs a receiver about 5 ms at
 * start-up (BENCHMARKS.md, import time), for the one format the delivery envelope uses. The same
 * patterns and steps as ajv-formats 3; `scripts/generated.test.ts` checks property-based that it
 * judges every string as ajv-formats does, so an upgrade that changes ajv-formats fails it.
 *
 * Copied into each generated validator module that checks a `date-time` (scripts/generate.ts).
 */
const RFC3339_DATE = /^(\d\d\d\d)-(\d\d)-(\d\d)$/;
const RFC3339_TIME = /^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?$/i;
const RFC3339_SEPARATOR = /t|\s/i;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** RFC 3339's `date-time` as ajv-formats judges it (`fullFormats['date-time']`). */
export const dateTimeFormat = {
  validate(value: string): boolean {
    const parts = value.split(RFC3339_SEPARATOR);
    if (parts.length !== 2) return false;
    const date = RFC3339_DATE.exec(parts[0]!);
    if (!date) return false;
    const year = +date[1]!;
    const month = +date[2]!;
    const day = +date[3]!;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!;
    if (!(month >= 1 && month <= 12 && day >= 1 && day <= days)) return false;
    const time = RFC3339_TIME.exec(parts[1]!);
    if (!time) return false;
    const hour = +time[1]!;
    const minute = +time[2]!;
    const second = +time[3]!;
    const sign = time[5] === '-' ? -1 : 1;
    const zoneHours = +(time[6] || 0);
    const zoneMinutes = +(time[7] || 0);
    if (zoneHours > 23 || zoneMinutes > 59 || !time[4]) return false;
    if (hour <= 23 && minute <= 59 && second < 60) return true;
    // A leap second: 23:59:60 in UTC.
    const utcMinute = minute - zoneMinutes * sign;
    const utcHour = hour - zoneHours * sign - (utcMinute < 0 ? 1 : 0);
    return (
      (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second < 61
    );
  },
};
