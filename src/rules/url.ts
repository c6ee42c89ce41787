import type { ValidationIssue, ValidationResult } from '../validation/issue.js';
import { preview, ruleIssue } from './issue.js';

/** The spec's `maxLength` of a webhook URL. */
export const MAX_URL_LENGTH = 1000;

/** Name suffixes reserved for local use (RFC 6761, RFC 6762, ICANN's `.internal`): never public. */
const RESERVED_SUFFIXES = ['localhost', 'local', 'internal', 'invalid'] as const;

function isReserved(hostname: string): boolean {
  const last = hostname.slice(hostname.lastIndexOf('.') + 1);
  return (RESERVED_SUFFIXES as readonly string[]).includes(last);
}

/** A DNS label after URL normalisation (lower-case, IDNs in punycode). */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * WHATWG's URL parser silently removes tabs and newlines anywhere and trims C0 controls and
 * spaces at both ends, so `https://tenant.tld/hoo\nk` would register a different URL than the
 * one the caller wrote. Any such character is refused instead.
 */
const WHITESPACE_OR_CONTROL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0020\u007f-\u009f\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/**
 * Whether a host, as `new URL()` normalises it, is an IP literal. The parser turns every IPv4
 * spelling it accepts (a single integer, octal, hex, shortened forms, percent-encoded or
 * full-width digits) into a dotted quad and keeps IPv6 in brackets, so two shapes cover them all.
 *
 * @example
 * ```ts
 * isIpHost(new URL('https://0x7f.1/').hostname); // true ('127.0.0.1')
 * isIpHost('tenant.tld'); // false
 * ```
 */
export function isIpHost(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}(?:\.\d{1,3}){3}\.?$/.test(hostname);
}

const SCHEME_AND_SLASHES = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** The raw authority of a `scheme://authority/…` URL, as written. */
function authorityOf(value: string): string {
  const start = value.indexOf('://') + 3;
  const end = value.slice(start).search(/[/?#]/);
  return end === -1 ? value.slice(start) : value.slice(start, start + end);
}

function schemeIssue(url: URL, path: string): ValidationIssue {
  return ruleIssue(
    path,
    'url.scheme_not_https',
    `the scheme must be https, got ${url.protocol.slice(0, -1)} (R1)`,
  );
}

/**
 * R2 on a normalised host name: a public DNS name of well-formed labels.
 */
/**
 * A public DNS name in one pass: two or more LDH labels of 1–63 characters, at most 253 in all,
 * a top-level label with a letter. Names that pass need no further look; the rest are examined
 * label by label below to say precisely what is wrong.
 */
const PUBLIC_DNS_NAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?=[a-z0-9-]*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function checkHost(hostname: string, path: string): ValidationIssue[] {
  if (PUBLIC_DNS_NAME.test(hostname) && !isReserved(hostname)) return [];
  if (isIpHost(hostname)) {
    return [
      ruleIssue(
        path,
        'url.ip_host',
        `the host must be a DNS name, not the IP address ${hostname} (R2)`,
      ),
    ];
  }
  const labels = hostname.split('.');
  if (labels.at(-1) === '') {
    return [
      ruleIssue(
        path,
        'url.invalid_host',
        `the host ${preview(hostname)} ends with a dot; write it without (R2)`,
      ),
    ];
  }
  if (labels.length === 1) {
    return [
      ruleIssue(
        path,
        'url.single_label_host',
        `the host ${preview(hostname)} is a single label; Upvest delivers over the public internet, so use a fully qualified DNS name (R2)`,
      ),
    ];
  }
  const last = labels.at(-1) ?? '';
  if ((RESERVED_SUFFIXES as readonly string[]).includes(last)) {
    return [
      ruleIssue(
        path,
        'url.reserved_host',
        `the host ${preview(hostname)} is under .${last}, which is reserved for local use (R2)`,
      ),
    ];
  }
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined || hostname.length > 253 || /^\d+$/.test(last)) {
    return [
      ruleIssue(
        path,
        'url.invalid_host',
        `the host ${preview(hostname)} is not a well-formed DNS name: labels of 1–63 letters, digits and inner hyphens, at most 253 characters, a non-numeric top-level label (R2)`,
      ),
    ];
  }
  return [];
}

/**
 * The URL rules of webhook registration: HTTPS only (R1), a public DNS host and never an IP
 * address in any spelling (R2), no user info, no fragment, no hidden white space, at most 1000
 * characters. Explicit ports are allowed. Returns every issue found; never throws.
 *
 * @example
 * ```ts
 * checkWebhookUrl('http://127.1/hook', '/url').map((issue) => issue.code);
 * // ['url.scheme_not_https', 'url.ip_host']
 * ```
 */
export function checkWebhookUrl(value: unknown, path: string): ValidationIssue[] {
  if (typeof value !== 'string') {
    return [ruleIssue(path, 'url.not_a_string', `the URL must be a string, got ${typeof value}`)];
  }
  const issues: ValidationIssue[] = [];
  if (value.length > MAX_URL_LENGTH) {
    issues.push(
      ruleIssue(
        path,
        'url.too_long',
        `the URL has ${value.length} characters; at most ${MAX_URL_LENGTH} are allowed`,
      ),
    );
  }
  if (WHITESPACE_OR_CONTROL.test(value)) {
    issues.push(
      ruleIssue(
        path,
        'url.whitespace_or_control',
        'the URL contains white space or control characters, which URL parsers drop silently; remove them',
      ),
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    issues.push(ruleIssue(path, 'url.malformed', `${preview(value)} is not an absolute URL`));
    return issues;
  }
  // Parsers differ on sloppy spellings (`https:host/x`, `https:\\host`): WHATWG repairs them,
  // others read them as opaque or relative. Only the unambiguous `scheme://authority` form is
  // accepted, so Upvest's servers see the same host as this check.
  if (!SCHEME_AND_SLASHES.test(value) || value.includes('\\') || url.hostname === '') {
    issues.push(
      ruleIssue(
        path,
        'url.malformed',
        `${preview(value)} must be written as https://host/path, with forward slashes`,
      ),
    );
    if (url.protocol !== 'https:') issues.push(schemeIssue(url, path));
    return issues;
  }
  if (url.protocol !== 'https:') issues.push(schemeIssue(url, path));
  // An empty user info (`https://@host`, `https://:@host`) leaves `username` empty, yet it is
  // still user info on the wire: look at the raw authority.
  if (url.username !== '' || url.password !== '' || authorityOf(value).includes('@')) {
    issues.push(
      ruleIssue(
        path,
        'url.userinfo',
        'the URL must not carry a user name or password; authenticate deliveries by their signature',
      ),
    );
  }
  // `url.hash` is empty for a bare trailing '#', so look at the raw text too.
  if (url.hash !== '' || value.includes('#')) {
    issues.push(
      ruleIssue(path, 'url.fragment', 'the URL must not have a #fragment: HTTP never sends it'),
    );
  }
  issues.push(...checkHost(url.hostname, path));
  return issues;
}

/**
 * Validates a webhook URL on its own, e.g. in a form before the rest of the registration.
 *
 * @example
 * ```ts
 * const result = validateWebhookUrl('https://[::ffff:127.0.0.1]/hook');
 * if (!result.ok) console.log(result.issues[0]?.code); // 'url.ip_host'
 * ```
 */
export function validateWebhookUrl(url: string): ValidationResult<string> {
  const issues = checkWebhookUrl(url, '');
  return issues.length === 0 ? { ok: true, value: url } : { ok: false, issues };
}
