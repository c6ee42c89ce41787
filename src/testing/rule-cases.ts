/**
 * The rule tables: every spelling each business rule and schema constraint of a webhook accepts
 * or refuses, with the issue codes the validators answer. One table for both sides: the rules'
 * unit tests (src/rules/*.test.ts) run every row against the validators, and the conformance
 * suite's `rules` profile sends every row a JSON body can carry to the server, expecting what the
 * validators say (a case only the client saw would be a gap: a test holds the two together).
 */
import { webhookCategories } from '../../generated/constants.js';
import { MAX_URL_LENGTH } from '../rules/url.js';

/**
 * One row: a value of one field, its name, and the issue codes the validators answer (none: the
 * rule accepts it). For `type`, `paths` says where each issue points.
 *
 * @example
 * ```ts
 * const row: RuleCase = { field: 'config.delay', name: 'a leading zero (R5)', value: '01s', codes: ['delay.malformed'] };
 * ```
 */
export interface RuleCase {
  readonly field: 'url' | 'title' | 'type' | 'config.delay' | 'config.max_package_size';
  readonly name: string;
  readonly value: unknown;
  readonly codes: readonly string[];
  readonly paths?: readonly string[];
}

/** A list with holes, as JavaScript (never JSON) can build it. */
function sparse(length: number, items: Record<number, unknown>): unknown[] {
  const list: unknown[] = new Array<unknown>(length);
  for (const [index, item] of Object.entries(items)) list[Number(index)] = item;
  return list;
}

const longHost = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

/** [name, url]: every row must pass. */
const urlValid: [string, string][] = [
  ['the documented example', 'https://tenant.tld/webhooks/users'],
  ['a bare host', 'https://tenant.tld'],
  ['a host with a trailing slash', 'https://tenant.tld/'],
  ['a deep subdomain', 'https://hooks.eu-central.prod.tenant.tld/upvest'],
  ['a query string', 'https://tenant.tld/hook?source=upvest&v=1'],
  ['a query without a path', 'https://tenant.tld?x=1'],
  ['path parameters', 'https://tenant.tld/hook;v=1'],
  ['an explicit port 443', 'https://tenant.tld:443/hook'],
  ['an explicit high port', 'https://tenant.tld:8443/hook'],
  ['the lowest port', 'https://tenant.tld:1/'],
  ['the highest port', 'https://tenant.tld:65535/'],
  ['a port with leading zeros', 'https://tenant.tld:00443/'],
  ['an empty port', 'https://tenant.tld:/'],
  ['upper-case scheme and host', 'HTTPS://TENANT.TLD/hook'],
  ['a hyphenated label', 'https://my-tenant.tld/hook'],
  ['a label with a double hyphen', 'https://a--b.tenant.tld/'],
  ['a label of digits', 'https://123.tenant.tld/hook'],
  ['a host that starts like an IP but is a name', 'https://1.2.3.tenant.tld/hook'],
  ['a host that starts with four IP-like labels', 'https://1.2.3.4.tld/hook'],
  ['a hex-looking label inside a name', 'https://0x7f.tenant.tld/'],
  ['an internationalised host', 'https://bücher.de/hook'],
  ['an internationalised host in capitals', 'https://BÜCHER.de/hook'],
  ['a punycode host', 'https://xn--bcher-kva.de/hook'],
  ['an emoji host', 'https://💩.la/'],
  ['an internationalised top-level label', 'https://a.xn--p1ai/'],
  ['an ideographic full stop between labels', 'https://tenant\u3002tld/'],
  ['a 63-character label', `https://${'a'.repeat(63)}.tld/`],
  ['a host of exactly 253 characters', `https://${longHost}/`],
  ['percent-encoding in the path', 'https://tenant.tld/hooks/%E2%9C%93'],
  ['a literal % written as %25 in the query', 'https://tenant.tld/hook?rate=5%25'],
  ['a percent-encoded bidi control in the path (visible)', 'https://tenant.tld/%E2%80%AE'],
  ['non-ASCII letters in the path', 'https://tenant.tld/hooks/übersicht'],
  [
    'a URL of exactly 1000 characters',
    `https://tenant.tld/${'p'.repeat(MAX_URL_LENGTH - 'https://tenant.tld/'.length)}`,
  ],
  [
    'a URL of 1000 code points but more UTF-16 units',
    `https://tenant.tld/${'😀'.repeat(MAX_URL_LENGTH - 'https://tenant.tld/'.length)}`,
  ],
  ['a host ending in a hex-like but non-numeric label', 'https://tenant.cafe/hook'],
  ['an .example host (documentation)', 'https://hooks.tenant.example/'],
  ['a .test host (test fixtures)', 'https://hooks.test/'],
  ['a name under an undelegated top-level label', 'https://hooks.corp/'],
];

/** [name, url, expected codes]: every row must fail with exactly these codes. */
const urlInvalid: [string, unknown, string[]][] = [
  // R1: scheme
  ['plain http (R1)', 'http://tenant.tld/hook', ['url.scheme_not_https']],
  ['upper-case HTTP (R1)', 'HTTP://tenant.tld/hook', ['url.scheme_not_https']],
  ['ftp (R1)', 'ftp://tenant.tld/hook', ['url.scheme_not_https']],
  ['ws (R1)', 'ws://tenant.tld/hook', ['url.scheme_not_https']],
  ['wss (R1)', 'wss://tenant.tld/hook', ['url.scheme_not_https']],
  ['a made-up scheme (R1)', 'httpss://tenant.tld/hook', ['url.scheme_not_https']],
  ['a scheme-relative URL (R1)', '//tenant.tld/hook', ['url.malformed']],
  ['no scheme at all (R1)', 'tenant.tld/hook', ['url.malformed']],
  ['a javascript: URL (R1)', 'javascript:alert(1)', ['url.malformed', 'url.scheme_not_https']],
  ['a data: URL (R1)', 'data:text/plain,hi', ['url.malformed', 'url.scheme_not_https']],
  ['a mailto: URL (R1)', 'mailto:hooks@tenant.tld', ['url.malformed', 'url.scheme_not_https']],
  ['a file: URL (R1)', 'file:///etc/passwd', ['url.malformed', 'url.scheme_not_https']],
  ['http with an IP (R1, R2)', 'http://10.0.0.1/hook', ['url.scheme_not_https', 'url.ip_host']],
  // R2: IPv4 in every spelling the WHATWG parser accepts
  ['a dotted-quad IPv4 host (R2)', 'https://192.168.0.1/hook', ['url.ip_host']],
  ['the loopback address (R2)', 'https://127.0.0.1/hook', ['url.ip_host']],
  ['a public IPv4 address (R2)', 'https://8.8.8.8/hook', ['url.ip_host']],
  ['0.0.0.0 (R2)', 'https://0.0.0.0/hook', ['url.ip_host']],
  ['255.255.255.255 (R2)', 'https://255.255.255.255/', ['url.ip_host']],
  ['an IPv4 host written as one decimal integer (R2)', 'https://3232235521/hook', ['url.ip_host']],
  ['loopback written as one decimal integer (R2)', 'https://2130706433/', ['url.ip_host']],
  ['the largest IPv4 integer (R2)', 'https://4294967295/', ['url.ip_host']],
  ['the single digit 0 (R2)', 'https://0/', ['url.ip_host']],
  ['an IPv4 host written in octal (R2)', 'https://0300.0250.0.1/hook', ['url.ip_host']],
  ['loopback written in octal (R2)', 'https://0177.0.0.1/', ['url.ip_host']],
  ['an IPv4 host as one octal number (R2)', 'https://017700000001/', ['url.ip_host']],
  [
    'an octal part with many leading zeros (R2)',
    `https://${'0'.repeat(60)}177.1/`,
    ['url.ip_host'],
  ],
  ['an IPv4 host written in hex per part (R2)', 'https://0xC0.0xA8.0.1/hook', ['url.ip_host']],
  ['an IPv4 host in upper-case hex (R2)', 'https://0X7F.0X0.0X0.0X1/', ['url.ip_host']],
  ['an IPv4 host as one hex number (R2)', 'https://0xc0a80001/hook', ['url.ip_host']],
  ['loopback as one hex number (R2)', 'https://0x7f000001/', ['url.ip_host']],
  ['a hex number with a trailing dot (R2)', 'https://0x7F000001./', ['url.ip_host']],
  ['a hex number padded with zeros (R2)', `https://0x${'0'.repeat(60)}7f000001/`, ['url.ip_host']],
  ['a bare 0x (R2)', 'https://0x/', ['url.ip_host']],
  ['mixed octal, hex and decimal parts (R2)', 'https://0x7f.0.00.1/', ['url.ip_host']],
  ['a shortened IPv4 with two parts (R2)', 'https://127.1/hook', ['url.ip_host']],
  ['a shortened IPv4 with three parts (R2)', 'https://10.1.1/hook', ['url.ip_host']],
  ['a shortened loopback with three parts (R2)', 'https://127.0.1/', ['url.ip_host']],
  ['a shortened hex IPv4 (R2)', 'https://0x7f.1/', ['url.ip_host']],
  ['a leading-zero part (R2)', 'https://1.2.3.04/', ['url.ip_host']],
  ['an IPv4 host with a trailing dot (R2)', 'https://1.2.3.4./hook', ['url.ip_host']],
  ['a percent-encoded IPv4 host (R2)', 'https://%31%32%37.0.0.1/hook', ['url.ip_host']],
  ['percent-encoded dots (R2)', 'https://127%2E0%2E0%2E1/', ['url.ip_host']],
  ['a percent-encoded hex prefix (R2)', 'https://%30x7f.1/', ['url.ip_host']],
  [
    'an IPv4 host with a percent-encoded trailing dot (R2)',
    'https://127.0.0.1%2e/',
    ['url.ip_host'],
  ],
  ['an IPv4 host in full-width digits (R2)', 'https://１２７.０.０.１/hook', ['url.ip_host']],
  ['full-width digits and full stops (R2)', 'https://１２７．０．０．１/', ['url.ip_host']],
  [
    'ideographic full stops between digits (R2)',
    'https://127\u30020\u30020\u30021/',
    ['url.ip_host'],
  ],
  ['a full-width hex spelling (R2)', 'https://０ｘ７ｆ.1/', ['url.ip_host']],
  ['an IPv4 host in circled digits (R2)', 'https://①②⑦.0.0.1/', ['url.ip_host']],
  ['an IPv4 host with a port (R2)', 'https://127.0.0.1:8443/hook', ['url.ip_host']],
  ['an IPv4 host with user info (R2)', 'https://user@10.0.0.1/', ['url.userinfo', 'url.ip_host']],
  // R2: IPv6
  ['an IPv6 host (R2)', 'https://[2001:db8::1]/hook', ['url.ip_host']],
  ['the IPv6 loopback (R2)', 'https://[::1]/hook', ['url.ip_host']],
  ['the IPv6 loopback written in full (R2)', 'https://[0:0:0:0:0:0:0:1]/', ['url.ip_host']],
  [
    'an IPv6 host with every zero written (R2)',
    'https://[2001:0db8:0:0:0:0:0:0001]/',
    ['url.ip_host'],
  ],
  ['the unspecified IPv6 address (R2)', 'https://[::]/', ['url.ip_host']],
  [
    'an IPv4-mapped IPv6 host in dotted form (R2)',
    'https://[::ffff:127.0.0.1]/hook',
    ['url.ip_host'],
  ],
  ['an IPv4-mapped IPv6 host in hex form (R2)', 'https://[::ffff:7f00:1]/hook', ['url.ip_host']],
  ['an IPv4-mapped private address (R2)', 'https://[::ffff:c0a8:1]/', ['url.ip_host']],
  ['an IPv4-compatible IPv6 host (R2)', 'https://[::1.2.3.4]/', ['url.ip_host']],
  ['a NAT64 IPv6 host (R2)', 'https://[64:ff9b::192.0.2.33]/', ['url.ip_host']],
  ['a link-local IPv6 host (R2)', 'https://[fe80::1]/', ['url.ip_host']],
  ['an IPv6 host with a port (R2)', 'https://[2001:db8::1]:8443/hook', ['url.ip_host']],
  ['an upper-case IPv6 host (R2)', 'https://[2001:DB8::A]/', ['url.ip_host']],
  [
    'an IPv6 host with user info and a port (R2)',
    'https://u:p@[::1]:8443/',
    ['url.userinfo', 'url.ip_host'],
  ],
  ['an IPv6 host without brackets', 'https://2001:db8::1/hook', ['url.malformed']],
  ['an IPv6 zone id', 'https://[fe80::1%25eth0]/', ['url.malformed']],
  ['an unclosed IPv6 bracket', 'https://[::1/hook', ['url.malformed']],
  // R2: names that are not public DNS names
  ['localhost (R2)', 'https://localhost/hook', ['url.single_label_host']],
  ['LOCALHOST in capitals (R2)', 'https://LOCALHOST/hook', ['url.single_label_host']],
  ['localhost with a port (R2)', 'https://localhost:8443/', ['url.single_label_host']],
  ['an intranet single label (R2)', 'https://intranet/hook', ['url.single_label_host']],
  ['a top-level label alone (R2)', 'https://com/', ['url.single_label_host']],
  ['a .localhost name (R2)', 'https://app.localhost/hook', ['url.reserved_host']],
  ['a .local mDNS name (R2)', 'https://printer.local/hook', ['url.reserved_host']],
  ['an .internal name (R2)', 'https://hooks.corp.internal/', ['url.reserved_host']],
  ['an .invalid name (R2)', 'https://hooks.invalid/', ['url.reserved_host']],
  ['a .home.arpa name (R2)', 'https://nas.home.arpa/hook', ['url.reserved_host']],
  ['an .onion name (R2)', 'https://hooksxyz.onion/', ['url.reserved_host']],
  ['an .alt name (R2)', 'https://hooks.alt/', ['url.reserved_host']],
  ['a reserved name in capitals (R2)', 'https://PRINTER.LOCAL/', ['url.reserved_host']],
  ['a host with a trailing dot (R2)', 'https://tenant.tld./hook', ['url.invalid_host']],
  ['localhost with a trailing dot (R2)', 'https://localhost./', ['url.invalid_host']],
  ['an empty label (R2)', 'https://tenant..tld/hook', ['url.invalid_host']],
  ['a leading dot (R2)', 'https://.tenant.tld/', ['url.invalid_host']],
  ['a label starting with a hyphen (R2)', 'https://-tenant.tld/', ['url.invalid_host']],
  ['a label ending with a hyphen (R2)', 'https://tenant-.tld/', ['url.invalid_host']],
  ['a top-level label ending with a hyphen (R2)', 'https://tenant.tld-/', ['url.invalid_host']],
  // Upvest's own document refuses both (audit finding 10); no delegated TLD is either.
  ['a single-letter top-level label (R2)', 'https://tenant.x/webhooks/users', ['url.invalid_host']],
  [
    'a digit in the top-level label (R2)',
    'https://tenant.tld1/webhooks/users',
    ['url.invalid_host'],
  ],
  ['a top-level label of a digit and letters (R2)', 'https://tenant.1a/', ['url.invalid_host']],
  ['an underscore in a label (R2)', 'https://a_b.tenant.tld/', ['url.invalid_host']],
  ['a leading underscore (R2)', 'https://_dmarc.tenant.tld/', ['url.invalid_host']],
  ['a 64-character label (R2)', `https://${'a'.repeat(64)}.tld/`, ['url.invalid_host']],
  ['a host of 254 characters (R2)', `https://${longHost}d/`, ['url.invalid_host']],
  [
    'a host longer than 253 characters (R2)',
    `https://${`${'a'.repeat(60)}.`.repeat(5)}tld/`,
    ['url.invalid_host'],
  ],
  ['an IP-like host with extra dots (R2)', 'https://127.0.0.1.../', ['url.invalid_host']],
  ['a percent-encoded dot-dot host (R2)', 'https://%2e%2e/', ['url.invalid_host']],
  ['a percent-encoded dot in a DNS name', 'https://tenant%2Etld/hook', ['url.malformed']],
  ['a percent-encoded letter in a DNS name', 'https://t%65nant.tld/hook', ['url.malformed']],
  ['a stray % in the path', 'https://tenant.tld/100%/hook', ['url.malformed']],
  ['a % with one hex digit in the path', 'https://tenant.tld/a%2', ['url.malformed']],
  ['a % with non-hex digits in the path', 'https://tenant.tld/a%zzb', ['url.malformed']],
  ['a stray % in the query', 'https://tenant.tld/hook?rate=5%', ['url.malformed']],
  ['an asterisk in the host (R2)', 'https://*.tenant.tld/', ['url.invalid_host']],
  ['a host that is punycode of nothing', 'https://xn--a.com/', ['url.malformed']],
  ['a numeric top-level label', 'https://tenant.123/', ['url.malformed']],
  ['a hex top-level label', 'https://tenant.0x1/', ['url.malformed']],
  ['five IPv4 parts', 'https://1.2.3.4.5/', ['url.malformed']],
  ['an IPv4 part above 255', 'https://256.0.0.1/', ['url.malformed']],
  ['an invalid octal part', 'https://1.2.3.08/', ['url.malformed']],
  ['an IPv4 integer above 2^32-1', 'https://4294967296/', ['url.malformed']],
  ['Arabic-Indic digits', 'https://١٢٧.0.0.1/', ['url.malformed']],
  // Other URL rules
  ['user info (R1)', 'https://user:secret@tenant.tld/hook', ['url.userinfo']],
  ['a user name only', 'https://user@tenant.tld/hook', ['url.userinfo']],
  ['an empty user info', 'https://:@tenant.tld/hook', ['url.userinfo']],
  ['a bare @ before the host', 'https://@tenant.tld/hook', ['url.userinfo']],
  ['a look-alike host in the user info', 'https://tenant.tld@evil.tld/', ['url.userinfo']],
  ['an IP address hidden as user info', 'https://1.2.3.4@tenant.tld/', ['url.userinfo']],
  ['a fragment', 'https://tenant.tld/hook#events', ['url.fragment']],
  ['an empty fragment', 'https://tenant.tld/hook#', ['url.fragment']],
  ['two hashes', 'https://tenant.tld/a#b#c', ['url.fragment']],
  ['port 0', 'https://tenant.tld:0/hook', ['url.malformed']],
  ['a port out of range', 'https://tenant.tld:65536/', ['url.malformed']],
  ['a non-numeric port', 'https://tenant.tld:https/', ['url.malformed']],
  ['two ports', 'https://tenant.tld:8443:80/', ['url.malformed']],
  [
    'a URL of 1001 characters',
    `https://tenant.tld/${'p'.repeat(MAX_URL_LENGTH + 1 - 'https://tenant.tld/'.length)}`,
    ['url.too_long'],
  ],
  [
    'a URL of 1001 code points',
    `https://tenant.tld/${'😀'.repeat(MAX_URL_LENGTH + 1 - 'https://tenant.tld/'.length)}`,
    ['url.too_long'],
  ],
  ['a newline inside the URL', 'https://tenant.tld/ho\nok', ['url.whitespace_or_control']],
  ['a carriage return', 'https://tenant.tld/hook\r', ['url.whitespace_or_control']],
  ['a tab inside the host', 'https://ten\tant.tld/', ['url.whitespace_or_control']],
  ['a leading space', ' https://tenant.tld/', ['url.whitespace_or_control', 'url.malformed']],
  ['a trailing space', 'https://tenant.tld/ ', ['url.whitespace_or_control']],
  [
    'a space inside the host',
    'https://ten ant.tld/',
    ['url.whitespace_or_control', 'url.malformed'],
  ],
  ['a NUL character', 'https://tenant.tld/\u0000', ['url.whitespace_or_control']],
  ['a DEL character', 'https://tenant.tld/\u007f', ['url.whitespace_or_control']],
  ['a next-line (NEL) character', 'https://tenant.tld/\u0085', ['url.whitespace_or_control']],
  ['a non-breaking space', 'https://tenant.tld/\u00a0', ['url.whitespace_or_control']],
  ['an ideographic space', 'https://tenant.tld/\u3000', ['url.whitespace_or_control']],
  ['a line separator', 'https://tenant.tld/\u2028', ['url.whitespace_or_control']],
  ['a zero-width space in the host', 'https://ten\u200bant.tld/', ['url.whitespace_or_control']],
  ['a soft hyphen in the host', 'https://ten\u00adant.tld/', ['url.whitespace_or_control']],
  ['a word joiner in the host', 'https://ten\u2060ant.tld/', ['url.whitespace_or_control']],
  ['a variation selector in the host', 'https://ten\ufe0fant.tld/', ['url.whitespace_or_control']],
  [
    'a combining grapheme joiner in the host',
    'https://ten\u034fant.tld/',
    ['url.whitespace_or_control'],
  ],
  [
    'a leading byte-order mark',
    '\ufeffhttps://tenant.tld/',
    ['url.whitespace_or_control', 'url.malformed'],
  ],
  ['a byte-order mark in the path', 'https://tenant.tld/\ufeff', ['url.whitespace_or_control']],
  ['a right-to-left override', 'https://tenant.tld/\u202ekooh', ['url.whitespace_or_control']],
  ['a Unicode tag character', 'https://tenant.tld/\u{e0001}', ['url.whitespace_or_control']],
  ['a lone surrogate in the path', 'https://tenant.tld/\ud800', ['url.malformed']],
  ['a lone surrogate in the host', 'https://ten\udc00ant.tld/', ['url.malformed']],
  ['backslashes instead of slashes', 'https:\\\\tenant.tld\\hook', ['url.malformed']],
  ['a backslash in the path', 'https://tenant.tld\\hook', ['url.malformed']],
  ['a backslash after the slashes', 'https://\\tenant.tld/', ['url.malformed']],
  ['a missing double slash', 'https:tenant.tld/hook', ['url.malformed']],
  ['a single slash', 'https:/tenant.tld/hook', ['url.malformed']],
  ['three slashes', 'https:///tenant.tld/hook', ['url.malformed']],
  ['four slashes', 'https:////tenant.tld/', ['url.malformed']],
  ['a scheme and nothing else', 'https://', ['url.malformed']],
  ['an empty string', '', ['url.malformed']],
  // Not a string at all
  ['a number', 42, ['url.not_a_string']],
  ['null', null, ['url.not_a_string']],
  ['undefined', undefined, ['url.not_a_string']],
  ['an object', { href: 'https://tenant.tld/' }, ['url.not_a_string']],
  ['a URL object', new URL('https://tenant.tld/'), ['url.not_a_string']],
  ['an array', ['https://tenant.tld/'], ['url.not_a_string']],
];

/** [delay, why]: accepted under the default (docs) policy. */
const delayValid: [string, string][] = [
  ['1s', 'the smallest delay (R5)'],
  ['2s', 'the registration example (R5)'],
  ['5s', "the spec's example (R5)"],
  ['10s', 'a two-digit delay (R5)'],
  ['29s', 'one below the largest delay (R5)'],
  ['30s', 'the largest delay (R5)'],
];

/** [delay, expected code, why]: rejected under the default (docs) policy. */
const delayInvalid: [unknown, string, string][] = [
  ['0s', 'delay.malformed', 'zero seconds (R5)'],
  ['00s', 'delay.malformed', 'a double zero (R5)'],
  ['01s', 'delay.malformed', 'a leading zero (R5)'],
  ['100s', 'delay.malformed', 'three digits (R5)'],
  ['1.5s', 'delay.malformed', 'a fraction (R5)'],
  ['-5s', 'delay.malformed', 'a negative number (R5)'],
  ['+5s', 'delay.malformed', 'a plus sign (R5)'],
  ['5', 'delay.malformed', 'a number without unit (R5)'],
  ['s', 'delay.malformed', 'a unit without number (R5)'],
  ['1h', 'delay.malformed', 'hours (R5)'],
  ['500ms', 'delay.malformed', 'milliseconds (R5)'],
  ['5S', 'delay.malformed', 'an upper-case unit (R5)'],
  ['5 s', 'delay.malformed', 'a space before the unit (R5)'],
  [' 5s', 'delay.malformed', 'a leading space (R5)'],
  ['5s\n', 'delay.malformed', 'a trailing newline (R5)'],
  ['５s', 'delay.malformed', 'a full-width digit (R5)'],
  ['PT5S', 'delay.malformed', 'an ISO 8601 duration (R5)'],
  ['', 'delay.malformed', 'an empty string (R5)'],
  ['31s', 'delay.above_maximum', 'one above the largest delay (R5)'],
  ['45s', 'delay.above_maximum', 'a delay the spec allows (R5)'],
  ['99s', 'delay.above_maximum', 'the largest delay the spec allows (R5)'],
  ['1m', 'delay.minutes_unit', 'one minute (R5)'],
  ['5m', 'delay.minutes_unit', 'five minutes (R5)'],
  ['99m', 'delay.minutes_unit', 'the largest minutes the spec allows (R5)'],
  [5, 'delay.not_a_string', 'a number'],
  [null, 'delay.not_a_string', 'null'],
  [undefined, 'delay.not_a_string', 'undefined'],
  [['5s'], 'delay.not_a_string', 'a list'],
  [{ seconds: 5 }, 'delay.not_a_string', 'an object'],
];

/** [why, title]: accepted. */
const titleValid: [string, string][] = [
  ['the documented title', 'User webhook'],
  ['the title of the prose', 'User Webhook'],
  ['an empty title (R9: an optional label)', ''],
  ['a white-space-only title (R9: an optional label)', '   '],
  ['one character', 'x'],
  ['100 characters', 'x'.repeat(100)],
  ['100 emoji, one code point and two UTF-16 units each', '🙂'.repeat(100)],
  ['100 accented letters', 'é'.repeat(100)],
  ['99 letters and an emoji', `${'x'.repeat(99)}🙂`],
  ['a title with a newline', 'User\nwebhook'],
];

/** [why, title, expected code]: rejected. */
const titleInvalid: [string, unknown, string][] = [
  ['101 characters (R9)', 'x'.repeat(101), 'title.too_long'],
  ['101 emoji (R9)', '🙂'.repeat(101), 'title.too_long'],
  ['50 flags of two code points each (R9)', '🇩🇪'.repeat(51), 'title.too_long'],
  [
    'letters with combining accents, counted per code point (R9)',
    'e\u0301'.repeat(51),
    'title.too_long',
  ],
  ['a 10 MB title (R9)', 'x'.repeat(10_000_000), 'title.too_long'],
  ['a number', 42, 'title.not_a_string'],
  ['null', null, 'title.not_a_string'],
  ['a list', ['User webhook'], 'title.not_a_string'],
];

/** [size, why]: accepted. */
const sizeValid: [number, string][] = [
  [100, 'the smallest size (R6)'],
  [101, 'one above the smallest size (R6)'],
  [1024, "the spec's retrieve example (R6)"],
  [10240, "the spec's example, 10 KiB (R6)"],
  [12400, "Upvest's proxy value (R6)"],
  [51200, 'the registration example (R6)'],
  [1048575, 'one below the largest size (R6)'],
  [1048576, 'the largest size, 1 MiB (R6)'],
  [1024.0, 'a whole number written with a fraction (R6)'],
];

/** [size, expected code, why]: rejected. */
const sizeInvalid: [unknown, string, string][] = [
  [99, 'max_package_size.below_minimum', 'one below the smallest size (R6)'],
  [0, 'max_package_size.below_minimum', 'zero (R6)'],
  [-0, 'max_package_size.below_minimum', 'negative zero (R6)'],
  [-1, 'max_package_size.below_minimum', 'a negative size (R6)'],
  [Number.MIN_SAFE_INTEGER, 'max_package_size.below_minimum', 'a huge negative size (R6)'],
  [1048577, 'max_package_size.above_maximum', 'one above the largest size (R6)'],
  [2 ** 53, 'max_package_size.above_maximum', 'an unsafe integer (R6)'],
  [1e21, 'max_package_size.above_maximum', 'a number in exponent form (R6)'],
  [1.5, 'max_package_size.not_an_integer', 'a fraction (R6)'],
  [100.0001, 'max_package_size.not_an_integer', 'a fraction just above the minimum (R6)'],
  [Number.NaN, 'max_package_size.not_an_integer', 'NaN'],
  [Number.POSITIVE_INFINITY, 'max_package_size.not_an_integer', 'infinity'],
  [Number.NEGATIVE_INFINITY, 'max_package_size.not_an_integer', 'minus infinity'],
  ['10240', 'max_package_size.not_an_integer', 'a numeric string'],
  [10240n, 'max_package_size.not_an_integer', 'a bigint'],
  [null, 'max_package_size.not_an_integer', 'null'],
  [true, 'max_package_size.not_an_integer', 'a boolean'],
  [[10240], 'max_package_size.not_an_integer', 'a list'],
];

/** [why, type]: accepted. */
const typeValid: [string, unknown[]][] = [
  ['ALL alone, the spec default (R7)', ['ALL']],
  ['one category, the registration example (R7)', ['USER']],
  ['several categories (R7)', ['USER', 'ORDER', 'FEE_COLLECTION']],
  ['every category but ALL (R7)', [...webhookCategories.slice(1)]],
  ['a category without documented events (R7)', ['CORPORATE_ACTION']],
];

/** [why, type, expected [code, path] pairs]: rejected. */
const typeInvalid: [string, unknown, [string, string][]][] = [
  ['an empty list (R7)', [], [['type.empty', '/type']]],
  ['an unknown category (R7)', ['USERS'], [['type.unknown_category', '/type/0']]],
  [
    'an event type instead of a category (R7)',
    ['USER.CREATED'],
    [['type.unknown_category', '/type/0']],
  ],
  ['a lower-case category (R7)', ['user'], [['type.unknown_category', '/type/0']]],
  ['a category with white space (R7)', [' USER'], [['type.unknown_category', '/type/0']]],
  ['an empty string (R7)', [''], [['type.unknown_category', '/type/0']]],
  ['a number in the list (R7)', [1], [['type.unknown_category', '/type/0']]],
  ['null in the list (R7)', [null], [['type.unknown_category', '/type/0']]],
  ['a nested list (R7)', [['USER']], [['type.unknown_category', '/type/0']]],
  [
    'a hole in a sparse list (R7)',
    sparse(2, { 1: 'USER' }),
    [['type.unknown_category', '/type/0']],
  ],
  [
    'an unknown category after known ones (R7)',
    ['USER', 'ORDER', 'SAVINGS_PLAN'],
    [['type.unknown_category', '/type/2']],
  ],
  ['a duplicate (R7)', ['USER', 'ORDER', 'USER'], [['type.duplicate_category', '/type/2']]],
  [
    'a category listed three times (R7)',
    ['USER', 'USER', 'USER'],
    [
      ['type.duplicate_category', '/type/1'],
      ['type.duplicate_category', '/type/2'],
    ],
  ],
  ['ALL with others (R7)', ['ALL', 'USER'], [['type.all_with_others', '/type']]],
  ['others before ALL (R7)', ['USER', 'ORDER', 'ALL'], [['type.all_with_others', '/type']]],
  [
    'ALL twice (R7)',
    ['ALL', 'ALL'],
    [
      ['type.duplicate_category', '/type/1'],
      ['type.all_with_others', '/type'],
    ],
  ],
  [
    'ALL with an unknown category (R7)',
    ['ALL', 'USERS'],
    [
      ['type.unknown_category', '/type/1'],
      ['type.all_with_others', '/type'],
    ],
  ],
  ['a string', 'USER', [['type.not_an_array', '/type']]],
  ['null', null, [['type.not_an_array', '/type']]],
  ['an object', { 0: 'USER', length: 1 }, [['type.not_an_array', '/type']]],
  ['a set', new Set(['USER']), [['type.not_an_array', '/type']]],
];

/**
 * Every row of the rule tables. Values a JSON body cannot carry (a bigint, `NaN`, a `Set`, a
 * sparse list) and the 10 MB title are for the validators only; {@link sendableRuleCases} are
 * the rest.
 *
 * @example
 * ```ts
 * const refused = ruleCases.filter((row) => row.field === 'url' && row.codes.length > 0);
 * ```
 */
export const ruleCases: readonly RuleCase[] = [
  ...urlValid.map(([name, value]) => ({ field: 'url' as const, name, value, codes: [] })),
  ...urlInvalid.map(([name, value, codes]) => ({ field: 'url' as const, name, value, codes })),
  ...delayValid.map(([value, name]) => ({
    field: 'config.delay' as const,
    name,
    value,
    codes: [],
  })),
  ...delayInvalid.map(([value, code, name]) => ({
    field: 'config.delay' as const,
    name,
    value,
    codes: [code],
  })),
  ...titleValid.map(([name, value]) => ({ field: 'title' as const, name, value, codes: [] })),
  ...titleInvalid.map(([name, value, code]) => ({
    field: 'title' as const,
    name,
    value,
    codes: [code],
  })),
  ...sizeValid.map(([value, name]) => ({
    field: 'config.max_package_size' as const,
    name,
    value,
    codes: [],
  })),
  ...sizeInvalid.map(([value, code, name]) => ({
    field: 'config.max_package_size' as const,
    name,
    value,
    codes: [code],
  })),
  ...typeValid.map(([name, value]) => ({ field: 'type' as const, name, value, codes: [] })),
  ...typeInvalid.map(([name, value, issues]) => ({
    field: 'type' as const,
    name,
    value,
    codes: issues.map(([code]) => code),
    paths: issues.map(([, path]) => path),
  })),
];

/** Larger bodies are the transport's to refuse (413), not a rule's. */
const LARGEST_SENT = 64 * 1024;

/**
 * The rows a JSON body carries unchanged: what the conformance suite sends to the server.
 *
 * @example
 * ```ts
 * for (const row of sendableRuleCases()) console.log(row.field, row.name);
 * ```
 */
export function sendableRuleCases(): RuleCase[] {
  return ruleCases.filter((row) => {
    try {
      const text = JSON.stringify({ value: row.value });
      if (text.length > LARGEST_SENT) return false;
      return isDeepEqualJson((JSON.parse(text) as { value: unknown }).value, row.value);
    } catch {
      return false; // a bigint, which JSON cannot write
    }
  });
}

/** Whether a JSON round trip kept a value exactly (no hole, no NaN, no -0, no bigint). */
function isDeepEqualJson(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || b instanceof Set || b instanceof Map) return false;
  const keys = Object.keys(b);
  if (Array.isArray(b) && keys.length !== b.length) return false;
  return (
    keys.length === Object.keys(a).length &&
    keys.every((key) =>
      isDeepEqualJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    )
  );
}
