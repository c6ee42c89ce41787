import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleCodes } from './codes.js';
import {
  checkUrlInFull,
  checkWebhookUrl,
  isPlainWebhookUrl,
  MAX_URL_LENGTH,
  reservedHostSuffixes,
  validateWebhookUrl,
} from './url.js';
import { ruleCases, type RuleCase } from '../testing/rule-cases.js';

/** The rows of the shared rule table for one field: accepted or refused. */
const rows = (field: RuleCase['field'], accepted: boolean) =>
  ruleCases.filter((row) => row.field === field && (row.codes.length === 0) === accepted);

const codes = (url: unknown) => checkWebhookUrl(url, '/url').map((issue) => issue.code);

/** [name, url]: every row must pass. */
const valid = rows('url', true).map((row): [string, string] => [row.name, row.value as string]);

/** [name, url, expected codes]: every row must fail with exactly these codes. */
const invalid = rows('url', false).map((row): [string, unknown, string[]] => [
  row.name,
  row.value,
  [...row.codes],
]);

describe('checkWebhookUrl', () => {
  it('should have a table of at least 80 cases', () => {
    expect(valid.length + invalid.length).toBeGreaterThanOrEqual(80);
  });

  it('should produce every url.* code of the catalogue in some table row', () => {
    const produced = new Set(invalid.flatMap(([, , expected]) => expected));
    const catalogued = Object.keys(ruleCodes).filter((code) => code.startsWith('url.'));
    expect(catalogued.filter((code) => !produced.has(code))).toEqual([]);
  });

  it.each(valid)('should accept %s', (_name, url) => {
    expect(codes(url)).toEqual([]);
  });

  it.each(invalid)('should reject %s', (_name, url, expected) => {
    expect(codes(url).sort()).toEqual([...expected].sort());
  });

  it('should point every issue at the path it was given', () => {
    const issues = checkWebhookUrl('http://user@10.0.0.1:0/#x', '/hooks/0/url');
    expect(issues.length).toBeGreaterThan(1);
    for (const issue of issues) expect(issue.path).toBe('/hooks/0/url');
  });

  it('should not echo a 10 MB URL back in its message', () => {
    const [issue] = checkWebhookUrl(`https://tenant.tld/${'x'.repeat(10_000_000)}`, '/url');
    expect(issue?.code).toBe('url.too_long');
    expect(issue?.message.length).toBeLessThan(200);
  });

  it.each([
    'https://user:s3cr3t-pa55@tenant.tld/hook',
    'https:\\\\user:s3cr3t-pa55@tenant.tld',
    'https:user:s3cr3t-pa55@tenant.tld/hook',
    'http://user:s3cr3t-pa55@10.0.0.1:0/#x',
  ])('should never put the password of %s into a message', (url) => {
    const issues = checkWebhookUrl(url, '/url');
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue.message).not.toContain('s3cr3t');
  });
});

/** [name, url, [code, message] of every issue]: what a caller reads, word for word. */
const explained: [string, unknown, [string, string][]][] = [
  ['a number', 42, [['url.not_a_string', 'the URL must be a string, got number']]],
  [
    'a URL of 1010 characters',
    `https://tenant.tld/${'p'.repeat(991)}`,
    [['url.too_long', `the URL must be at most ${MAX_URL_LENGTH} characters`]],
  ],
  [
    'a lone space',
    ' ',
    [
      [
        'url.whitespace_or_control',
        'the URL contains white space, control or invisible characters, which URL parsers drop silently; remove them',
      ],
      ['url.malformed', '" " is not an absolute URL'],
    ],
  ],
  [
    'a lone surrogate',
    'https://ten\udc00ant.tld/',
    [
      [
        'url.malformed',
        'the URL contains a lone UTF-16 surrogate, which is not text; it would be replaced on the way',
      ],
    ],
  ],
  [
    'a relative URL',
    'tenant.tld/hook',
    [['url.malformed', '"tenant.tld/hook" is not an absolute URL']],
  ],
  [
    'a URL without slashes',
    'https:tenant.tld/hook',
    [
      [
        'url.malformed',
        '"https:tenant.tld/hook" must be written as https://host/path, with forward slashes',
      ],
    ],
  ],
  [
    'an http URL without slashes',
    'http:tenant.tld',
    [
      [
        'url.malformed',
        '"http:tenant.tld" must be written as https://host/path, with forward slashes',
      ],
      ['url.scheme_not_https', 'the scheme must be https, got "http" (R1)'],
    ],
  ],
  [
    'a URL without slashes and with a password, not shown',
    'https:user:pw@tenant.tld/hook',
    [['url.malformed', 'the URL must be written as https://host/path, with forward slashes']],
  ],
  [
    'Punycode of ASCII only, which Node parses',
    'https://xn--abc-.tld/',
    [['url.malformed', '"https://xn--abc-.tld/" has a host label that is not valid Punycode']],
  ],
  [
    'an ftp URL',
    'ftp://tenant.tld/',
    [['url.scheme_not_https', 'the scheme must be https, got "ftp" (R1)']],
  ],
  [
    'a user name with a stray %, which is user info and nothing else',
    'https://u%@a.bc/',
    [
      [
        'url.userinfo',
        'the URL must not carry a user name or password; authenticate deliveries by their signature',
      ],
    ],
  ],
  ['port 0', 'https://tenant.tld:0/', [['url.malformed', 'the port must be 1 to 65535, got 0']]],
  [
    'an empty fragment',
    'https://tenant.tld/#',
    [['url.fragment', 'the URL must not have a #fragment: HTTP never sends it']],
  ],
  [
    'a shortened IPv4 host, shown normalised',
    'https://127.1/',
    [['url.ip_host', 'the host must be a DNS name, not the IP address "127.0.0.1" (R2)']],
  ],
  [
    'a trailing dot',
    'https://tenant.tld./',
    [['url.invalid_host', 'the host "tenant.tld." ends with a dot; write it without (R2)']],
  ],
  [
    'a single label',
    'https://localhost/',
    [
      [
        'url.single_label_host',
        'the host "localhost" is a single label; Upvest delivers over the public internet, so use a fully qualified DNS name (R2)',
      ],
    ],
  ],
  [
    'a name under .local, not .localhost',
    'https://hooks.local/',
    [
      [
        'url.reserved_host',
        'the host "hooks.local" is under .local, which never resolves on the public internet (R2)',
      ],
    ],
  ],
  [
    'the reserved name home.arpa itself',
    'https://home.arpa/',
    [
      [
        'url.reserved_host',
        'the host "home.arpa" is under .home.arpa, which never resolves on the public internet (R2)',
      ],
    ],
  ],
  [
    'an underscore in a label',
    'https://a_b.tenant.tld/',
    [
      [
        'url.invalid_host',
        'the host "a_b.tenant.tld" is not a well-formed DNS name: labels of 1–63 letters, digits and inner hyphens, at most 253 characters, under a top-level label of two or more letters (or xn--…) (R2)',
      ],
    ],
  ],
  [
    'a percent-encoded host, shown decoded',
    'https://tenant%2Etld/',
    [['url.malformed', 'the host must be written plainly, not percent-encoded: "tenant.tld"']],
  ],
  [
    'a stray % in the path',
    'https://tenant.tld/100%',
    [
      [
        'url.malformed',
        'every % in the path or query must start a percent-encoded byte such as %2F; write a literal % as %25',
      ],
    ],
  ],
];

describe('checkWebhookUrl messages', () => {
  it('should explain every url.* code of the catalogue in some row', () => {
    const explainedCodes = new Set(
      explained.flatMap(([, , issues]) => issues.map(([code]) => code)),
    );
    const catalogued = Object.keys(ruleCodes).filter((code) => code.startsWith('url.'));
    expect(catalogued.filter((code) => !explainedCodes.has(code))).toEqual([]);
  });

  it.each(explained)('should explain %s in these words', (_name, url, expected) => {
    expect(checkWebhookUrl(url, '/url').map((issue) => [issue.code, issue.message])).toEqual(
      expected,
    );
  });
});

describe('validateWebhookUrl', () => {
  it('should return the URL unchanged when it is valid', () => {
    expect(validateWebhookUrl('https://tenant.tld/webhooks/users')).toEqual({
      ok: true,
      value: 'https://tenant.tld/webhooks/users',
    });
  });

  it('should return the URL as written, not normalised', () => {
    expect(validateWebhookUrl('HTTPS://Tenant.TLD:443/hook')).toEqual({
      ok: true,
      value: 'HTTPS://Tenant.TLD:443/hook',
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

  it('should not throw when a JavaScript caller passes a non-string', () => {
    const result = validateWebhookUrl(42 as unknown as string);
    expect(result).toMatchObject({ ok: false, issues: [{ code: 'url.not_a_string', path: '' }] });
  });
});

/**
 * A model of `inet_aton`, the reader a URL library that does not follow WHATWG might use: one to
 * four parts, each decimal, octal (`0`-prefixed) or hex (`0x`), the last filling the remaining
 * bytes, at most one trailing dot, the text read as written. The rule judges only the host
 * WHATWG normalised; the property test below shows the two readers agree, so that is enough.
 */
function isIpv4Spelling(text: string): boolean {
  if (!/^[0-9a-fx.]+$/i.test(text)) return false;
  const parts = text.toLowerCase().split('.');
  if (parts.at(-1) === '') parts.pop();
  if (
    parts.length > 4 ||
    !parts.every((part) => /^(?:0x[0-9a-f]*|0[0-7]*|[1-9][0-9]*)$/.test(part))
  ) {
    return false;
  }
  const values = parts.map((part) => {
    if (part.startsWith('0x')) return part === '0x' ? 0 : Number(part);
    return part.startsWith('0') ? Number.parseInt(part, 8) : Number(part);
  });
  const last = values.pop() ?? Number.NaN;
  return values.every((value) => value <= 255) && last < 256 ** (4 - values.length);
}

describe('isIpv4Spelling, the inet_aton model of the tests', () => {
  it.each([
    ['1.2.3.4', true],
    ['255.255.255.255', true],
    ['0', true],
    ['0x', true],
    ['4294967295', true],
    ['4294967296', false],
    ['0xffffffff', true],
    ['0x100000000', false],
    ['037777777777', true],
    ['040000000000', false],
    ['1.16777215', true],
    ['1.16777216', false],
    ['1.2.65535', true],
    ['1.2.65536', false],
    ['0X7F.1', true],
    ['1.2.3.4.', true],
    ['1.2.3.4.5', false],
    ['256.0.0.1', false],
    ['1.2.3.08', false],
    ['1..2', false],
    ['.1.2.3', false],
    ['1.2.3.4..', false],
    ['1e3', false],
    ['-1', false],
    ['', false],
  ])('should read %j as an IPv4 spelling: %s', (text, expected) => {
    expect(isIpv4Spelling(text)).toBe(expected);
  });
});

describe('reservedHostSuffixes', () => {
  it.each(reservedHostSuffixes)('should reject a host under .%s (R2)', (suffix) => {
    expect(codes(`https://hooks.${suffix}/`)).toEqual(['url.reserved_host']);
  });
});

describe('URL rule properties', () => {
  const octet = fc.integer({ min: 0, max: 255 });
  const ipv4 = fc.tuple(octet, octet, octet, octet);
  const asInteger = (p: number[]) => p.reduce((n, x) => n * 256 + x, 0);
  const fullWidth = (text: string) =>
    text.replace(/[0-9]/g, (digit) => String.fromCodePoint(0xff10 + Number(digit)));
  const percentEncoded = (text: string) =>
    [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
  /** One part in a radix chosen by `radix` (0 decimal, 1 octal, 2 hex). */
  const inRadix = (x: number, radix: number) =>
    radix === 0 ? String(x) : radix === 1 ? `0${x.toString(8)}` : `0x${x.toString(16)}`;

  const spellings: [string, (p: number[]) => string][] = [
    ['dotted decimal', (p) => p.join('.')],
    ['one decimal integer', (p) => String(asInteger(p))],
    ['one hex integer', (p) => `0x${asInteger(p).toString(16)}`],
    ['one upper-case hex integer', (p) => `0X${asInteger(p).toString(16).toUpperCase()}`],
    ['one octal integer', (p) => `0${asInteger(p).toString(8)}`],
    ['dotted octal', (p) => p.map((x) => `0${x.toString(8)}`).join('.')],
    ['dotted hex', (p) => p.map((x) => `0x${x.toString(16)}`).join('.')],
    ['two parts', (p) => `${p[0]}.${asInteger(p.slice(1))}`],
    ['three parts', (p) => `${p[0]}.${p[1]}.${(p[2] ?? 0) * 256 + (p[3] ?? 0)}`],
    ['with a trailing dot', (p) => `${p.join('.')}.`],
    ['percent-encoded', (p) => percentEncoded(p.join('.'))],
    ['in full-width digits', (p) => fullWidth(p.join('.'))],
    ['with ideographic full stops', (p) => p.join('\u3002')],
    ['IPv4-mapped IPv6', (p) => `[::ffff:${p.join('.')}]`],
    [
      'IPv4-mapped IPv6 in hex',
      (p) =>
        `[::ffff:${(asInteger(p) >>> 16).toString(16)}:${(asInteger(p) & 0xffff).toString(16)}]`,
    ],
  ];

  it.each(spellings)('should reject any IPv4 address written as %s (R2)', (_name, spell) => {
    fc.assert(
      fc.property(ipv4, fc.option(fc.integer({ min: 1, max: 65535 })), (parts, port) => {
        const host = spell(parts);
        expect(codes(`https://${host}${port === null ? '' : `:${port}`}/hook`)).toEqual([
          'url.ip_host',
        ]);
      }),
    );
  });

  it('should reject any IPv4 address with each part in its own radix (R2)', () => {
    const radix = fc.integer({ min: 0, max: 2 });
    fc.assert(
      fc.property(ipv4, fc.tuple(radix, radix, radix, radix), (parts, radices) => {
        const host = parts.map((x, i) => inRadix(x, radices[i] ?? 0)).join('.');
        expect(codes(`https://${host}/`)).toEqual(['url.ip_host']);
      }),
    );
  });

  it('should reject every IPv4 spelling fast-check knows (R2)', () => {
    fc.assert(
      fc.property(fc.ipV4Extended(), (host) => {
        expect(codes(`https://${host}/`)).toEqual(['url.ip_host']);
      }),
    );
  });

  it('should reject every IPv6 address in brackets (R2)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (host) => {
        expect(codes(`https://[${host}]/`)).toEqual(['url.ip_host']);
      }),
    );
  });

  it('should refuse every host a raw-text reader (inet_aton) takes for IPv4, and only those (R2)', () => {
    const text = fc.string({ unit: fc.constantFrom(...'0123456789abcdefxX.'), maxLength: 24 });
    fc.assert(
      fc.property(text, (host) => {
        const found = codes(`https://${host}/`);
        expect(found.includes('url.ip_host')).toBe(isIpv4Spelling(host));
      }),
      { numRuns: 2000 },
    );
  });

  const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
  const topLabel = fc.stringMatching(/^[a-z]{2,12}$/);
  const publicName = fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), topLabel)
    .map(([labels, top]) => [...labels, top].join('.'))
    .filter((name) => !reservedHostSuffixes.some((s) => name === s || name.endsWith(`.${s}`)));

  it('should accept generated DNS names under https, with any port, path and query', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
    fc.assert(
      fc.property(
        publicName,
        fc.option(fc.integer({ min: 1, max: 65535 })),
        fc.array(segment, { maxLength: 4 }),
        fc.option(segment),
        fc.boolean(),
        (host, port, segments, query, upper) => {
          const url = `https://${upper ? host.toUpperCase() : host}${port === null ? '' : `:${port}`}/${segments.join('/')}${query === null ? '' : `?q=${query}`}`;
          expect(codes(url)).toEqual([]);
        },
      ),
    );
  });

  it('should refuse a white space, control or invisible character anywhere', () => {
    const hidden = fc.constantFrom(
      '\t',
      '\n',
      '\r',
      ' ',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u0085',
      '\u00a0',
      '\u00ad',
      '\u200b',
      '\u200d',
      '\u2028',
      '\u2060',
      '\u202e',
      '\u3000',
      '\ufe0f',
      '\ufeff',
    );
    fc.assert(
      fc.property(publicName, hidden, fc.nat(), (host, char, at) => {
        const url = `https://${host}/webhooks`;
        const index = 'https://'.length + (at % (url.length - 'https://'.length));
        const spoiled = `${url.slice(0, index)}${char}${url.slice(index)}`;
        expect(codes(spoiled)).toContain('url.whitespace_or_control');
      }),
    );
  });

  it('should reject every http URL fast-check can generate (R1)', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http'] }), (url) => {
        expect(codes(url)).toContain('url.scheme_not_https');
      }),
    );
  });

  it('should never throw and always give the path it was given, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'grapheme' }),
          fc.webUrl({ withFragments: true, withQueryParameters: true }),
          fc.anything({ withNullPrototype: true, withBigInt: true, withSparseArray: true }),
        ),
        (value) => {
          for (const issue of checkWebhookUrl(value, '/url')) {
            expect(issue.path).toBe('/url');
            expect(issue.message.length).toBeLessThan(400);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('isPlainWebhookUrl, the shortcut for the usual shape', () => {
  const full = (url: string) => checkUrlInFull(url, '/url').map((issue) => issue.code);

  /** [name, url, what the full checks say]: each a URL only one part of the shape keeps out. */
  const fallsThrough: [string, string, string[]][] = [
    ['an upper-case host', 'https://Tenant.tld/', []],
    ['an upper-case scheme', 'HTTPS://tenant.tld/', []],
    ['a port with a leading zero', 'https://tenant.tld:0443/', []],
    ['a top-level label with a digit', 'https://tenant.b1/', ['url.invalid_host']],
    ['a single-letter top-level label', 'https://tenant.b/', ['url.invalid_host']],
    ['an internationalised top-level label', 'https://tenant.xn--p1ai/', []],
    ['a single label', 'https://tenant/', ['url.single_label_host']],
    ['a numeric top-level label', 'https://a.123/', ['url.malformed']],
    ['a hex top-level label', 'https://a.0x1/', ['url.malformed']],
    ['an IPv4 address', 'https://10.0.0.1/', ['url.ip_host']],
    ['a trailing dot', 'https://tenant.tld./', ['url.invalid_host']],
    ['a label of 64 characters', `https://${'a'.repeat(64)}.tld/`, ['url.invalid_host']],
    ['a label ending in a hyphen', 'https://tenant-.tld/', ['url.invalid_host']],
    ['a label starting with a hyphen', 'https://-tenant.tld/', ['url.invalid_host']],
    ['a host of 254 characters', `https://${'a.'.repeat(125)}tldx/`, ['url.invalid_host']],
    ['a Punycode label', 'https://xn--a.tld/', ['url.malformed']],
    ['a valid Punycode label', 'https://xn--mnchen-3ya.tld/', []],
    ['a name under .local', 'https://printer.local/', ['url.reserved_host']],
    ['home.arpa itself', 'https://home.arpa/', ['url.reserved_host']],
    ['a name under home.arpa', 'https://nas.home.arpa/', ['url.reserved_host']],
    ['a name under .alt', 'https://a.alt/', ['url.reserved_host']],
    ['port 0', 'https://tenant.tld:0/', ['url.malformed']],
    ['port 65536', 'https://tenant.tld:65536/', ['url.malformed']],
    ['an empty port', 'https://tenant.tld:/', []],
    ['user info', 'https://user@tenant.tld/', ['url.userinfo']],
    ['a fragment', 'https://tenant.tld/#x', ['url.fragment']],
    ['a backslash in the path', 'https://tenant.tld/a\\b', ['url.malformed']],
    ['a stray percent sign', 'https://tenant.tld/?q=%zz', ['url.malformed']],
    ['a space', 'https://tenant.tld/a b', ['url.whitespace_or_control']],
    ['a non-ASCII path', 'https://tenant.tld/caf\u00e9', []],
    ['an http scheme', 'http://tenant.tld/', ['url.scheme_not_https']],
    [
      'one character too long',
      `https://tenant.tld/${'a'.repeat(MAX_URL_LENGTH - 18)}`,
      ['url.too_long'],
    ],
  ];

  it.each(fallsThrough)('should leave %s to the full checks', (_name, url, expected) => {
    expect(isPlainWebhookUrl(url)).toBe(false);
    expect(full(url)).toEqual(expected);
    expect(codes(url)).toEqual(expected);
  });

  it.each([
    ['the documented example', 'https://tenant.tld/webhooks/users'],
    ['a bare host', 'https://tenant.tld'],
    ['a query without a path', 'https://tenant.tld?x=1'],
    ['the highest port', 'https://tenant.tld:65535/'],
    ['the lowest port', 'https://tenant.tld:1/'],
    ['an escaped byte', 'https://tenant.tld/a%2Fb'],
    ['a host of 253 characters', `https://${'a.'.repeat(125)}tld/`],
    ['the longest URL', `https://tenant.tld/${'a'.repeat(MAX_URL_LENGTH - 19)}`],
    ['a name that only contains a reserved word', 'https://mylocal.tld/'],
  ])('should take %s as plain', (_name, url) => {
    expect(isPlainWebhookUrl(url)).toBe(true);
    expect(full(url)).toEqual([]);
  });

  it('should never call a URL plain that the full checks refuse', () => {
    // Mostly the usual shape, each part now and then replaced by something near one of its
    // edges: Punycode, reserved names, numbers, lengths, ports, escapes, characters parsers repair.
    const often = <T>(usual: fc.Arbitrary<T>, edge: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: usual, weight: 6 }, { arbitrary: edge, weight: 1 });
    const labelEdge = fc.constantFrom(
      ...['Z', '-', '-a', 'a-', 'xn--', 'xn--a', 'xn--mnchen-3ya', 'local', 'home.arpa', '0x1'],
      ...['123', 'a'.repeat(63), 'a'.repeat(64), '', 'a\u00ad', 'a%2e'],
    );
    const label = often(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,6}[a-z0-9]$|^[a-z]$/), labelEdge);
    const top = often(fc.stringMatching(/^[a-z]{2,6}$/), labelEdge);
    const host = fc
      .tuple(fc.array(label, { maxLength: 4 }), top)
      .map(([labels, last]) => [...labels, last].join('.'));
    const port = often(
      fc.constant(''),
      fc.constantFrom(':', ':0', ':1', ':443', ':0443', ':65535', ':65536', ':99999'),
    );
    const restEdge = fc.constantFrom(
      ...['#', '%', '%2F', '%zz', '%2', '\\', '@', ' ', '\t', '\u00ad', '\u00e9', '[', ']'],
      ...['=', '&', ':', '?', 'a'.repeat(490)],
    );
    const rest = fc
      .array(often(fc.stringMatching(/^\/[A-Za-z0-9._~-]{0,8}$/), restEdge), { maxLength: 5 })
      .map((pieces) => pieces.join(''));
    const scheme = often(
      fc.constant('https://'),
      fc.constantFrom('HTTPS://', 'http://', 'https:/', 'https:///', 'https://@', 'https://:@'),
    );
    let plain = 0;
    fc.assert(
      fc.property(scheme, host, port, rest, (...parts) => {
        const url = parts.join('');
        if (!isPlainWebhookUrl(url)) return;
        plain += 1;
        expect(full(url)).toEqual([]);
      }),
      { numRuns: 10_000 },
    );
    // About a third of the runs take the shortcut, so the property is not vacuous.
    expect(plain).toBeGreaterThan(1_000);
  });

  it('should take the usual generated URLs as plain, so the shortcut is the common path', () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
    const top = fc.stringMatching(/^[a-z]{2,12}$/);
    const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 4 }),
        top,
        fc.array(segment, { maxLength: 4 }),
        (labels, tld, segments) => {
          const host = [...labels, tld].join('.');
          fc.pre(!reservedHostSuffixes.some((s) => host === s || host.endsWith(`.${s}`)));
          fc.pre(!labels.some((l) => l.startsWith('xn--')));
          expect(isPlainWebhookUrl(`https://${host}/${segments.join('/')}`)).toBe(true);
        },
      ),
    );
  });
});
