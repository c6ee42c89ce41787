import type { ValidationIssue, ValidationResult } from '../validation-issue.js';
import { isValidAceLabel } from './punycode.js';
import { webhookLimits } from '../../generated/constants.js';
import { preview, ruleIssue } from './issue.js';

/** The spec's `maxLength` of a webhook URL, in code points like JSON Schema counts. */
export const MAX_URL_LENGTH = webhookLimits.urlMaxLength;

/** The spec's bound on a DNS name (RFC 1035 §2.3.4, without the root dot). */
const MAX_HOST_LENGTH = 253;

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

/** The top-level labels of the reserved suffixes: one set lookup settles most hosts. */
const reservedTopLabels: ReadonlySet<string> = new Set(
  reservedHostSuffixes.map((suffix) => suffix.slice(suffix.lastIndexOf('.') + 1)),
);

function reservedSuffixOf(hostname: string): string | undefined {
  if (!reservedTopLabels.has(hostname.slice(hostname.lastIndexOf('.') + 1))) return undefined;
  return reservedHostSuffixes.find(
    (suffix) => hostname === suffix || hostname.endsWith(`.${suffix}`),
  );
}

/** A DNS label after URL normalisation (lower-case, IDNs in punycode). */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A public DNS name in one pass: two or more LDH labels of 1–63 characters, at most 253 in all,
 * a top-level label with a letter. Names that pass need no further look; the rest are examined
 * label by label to say precisely what is wrong. The length look-ahead bounds the work.
 */
const PUBLIC_DNS_NAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?=[a-z0-9-]*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * WHATWG's URL parser silently removes tabs and newlines anywhere, trims C0 controls and spaces
 * at both ends, and IDNA maps default-ignorable characters (soft hyphen, zero-width joiners,
 * variation selectors, bidi controls) to nothing, so `https://ten\u00adant.tld/` would register
 * a different URL than the one the caller sees. Any such character is refused instead.
 */
const WHITESPACE_OR_CONTROL = /[\p{Cc}\p{White_Space}\p{Default_Ignorable_Code_Point}]/u;

/** Visible ASCII only: the common case, which needs none of the Unicode checks. */
const VISIBLE_ASCII = /^[!-~]*$/;

/** A lone surrogate: `new URL` replaces it with U+FFFD, so the URL would change on the way. */
const LONE_SURROGATE = /\p{Cs}/u;

/** The only accepted shape: `scheme://authority…`, so every parser sees the same host. */
const SCHEME_AND_SLASHES = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Whether a host, as `new URL()` normalises it (`url.hostname`), is an IP literal. The parser
 * turns every IPv4 spelling it accepts (a single integer, octal, hex, shortened forms,
 * percent-encoded or full-width digits) into a dotted quad and keeps IPv6 in brackets, so two
 * shapes cover them all. For a host as a person wrote it, use {@link isIpLiteralHost}.
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

/** One IPv4 part as WHATWG's IPv4 parser and `inet_aton` read it: hex, octal or decimal. */
const IPV4_PART = /^(?:0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/;

function ipv4PartValue(part: string): number {
  if (part.startsWith('0x')) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (part.length > 1 && part.startsWith('0')) return Number.parseInt(part, 8);
  return Number(part);
}

/**
 * Whether ASCII text is an IPv4 address in any spelling the WHATWG URL parser (and `inet_aton`)
 * accepts: one to four parts, each decimal, octal (`0`-prefixed) or hex (`0x`), the last filling
 * the remaining bytes, with at most one trailing dot. It reads text as written: no
 * percent-decoding or Unicode folding (see {@link isIpLiteralHost} for that).
 *
 * @example
 * ```ts
 * isIpv4Spelling('3232235521'); // true (192.168.0.1)
 * isIpv4Spelling('0xC0.0xA8.0.1'); // true
 * isIpv4Spelling('10.1.1'); // true (10.1.0.1)
 * isIpv4Spelling('1.2.3.4.5'); // false: five parts
 * isIpv4Spelling('256.0.0.1'); // false: out of range
 * ```
 */
export function isIpv4Spelling(text: string): boolean {
  // The alphabet of every spelling: most names fail on their first letter, before any split.
  if (typeof text !== 'string' || !/^[0-9a-fx.]+$/i.test(text)) return false;
  const parts = text.toLowerCase().split('.');
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length > 4) return false;
  const values: number[] = [];
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return false;
    values.push(ipv4PartValue(part));
  }
  const last = values.pop() ?? Number.NaN;
  return values.every((value) => value <= 255) && last < 256 ** (4 - values.length);
}

/**
 * A raw host as the recipient of the raw string might read it: percent-decoded, NFKC-folded
 * (full-width and other compatibility digits become ASCII), ideographic full stops as dots,
 * lower-case. Plain ASCII without `%` is only lower-cased: the common case stays cheap.
 */
function foldRawHost(host: string): string {
  let text = host;
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not decodable: the URL parser will have refused it, or it is read as written.
    }
  }
  // eslint-disable-next-line no-control-regex -- the test is "is it all ASCII"
  if (!/^[\u0000-\u007f]*$/.test(text)) {
    text = text.normalize('NFKC').replace(/[\u3002\uff0e\uff61]/g, '.');
  }
  return text.toLowerCase();
}

/** Whether a raw host, folded, is a bracketed IPv6 literal or an IPv4 address in any spelling. */
function rawHostIsIp(host: string): boolean {
  if (host.startsWith('[')) return true;
  // Visible ASCII without `%` needs no folding: it is an IP exactly when it spells one.
  if (VISIBLE_ASCII.test(host) && !host.includes('%')) return isIpv4Spelling(host);
  const folded = foldRawHost(host);
  return folded.startsWith('[') || isIpv4Spelling(folded);
}

/**
 * Whether a host names an IP address in any spelling, as a person or another URL parser might
 * write it: dotted decimal, one decimal/hex/octal integer, shortened forms (`127.1`), a trailing
 * dot, percent-encoding, full-width digits, IPv6 with or without brackets, IPv4-mapped IPv6. It
 * reads the text itself and, as a second opinion, what `new URL()` makes of it. Never throws.
 *
 * @example
 * ```ts
 * isIpLiteralHost('0300.0250.0.1'); // true (192.168.0.1 in octal)
 * isIpLiteralHost('[::ffff:7f00:1]'); // true
 * isIpLiteralHost('１２７.０.０.１'); // true (full-width digits)
 * isIpLiteralHost('tenant.tld'); // false
 * ```
 */
export function isIpLiteralHost(host: string): boolean {
  if (typeof host !== 'string' || host === '') return false;
  // IPv6, bare or in brackets: valid exactly when it parses between brackets.
  const ipv6 = /^\[([0-9a-f:.]+)\]$/i.exec(host)?.[1] ?? host;
  if (ipv6.includes(':')) {
    if (!/^[0-9a-f:.]+$/i.test(ipv6)) return false;
    try {
      new URL(`https://[${ipv6}]/`);
      return true;
    } catch {
      return false;
    }
  }
  // Brackets hold nothing but IPv6 (WHATWG refuses IPvFuture): anything else there is no host.
  if (host.startsWith('[')) return false;
  if (rawHostIsIp(host)) return true;
  // Anything that would end the host early is not a host; don't let `1.2.3.4/x` count.
  if (/[/?#@\\:[\]]/.test(host) || WHITESPACE_OR_CONTROL.test(host)) return false;
  try {
    return isIpHost(new URL(`https://${host}/`).hostname);
  } catch {
    return false;
  }
}

const AUTHORITY_END = /[/?#]/g;

/** The raw authority of a `scheme://authority/…` URL, as written. */
function authorityOf(value: string): string {
  const start = value.indexOf('://') + 3;
  AUTHORITY_END.lastIndex = start;
  const end = AUTHORITY_END.exec(value);
  return value.slice(start, end === null ? value.length : end.index);
}

/** The raw host of an authority: after any user info, before any port. */
function rawHostOf(authority: string): string {
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (hostAndPort.startsWith('[')) {
    const close = hostAndPort.indexOf(']');
    return close === -1 ? hostAndPort : hostAndPort.slice(0, close + 1);
  }
  const colon = hostAndPort.indexOf(':');
  return colon === -1 ? hostAndPort : hostAndPort.slice(0, colon);
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

/** R2 on a host: a public DNS name of well-formed labels, never an IP address. */
function checkHost(hostname: string, rawHost: string, path: string): ValidationIssue[] {
  // The normalised host is what WHATWG clients connect to; the raw host is what a parser with
  // other habits (inet_aton, an older URL library) might connect to. Either being an IP fails.
  if (isIpHost(hostname) || rawHostIsIp(rawHost)) return [ipIssue(hostname, path)];
  if (PUBLIC_DNS_NAME.test(hostname) && reservedSuffixOf(hostname) === undefined) return [];
  const labels = hostname.split('.');
  if (labels.length > 1 && labels.at(-1) === '') {
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
  const reserved = reservedSuffixOf(hostname);
  if (reserved !== undefined) {
    return [
      ruleIssue(
        path,
        'url.reserved_host',
        `the host ${preview(hostname)} is under .${reserved}, which never resolves on the public internet (R2)`,
      ),
    ];
  }
  const last = labels.at(-1) ?? '';
  if (
    labels.some((label) => !LABEL.test(label)) ||
    hostname.length > MAX_HOST_LENGTH ||
    !/[a-z]/.test(last)
  ) {
    return [
      ruleIssue(
        path,
        'url.invalid_host',
        `the host ${preview(hostname)} is not a well-formed DNS name: labels of 1–63 letters, digits and inner hyphens, at most 253 characters, a top-level label with a letter (R2)`,
      ),
    ];
  }
  return [];
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
    return issues;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    issues.push(ruleIssue(path, 'url.malformed', `${shown(value)} is not an absolute URL`));
    return issues;
  }
  const wellFormed = SCHEME_AND_SLASHES.test(value) && !value.includes('\\');
  const authority = wellFormed ? authorityOf(value) : '';
  const rawHost = rawHostOf(authority);
  // Parsers differ on sloppy spellings (`https:host/x`, `https:\\host`, `https:///host`):
  // WHATWG repairs them, others read them as opaque, relative or host-less. Only the unambiguous
  // `scheme://host…` form is accepted, so Upvest's servers see the same host as this check.
  if (!wellFormed || rawHost === '' || url.hostname === '') {
    issues.push(
      ruleIssue(
        path,
        'url.malformed',
        `${shown(value)} must be written as https://host/path, with forward slashes`,
      ),
    );
    if (url.protocol !== 'https:') issues.push(schemeIssue(url, path));
    return issues;
  }
  // Node 24's parser accepts Punycode that Node 20's refuses (`xn--a` decodes to a control
  // character): judged here the same on every Node, as a parse failure.
  if (!url.hostname.split('.').every(isValidAceLabel)) {
    issues.push(
      ruleIssue(
        path,
        'url.malformed',
        `${shown(value)} has a host label that is not valid Punycode`,
      ),
    );
    return issues;
  }
  if (url.protocol !== 'https:') issues.push(schemeIssue(url, path));
  // An empty user info (`https://@host`, `https://:@host`) leaves `username` empty, yet it is
  // still user info on the wire: look at the raw authority.
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
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
  // `url.hash` is empty for a bare trailing '#', so look at the raw text too.
  if (url.hash !== '' || value.includes('#')) {
    issues.push(
      ruleIssue(path, 'url.fragment', 'the URL must not have a #fragment: HTTP never sends it'),
    );
  }
  const hostIssues = checkHost(url.hostname, rawHost, path);
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
 * rules of {@link checkWebhookUrl}, every issue with path `''`. The value is returned as given,
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
