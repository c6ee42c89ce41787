import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isIpHost, validateWebhookUrl } from './url.js';

const codes = (url: unknown) => checkWebhookUrl(url, '/url').map((issue) => issue.code);

/** [name, url]: every row must pass. */
const valid: [string, string][] = [
  ['the documented example', 'https://tenant.tld/webhooks/users'],
  ['a bare host', 'https://tenant.tld'],
  ['a host with a trailing slash', 'https://tenant.tld/'],
  ['a deep subdomain', 'https://hooks.eu-central.prod.tenant.tld/upvest'],
  ['a query string', 'https://tenant.tld/hook?source=upvest&v=1'],
  ['an explicit port 443', 'https://tenant.tld:443/hook'],
  ['an explicit high port', 'https://tenant.tld:8443/hook'],
  ['upper-case scheme and host', 'HTTPS://TENANT.TLD/hook'],
  ['a hyphenated label', 'https://my-tenant.tld/hook'],
  ['a label of digits', 'https://123.tenant.tld/hook'],
  ['a host that starts like an IP but is a name', 'https://1.2.3.tenant.tld/hook'],
  ['an internationalised host', 'https://bücher.de/hook'],
  ['a punycode host', 'https://xn--bcher-kva.de/hook'],
  ['a 63-character label', `https://${'a'.repeat(63)}.tld/`],
  ['percent-encoding in the path', 'https://tenant.tld/hooks/%E2%9C%93'],
  [
    'a long path of 1000 characters',
    `https://tenant.tld/${'p'.repeat(1000 - 'https://tenant.tld/'.length)}`,
  ],
  ['a host ending in a hex-like but non-numeric label', 'https://tenant.cafe/hook'],
  ['an .example host', 'https://hooks.tenant.example/'],
];

/** [name, url, expected codes]: every row must fail with exactly these codes. */
const invalid: [string, unknown, string[]][] = [
  // R1: scheme
  ['plain http (R1)', 'http://tenant.tld/hook', ['url.scheme_not_https']],
  ['ftp (R1)', 'ftp://tenant.tld/hook', ['url.scheme_not_https']],
  ['ws (R1)', 'ws://tenant.tld/hook', ['url.scheme_not_https']],
  ['wss (R1)', 'wss://tenant.tld/hook', ['url.scheme_not_https']],
  ['a scheme-relative URL (R1)', '//tenant.tld/hook', ['url.malformed']],
  ['no scheme at all (R1)', 'tenant.tld/hook', ['url.malformed']],
  ['a javascript: URL (R1)', 'javascript:alert(1)', ['url.malformed', 'url.scheme_not_https']],
  ['a data: URL (R1)', 'data:text/plain,hi', ['url.malformed', 'url.scheme_not_https']],
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
  ['an IPv4 host as one octal number (R2)', 'https://017700000001/', ['url.ip_host']],
  ['an IPv4 host written in hex per part (R2)', 'https://0xC0.0xA8.0.1/hook', ['url.ip_host']],
  ['an IPv4 host as one hex number (R2)', 'https://0xc0a80001/hook', ['url.ip_host']],
  ['loopback as one hex number (R2)', 'https://0x7f000001/', ['url.ip_host']],
  ['a bare 0x (R2)', 'https://0x/', ['url.ip_host']],
  ['mixed octal, hex and decimal parts (R2)', 'https://0x7f.0.00.1/', ['url.ip_host']],
  ['a shortened IPv4 with two parts (R2)', 'https://127.1/hook', ['url.ip_host']],
  ['a shortened IPv4 with three parts (R2)', 'https://10.1.1/hook', ['url.ip_host']],
  ['a shortened hex IPv4 (R2)', 'https://0x7f.1/', ['url.ip_host']],
  ['a leading-zero part (R2)', 'https://1.2.3.04/', ['url.ip_host']],
  ['an IPv4 host with a trailing dot (R2)', 'https://1.2.3.4./hook', ['url.ip_host']],
  ['a percent-encoded IPv4 host (R2)', 'https://%31%32%37.0.0.1/hook', ['url.ip_host']],
  [
    'an IPv4 host with a percent-encoded trailing dot (R2)',
    'https://127.0.0.1%2e/',
    ['url.ip_host'],
  ],
  ['an IPv4 host in full-width digits (R2)', 'https://１２７.０.０.１/hook', ['url.ip_host']],
  ['an IPv4 host in circled digits (R2)', 'https://①②⑦.0.0.1/', ['url.ip_host']],
  ['an IPv4 host with a port (R2)', 'https://127.0.0.1:8443/hook', ['url.ip_host']],
  ['an IPv4 host with user info (R2)', 'https://user@10.0.0.1/', ['url.userinfo', 'url.ip_host']],
  // R2: IPv6
  ['an IPv6 host (R2)', 'https://[2001:db8::1]/hook', ['url.ip_host']],
  ['the IPv6 loopback (R2)', 'https://[::1]/hook', ['url.ip_host']],
  ['the IPv6 loopback written in full (R2)', 'https://[0:0:0:0:0:0:0:1]/', ['url.ip_host']],
  ['the unspecified IPv6 address (R2)', 'https://[::]/', ['url.ip_host']],
  [
    'an IPv4-mapped IPv6 host in dotted form (R2)',
    'https://[::ffff:127.0.0.1]/hook',
    ['url.ip_host'],
  ],
  ['an IPv4-mapped IPv6 host in hex form (R2)', 'https://[::ffff:7f00:1]/hook', ['url.ip_host']],
  ['an IPv4-compatible IPv6 host (R2)', 'https://[::1.2.3.4]/', ['url.ip_host']],
  ['a link-local IPv6 host (R2)', 'https://[fe80::1]/', ['url.ip_host']],
  ['an IPv6 host with a port (R2)', 'https://[2001:db8::1]:8443/hook', ['url.ip_host']],
  ['an upper-case IPv6 host (R2)', 'https://[2001:DB8::A]/', ['url.ip_host']],
  ['an IPv6 host without brackets', 'https://2001:db8::1/hook', ['url.malformed']],
  ['an IPv6 zone id', 'https://[fe80::1%25eth0]/', ['url.malformed']],
  // R2: names that are not public DNS names
  ['localhost (R2)', 'https://localhost/hook', ['url.single_label_host']],
  ['localhost with a port (R2)', 'https://localhost:8443/', ['url.single_label_host']],
  ['an intranet single label (R2)', 'https://intranet/hook', ['url.single_label_host']],
  ['a .localhost name (R2)', 'https://app.localhost/hook', ['url.reserved_host']],
  ['a .local mDNS name (R2)', 'https://printer.local/hook', ['url.reserved_host']],
  ['an .internal name (R2)', 'https://hooks.corp.internal/', ['url.reserved_host']],
  ['an .invalid name (R2)', 'https://hooks.invalid/', ['url.reserved_host']],
  ['a host with a trailing dot (R2)', 'https://tenant.tld./hook', ['url.invalid_host']],
  ['an empty label (R2)', 'https://tenant..tld/hook', ['url.invalid_host']],
  ['a label starting with a hyphen (R2)', 'https://-tenant.tld/', ['url.invalid_host']],
  ['a label ending with a hyphen (R2)', 'https://tenant-.tld/', ['url.invalid_host']],
  ['an underscore in a label (R2)', 'https://a_b.tenant.tld/', ['url.invalid_host']],
  ['a 64-character label (R2)', `https://${'a'.repeat(64)}.tld/`, ['url.invalid_host']],
  [
    'a host longer than 253 characters (R2)',
    `https://${`${'a'.repeat(60)}.`.repeat(5)}tld/`,
    ['url.invalid_host'],
  ],
  ['an IP-like host with extra dots (R2)', 'https://127.0.0.1.../', ['url.invalid_host']],
  ['a percent-encoded dot-dot host (R2)', 'https://%2e%2e/', ['url.invalid_host']],
  ['an asterisk in the host (R2)', 'https://*.tenant.tld/', ['url.invalid_host']],
  // Other URL rules
  ['user info (R1)', 'https://user:secret@tenant.tld/hook', ['url.userinfo']],
  ['a user name only', 'https://user@tenant.tld/hook', ['url.userinfo']],
  ['an empty user info', 'https://:@tenant.tld/hook', ['url.userinfo']],
  ['a bare @ before the host', 'https://@tenant.tld/hook', ['url.userinfo']],
  ['a fragment', 'https://tenant.tld/hook#events', ['url.fragment']],
  ['an empty fragment', 'https://tenant.tld/hook#', ['url.fragment']],
  [
    'a URL of 1001 characters',
    `https://tenant.tld/${'p'.repeat(1001 - 'https://tenant.tld/'.length)}`,
    ['url.too_long'],
  ],
  ['a newline inside the URL', 'https://tenant.tld/ho\nok', ['url.whitespace_or_control']],
  ['a tab inside the host', 'https://ten\tant.tld/', ['url.whitespace_or_control']],
  ['a leading space', ' https://tenant.tld/', ['url.whitespace_or_control', 'url.malformed']],
  ['a trailing space', 'https://tenant.tld/ ', ['url.whitespace_or_control']],
  ['a NUL character', 'https://tenant.tld/\u0000', ['url.whitespace_or_control']],
  ['a non-breaking space', 'https://tenant.tld/\u00a0', ['url.whitespace_or_control']],
  ['a zero-width space in the host', 'https://ten\u200bant.tld/', ['url.whitespace_or_control']],
  ['backslashes instead of slashes', 'https:\\\\tenant.tld\\hook', ['url.malformed']],
  ['a backslash in the path', 'https://tenant.tld\\hook', ['url.malformed']],
  ['a missing double slash', 'https:tenant.tld/hook', ['url.malformed']],
  ['a single slash', 'https:/tenant.tld/hook', ['url.malformed']],
  ['an empty string', '', ['url.malformed']],
  ['a port out of range', 'https://tenant.tld:65536/', ['url.malformed']],
  ['a numeric top-level label', 'https://tenant.123/', ['url.malformed']],
  ['five IPv4 parts', 'https://1.2.3.4.5/', ['url.malformed']],
  ['an IPv4 integer above 2^32-1', 'https://4294967296/', ['url.malformed']],
  // Not a string at all
  ['a number', 42, ['url.not_a_string']],
  ['null', null, ['url.not_a_string']],
  ['an object', { href: 'https://tenant.tld/' }, ['url.not_a_string']],
  ['an array', ['https://tenant.tld/'], ['url.not_a_string']],
];

describe('checkWebhookUrl', () => {
  it('should have a table of at least 80 cases', () => {
    expect(valid.length + invalid.length).toBeGreaterThanOrEqual(80);
  });

  it.each(valid)('should accept %s', (_name, url) => {
    expect(codes(url)).toEqual([]);
  });

  it.each(invalid)('should reject %s', (_name, url, expected) => {
    expect(codes(url).sort()).toEqual([...expected].sort());
  });

  it('should point every issue at the path it was given', () => {
    for (const issue of checkWebhookUrl('http://10.0.0.1/#x', '/url'))
      expect(issue.path).toBe('/url');
  });

  it('should not echo a 10 MB URL back in its message', () => {
    const [issue] = checkWebhookUrl(`https://tenant.tld/${'x'.repeat(10_000_000)}`, '/url');
    expect(issue?.code).toBe('url.too_long');
    expect(issue?.message.length).toBeLessThan(200);
  });
});

describe('validateWebhookUrl', () => {
  it('should return the URL unchanged when it is valid', () => {
    expect(validateWebhookUrl('https://tenant.tld/webhooks/users')).toEqual({
      ok: true,
      value: 'https://tenant.tld/webhooks/users',
    });
  });

  it('should return every issue with an empty path when it is not', () => {
    const result = validateWebhookUrl('http://user@[::1]/#x');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.code).sort()).toEqual(
      ['url.fragment', 'url.ip_host', 'url.scheme_not_https', 'url.userinfo'].sort(),
    );
    expect(result.issues.every((issue) => issue.path === '')).toBe(true);
  });
});

describe('URL rule properties', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const ipv4 = fc.tuple(octet, octet, octet, octet);
  const spellings: [string, (p: number[]) => string][] = [
    ['dotted decimal', (p) => p.join('.')],
    ['one decimal integer', (p) => String(p.reduce((n, x) => n * 256 + x, 0))],
    ['one hex integer', (p) => `0x${p.reduce((n, x) => n * 256 + x, 0).toString(16)}`],
    ['dotted octal', (p) => p.map((x) => `0${x.toString(8)}`).join('.')],
    ['dotted hex', (p) => p.map((x) => `0x${x.toString(16)}`).join('.')],
    ['three parts', (p) => `${p[0]}.${p[1]}.${(p[2] ?? 0) * 256 + (p[3] ?? 0)}`],
    ['with a trailing dot', (p) => `${p.join('.')}.`],
    ['IPv4-mapped IPv6', (p) => `[::ffff:${p.join('.')}]`],
  ];

  it.each(spellings)('should reject any IPv4 address written as %s (R2)', (_name, spell) => {
    fc.assert(
      fc.property(ipv4, (parts) => {
        expect(codes(`https://${spell(parts)}/hook`)).toContain('url.ip_host');
      }),
    );
  });

  it('should accept generated DNS names under https', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
    const tld = fc.constantFrom('com', 'de', 'tld', 'io', 'example');
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), tld, (labels, top) => {
        expect(codes(`https://${[...labels, top].join('.')}/webhooks`)).toEqual([]);
      }),
    );
  });

  it('should never throw and always give valid paths, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl(), fc.anything(), fc.string({ unit: 'grapheme' })),
        (value) => {
          const issues = checkWebhookUrl(value, '/url');
          for (const issue of issues) expect(issue.path).toBe('/url');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('should reject every http URL fast-check can generate (R1)', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http'] }), (url) => {
        expect(codes(url)).toContain('url.scheme_not_https');
      }),
    );
  });
});

describe('isIpHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['[::1]', true],
    ['tenant.tld', false],
    ['1.2.3.tenant.tld', false],
  ])('should say %s is an IP host: %s', (host, expected) => {
    expect(isIpHost(host)).toBe(expected);
  });
});
