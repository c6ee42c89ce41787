/**
 * ajv-formats' `uri` behind a short pattern for the usual `https://host[:port]/path?query`: every
 * string the short one accepts, ajv-formats' long RFC 3986 pattern accepts too (the short one is
 * its host, port, path and query productions without user info, IP literals or a fragment;
 * `scripts/generated.test.ts` checks it property-based), and it costs a third of the time on the
 * webhook URL every create request carries (BENCHMARKS.md, validation).
 *
 * Copied into each generated validator module that checks a `uri` (scripts/generate.ts); the
 * generated module imports `fullFormats` itself.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';

const PLAIN_HTTPS_URI =
  /^https:\/\/[a-z0-9.-]+(?::[0-9]*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$/i;

/** RFC 3986's `uri`: ajv-formats' pattern, behind a short one for plain https URLs. */
export const uriFormat = (value: string): boolean =>
  PLAIN_HTTPS_URI.test(value) || (fullFormats.uri as (value: string) => boolean)(value);
