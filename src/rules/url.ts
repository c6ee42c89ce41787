import type { ValidationIssue, ValidationResult } from '../validation-issue.js';
import { isValidAceLabel } from './punycode.js';
import { webhookLimits } from '../../generated/constants.js';
import type { RuleCode } from './codes.js';
import { preview, ruleIssue } from './issue.js';

/** The spec's `maxLength` of a webhook URL, in code points like JSON Schema counts. */
export const MAX_URL_LENGTH = webhookLimits.urlMaxLength;

/**
 * Name suffixes that never resolve on the public internet, so Upvest could never deliver to
 * them: `localhost` and `invalid` (RFC 6761), `local` (mDNS, RFC 6762), `internal` (ICANN's
 * private-use TLD), `home.arpa` (RFC 8375), `onion` (RFC 7686) and `alt` (RFC 9476). `example`
 * and `test` (RFC 6761) stay allowed: documentation and test fixtures use them with mock servers.
 *
 * @example
 * ```ts
 * reservedHostSuffixes.includes('local'); // true
 * ```
 */
export const reservedHostSuffixes = [
  'localhost',
  'local',
  'internal',
  'invalid',
  'home.arpa',
  'onion',
  'alt',
] as const;

function reservedSuffixOf(hostname: string): string | undefined {
  return reservedHostSuffixes.find(
    (suffix) => hostname === suffix || hostname.endsWith(`.${suffix}`),
  );
}

/** Parts of {@link PLAIN_HTTPS_URL}, each a fact of the full rule written as a pattern. */
const PLAIN = {
  // The host is the run of LDH characters up to the port, path, query or end: at most 253.
  hostLength: '(?=[a-z0-9.-]{1,253}(?:[:/?]|$))',
  // Lower-case labels of 1 to 63 characters without outer hyphens and never Punycode (`xn--`,
  // which the full checks decode and judge).
  label: '(?!xn--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.',
  // A top-level label of two or more letters, as every delegated TLD and Upvest's own document
  // read it (an `xn--` TLD is left to the full checks).
  topLabel: '[a-z]{2,63}',
  // Not a reserved name nor under one (home.arpa itself has two labels).
  notReserved: `(?<![./](?:${reservedHostSuffixes.map((suffix) => suffix.replace('.', '\\.')).join('|')}))`,
  // 1 to 65535, without leading zeros.
  port: '(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?',
  // Visible ASCII without `#` or a backslash, every `%` starting an escape.
  rest: '(?:[/?](?:[!"$&-\\[\\]-~]|%[0-9A-Fa-f]{2})*)?',
};

/**
 * The shape nearly every webhook URL has, which the full rule accepts without a doubt:
 * `https://`, a host of lower-case LDH labels under a lettered top-level label, an optional
 * port, a path or query of plain visible ASCII ({@link PLAIN} names each part). Each label is
 * bounded and ends at a dot, so matching stays linear.
 */
const PLAIN_HTTPS_URL = new RegExp(
  `^https://${PLAIN.hostLength}(?:${PLAIN.label})+${PLAIN.topLabel}${PLAIN.notReserved}${PLAIN.port}${PLAIN.rest}$`,
);

/**
 * Whether a URL of at most {@link MAX_URL_LENGTH} characters has the plain shape of
 * {@link PLAIN_HTTPS_URL}. `true` means {@link checkWebhookUrl} finds no issue, which
 * `url.test.ts` checks property-based; `false` says nothing, and the full checks decide. It
 * spares the common case WHATWG's parser and the checks on what that parser repairs
 * (BENCHMARKS.md, validation).
 *
 * @example
 * ```ts
 * isPlainWebhookUrl('https://tenant.tld/webhooks/users'); // true
 * isPlainWebhookUrl('https://Tenant.tld/'); // false: the full checks decide (and accept)
 * ```
 */
export function isPlainWebhookUrl(value: string): boolean {
  return value.length <= MAX_URL_LENGTH && PLAIN_HTTPS_URL.test(value);
}

/**
 * A public DNS name: two or more LDH labels of 1–63 characters, at most 253 in all, under a
 * top-level label of two or more letters or an internationalised one (`xn--…`). No delegated TLD
 * has one letter or a digit, and Upvest's OpenAPI document (1.9.0, `format: url`, as Prism reads
 * it) refuses `tenant.x` and `tenant.tld1`: accepting them would let the mock pass what the API
 * may refuse. The length look-ahead bounds the work.
 */
const PUBLIC_DNS_NAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9](?:[a-z0-9-]{0,57}[a-z0-9])?)$/;

/**
 * WHATWG's URL parser silently removes tabs and newlines anywhere, trims C0 controls and spaces
 * at both ends, and IDNA maps default-ignorable characters (soft hyphen, zero-width joiners,
 * variation selectors, bidi controls) to nothing, so `https://ten\u00adant.tld/` would register
 * a different URL than the one the caller sees. Any such character is refused instead.
 */
const WHITESPACE_OR_CONTROL = /[\p{Cc}\p{White_Space}\p{Default_Ignorable_Code_Point}]/u;

/** Visible ASCII only: the common case, which needs none of the Unicode checks. */
// Stryker disable next-line Regex: speed only; narrowed to one character, the full checks run and agree
const VISIBLE_ASCII = /^[!-~]*$/;

/** A lone surrogate: `new URL` replaces it with U+FFFD, so the URL would change on the way. */
const LONE_SURROGATE = /\p{Cs}/u;

/** The only accepted shape: `scheme://authority…`, so every parser sees the same host. */
const SCHEME_AND_SLASHES = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Whether a host, as `new URL()` normalises it (`url.hostname`), is an IP literal. The parser
 * turns every IPv4 spelling it accepts (a single integer, octal, hex, shortened forms,
 * percent-encoded or full-width digits, ideographic full stops) into a dotted quad and keeps
 * IPv6 in brackets, so two shapes cover them all.
 *
 * Only the normalised host is judged, never the raw text: WHATWG's IPv4 parser accepts exactly
 * the spellings `inet_aton` does and refuses the URL when a name ends in a number it cannot read
 * (`1.2.3.4.5`), so no host that passes here is an IP to a reader of the raw text either
 * (`url.test.ts` checks this agreement property-based).
 */
function isIpHost(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(hostname);
}

const AUTHORITY_END = /[/?#]/g;

/** The raw authority of a `scheme://authority/…` URL, as written. */
function authorityOf(value: string): string {
  const start = value.indexOf('://') + 3;
  AUTHORITY_END.lastIndex = start;
  const end = AUTHORITY_END.exec(value);
  return value.slice(start, end === null ? value.length : end.index);
}

/** Counts code points up to `limit + 1`: enough to tell "too long" without walking 10 MB. */
function codePointsUpTo(value: string, limit: number): number {
  // Code points never outnumber UTF-16 units.
  if (value.length <= limit) return value.length;
  let count = 0;
  for (const _ of value) {
    count += 1;
    if (count > limit) break;
  }
  return count;
}

/** A URL for a message, unless it may carry a password: secrets never reach messages. */
function shown(value: string): string {
  return value.includes('@') ? 'the URL' : preview(value);
}

function schemeIssue(url: URL, path: string): ValidationIssue {
  return ruleIssue(
    path,
    'url.scheme_not_https',
    `the scheme must be https, got ${preview(url.protocol.slice(0, -1))} (R1)`,
  );
}

function ipIssue(hostname: string, path: string): ValidationIssue {
  return ruleIssue(
    path,
    'url.ip_host',
    `the host must be a DNS name, not the IP address ${preview(hostname)} (R2)`,
  );
}

/**
 * R2 on a host as `new URL()` normalised it: never an IP address, and a public DNS name of
 * well-formed labels. The cheap, specific explanations come first; {@link PUBLIC_DNS_NAME} is
 * the final judge of the form (label length and alphabet, 253 characters, a lettered top label).
 */
function checkHost(hostname: string, path: string): ValidationIssue[] {
  if (isIpHost(hostname)) return [ipIssue(hostname, path)];
  const problem = hostProblem(hostname);
  return problem === undefined ? [] : [ruleIssue(path, problem.code, problem.message)];
}

function hostProblem(hostname: string): { code: RuleCode; message: string } | undefined {
  if (hostname.endsWith('.')) {
    return {
      code: 'url.invalid_host',
      message: `the host ${preview(hostname)} ends with a dot; write it without (R2)`,
    };
  }
  if (!hostname.includes('.')) {
    return {
      code: 'url.single_label_host',
      message: `the host ${preview(hostname)} is a single label; Upvest delivers over the public internet, so use a fully qualified DNS name (R2)`,
    };
  }
  const reserved = reservedSuffixOf(hostname);
  if (reserved !== undefined) {
    return {
      code: 'url.reserved_host',
      message: `the host ${preview(hostname)} is under .${reserved}, which never resolves on the public internet (R2)`,
    };
  }
  if (!PUBLIC_DNS_NAME.test(hostname)) {
    return {
      code: 'url.invalid_host',
      message: `the host ${preview(hostname)} is not a well-formed DNS name: labels of 1–63 letters, digits and inner hyphens, at most 253 characters, under a top-level label of two or more letters (or xn--…) (R2)`,
    };
  }
  return undefined;
}

/**
 * The URL rules of webhook registration. R1: the scheme is `https`. R2: the host is a public,
 * fully qualified DNS name and never an IP address, in any spelling (checked on both the
 * normalised and the raw host). Also: at most 1000 code points (spec `maxLength`); written as
 * `https://host/…` with no white space, control or invisible characters; no user info; no
 * fragment; an explicit port must be 1–65535. Returns every issue found, each at `path`; never
 * throws.
 *
 * @example
 * ```ts
 * checkWebhookUrl('https://tenant.tld/webhooks/users', '/url'); // []
 * checkWebhookUrl('http://127.1/hook', '/url').map((issue) => issue.code);
 * // ['url.scheme_not_https', 'url.ip_host']
 * ```
 */
export function checkWebhookUrl(value: unknown, path: string): ValidationIssue[] {
  if (typeof value !== 'string') {
    return [ruleIssue(path, 'url.not_a_string', `the URL must be a string, got ${typeof value}`)];
  }
  return isPlainWebhookUrl(value) ? [] : checkUrlInFull(value, path);
}

/**
 * Every check of {@link checkWebhookUrl} on a string, without the plain-shape shortcut: the
 * reference the shortcut is tested against. Internal.
 */
export function checkUrlInFull(value: string, path: string): ValidationIssue[] {
  const text = textIssues(value, path);
  if (text.stop) return text.issues;
  const parsed = parseWellFormed(value, path);
  if ('issues' in parsed) return [...text.issues, ...parsed.issues];
  return [...text.issues, ...partIssues(value, parsed, path)];
}

/** The text before parsing: its length, invisible characters, and lone surrogates (fatal). */
function textIssues(value: string, path: string): { issues: ValidationIssue[]; stop: boolean } {
  const issues: ValidationIssue[] = [];
  if (codePointsUpTo(value, MAX_URL_LENGTH) > MAX_URL_LENGTH) {
    issues.push(
      ruleIssue(path, 'url.too_long', `the URL must be at most ${MAX_URL_LENGTH} characters`),
    );
  }
  const plain = VISIBLE_ASCII.test(value);
  if (!plain && WHITESPACE_OR_CONTROL.test(value)) {
    issues.push(
      ruleIssue(
        path,
        'url.whitespace_or_control',
        'the URL contains white space, control or invisible characters, which URL parsers drop silently; remove them',
      ),
    );
  }
  if (!plain && LONE_SURROGATE.test(value)) {
    issues.push(
      ruleIssue(
        path,
        'url.malformed',
        'the URL contains a lone UTF-16 surrogate, which is not text; it would be replaced on the way',
      ),
    );
    return { issues, stop: true };
  }
  return { issues, stop: false };
}

/** A URL that parsed in the one form every reader agrees on, with its raw authority and host. */
interface WellFormedUrl {
  readonly url: URL;
  readonly authority: string;
  readonly rawHost: string;
}

/** The URL parsed, or why it cannot be judged further (each of these ends the check). */
function parseWellFormed(
  value: string,
  path: string,
): WellFormedUrl | { issues: ValidationIssue[] } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { issues: [ruleIssue(path, 'url.malformed', `${shown(value)} is not an absolute URL`)] };
  }
  const wellFormed = SCHEME_AND_SLASHES.test(value) && !value.includes('\\');
  const authority = wellFormed ? authorityOf(value) : '';
  // What follows any user info. The port needs no cutting off: a port is digits or the URL
  // fails to parse, so it never makes this empty or adds a `%`.
  const rawHost = authority.slice(authority.lastIndexOf('@') + 1);
  // Parsers differ on sloppy spellings (`https:host/x`, `https:\\host`, `https:///host`):
  // WHATWG repairs them, others read them as opaque, relative or host-less. Only the unambiguous
  // `scheme://host…` form is accepted, so Upvest's servers see the same host as this check.
  // (An empty host after the slashes fails here; the parser itself refuses one before a port.)
  if (!wellFormed || rawHost === '') {
    const issues = [
      ruleIssue(
        path,
        'url.malformed',
        `${shown(value)} must be written as https://host/path, with forward slashes`,
      ),
    ];
    if (url.protocol !== 'https:') issues.push(schemeIssue(url, path));
    return { issues };
  }
  // Node 24's parser accepts Punycode that Node 20's refuses (`xn--a` decodes to a control
  // character): judged here the same on every Node, as a parse failure.
  if (!url.hostname.split('.').every(isValidAceLabel)) {
    return {
      issues: [
        ruleIssue(
          path,
          'url.malformed',
          `${shown(value)} has a host label that is not valid Punycode`,
        ),
      ],
    };
  }
  return { url, authority, rawHost };
}

/** The parts of a well-formed URL: scheme, user info, port, fragment, host and escapes. */
function partIssues(value: string, parsed: WellFormedUrl, path: string): ValidationIssue[] {
  const { url, authority, rawHost } = parsed;
  const issues: ValidationIssue[] = [];
  if (url.protocol !== 'https:') issues.push(schemeIssue(url, path));
  // The raw authority, not `url.username`: an empty user info (`https://@host`, `https://:@host`)
  // leaves `username` empty, yet it is still user info on the wire.
  if (authority.includes('@')) {
    issues.push(
      ruleIssue(
        path,
        'url.userinfo',
        'the URL must not carry a user name or password; authenticate deliveries by their signature',
      ),
    );
  }
  // The parser accepts port 0, which no server can listen on.
  if (url.port === '0') {
    issues.push(ruleIssue(path, 'url.malformed', 'the port must be 1 to 65535, got 0'));
  }
  // The raw text, not `url.hash`: the hash is empty for a bare trailing '#'.
  if (value.includes('#')) {
    issues.push(
      ruleIssue(path, 'url.fragment', 'the URL must not have a #fragment: HTTP never sends it'),
    );
  }
  const hostIssues = checkHost(url.hostname, path);
  issues.push(...hostIssues);
  // A percent-encoded host (`tenant%2Etld`) is decoded by WHATWG parsers and refused or kept
  // verbatim by RFC 3986 ones: two readers, two hosts. An IP spelt so is reported above as such.
  if (hostIssues.length === 0 && rawHost.includes('%')) {
    issues.push(
      ruleIssue(
        path,
        'url.malformed',
        `the host must be written plainly, not percent-encoded: ${preview(url.hostname)}`,
      ),
    );
  }
  // `%` not followed by two hex digits: WHATWG passes it on as it is, RFC 3986 parsers refuse
  // the URL, and a server may decode it either way.
  if (/%(?![0-9A-Fa-f]{2})/.test(value.slice(value.indexOf('://') + 3 + authority.length))) {
    issues.push(
      ruleIssue(
        path,
        'url.malformed',
        'every % in the path or query must start a percent-encoded byte such as %2F; write a literal % as %25',
      ),
    );
  }
  return issues;
}

/**
 * Validates a webhook URL on its own, e.g. in a form before the rest of the registration: the
 * URL rules (R1 to R4), every issue with path `''`. The value is returned as given,
 * not normalised.
 *
 * @example
 * ```ts
 * validateWebhookUrl('https://tenant.tld/webhooks/users');
 * // { ok: true, value: 'https://tenant.tld/webhooks/users' }
 * const result = validateWebhookUrl('https://[::ffff:127.0.0.1]/hook');
 * if (!result.ok) console.log(result.issues[0]?.code); // 'url.ip_host'
 * ```
 */
export function validateWebhookUrl(url: string): ValidationResult<string> {
  const issues = checkWebhookUrl(url, '');
  return issues.length === 0 ? { ok: true, value: url } : { ok: false, issues };
}
