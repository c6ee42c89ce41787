import { createServer, type Server, type ServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodes, runCli } from '../cli/main.js';
import { startMockServer } from '../testing/mock-server.js';
import { createTestCa } from '../test-support/test-pki.js';
import { isPublicAddress, specialPurposeRanges, type SpecialPurposeRange } from './addresses.js';
import { PROBE_HEADER, probeWebhookUrl, type ProbeOptions, type ProbeResult } from './probe.js';

const HOST = 'hooks.tenant.example';
const ca = createTestCa();
const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

/** A real HTTPS server on 127.0.0.1 presenting a certificate of the test CA. */
async function httpsServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
  certificate = ca.issue(HOST),
  tls: Partial<ServerOptions> = {},
): Promise<string> {
  const server = createServer(
    { key: certificate.keyPem, cert: certificate.certPem, ...tls },
    handler,
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://${HOST}:${(server.address() as AddressInfo).port}/webhooks`;
}

const loopback: ProbeOptions = {
  lookup: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
  allowPrivateAddresses: true,
  ca: ca.caPem,
  timeoutMs: 3000,
};
const statusOf = (result: ProbeResult, name: string) =>
  result.checks.find((c) => c.name === name)?.status;

describe('probeWebhookUrl', () => {
  it('should pass a healthy endpoint and report TLS, certificate and the probe request', async () => {
    const seen: IncomingMessage[] = [];
    let body = '';
    const url = await httpsServer((request, response) => {
      seen.push(request);
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => response.end());
    });
    const result = await probeWebhookUrl(url, loopback);

    expect(result.ok).toBe(true);
    expect(result.tls).toMatchObject({ subject: HOST, issuer: 'upvest-webhooks test CA' });
    expect(['TLSv1.2', 'TLSv1.3']).toContain(result.tls?.protocol);
    expect(result.http).toEqual({ status: 200 });
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.headers[PROBE_HEADER]).toBe('1');
    expect(body).toBe('{"payload":[]}');
    expect(statusOf(result, 'legacy_tls')).toBe('pass');
  });

  it('should fail a redirect and say where it pointed (R3), without following it', async () => {
    let requests = 0;
    const url = await httpsServer((_, response) => {
      requests += 1;
      response.writeHead(301, { location: 'https://elsewhere.example/hook' }).end();
    });
    const result = await probeWebhookUrl(url, loopback);
    expect(result.ok).toBe(false);
    expect(statusOf(result, 'redirect')).toBe('fail');
    expect(result.checks.find((c) => c.name === 'redirect')?.message).toContain(
      'elsewhere.example',
    );
    expect(requests).toBe(1);
  });

  it('should fail an endpoint that answers 500, which would block deliveries (R16)', async () => {
    const url = await httpsServer((_, response) => response.writeHead(500).end());
    const result = await probeWebhookUrl(url, loopback);
    expect(statusOf(result, 'response')).toBe('fail');
  });

  it('should pass a server that only speaks TLS 1.2 and report the version', async () => {
    const url = await httpsServer((_, response) => response.end(), ca.issue(HOST), {
      maxVersion: 'TLSv1.2',
    });
    const result = await probeWebhookUrl(url, loopback);
    expect(result.ok).toBe(true);
    expect(result.tls?.protocol).toBe('TLSv1.2');
  });

  it('should give up on a slow server within the time limit', async () => {
    const url = await httpsServer(() => undefined);
    const started = Date.now();
    const result = await probeWebhookUrl(url, { ...loopback, timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(statusOf(result, 'response')).toBe('fail');
  });

  it('should close the connection once the status is in, even when the body never ends', async () => {
    let closed = false;
    const url = await httpsServer((request, response) => {
      request.resume();
      response.on('close', () => (closed = true));
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('this body never ends');
    });
    const result = await probeWebhookUrl(url, loopback);
    expect(result.http).toEqual({ status: 200 });
    // Polled on real time: the server sees the socket go shortly after the probe returned.
    for (let waited = 0; !closed && waited < 2000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(true);
  });

  it('should fail a resolver that answers a name instead of an address, and connect nowhere', async () => {
    let connected = false;
    const url = await httpsServer((_, response) => {
      connected = true;
      response.end();
    });
    const result = await probeWebhookUrl(url, {
      ...loopback,
      lookup: () => Promise.resolve([{ address: 'localhost', family: 4 }]),
    });
    expect(statusOf(result, 'dns')).toBe('fail');
    expect(result.checks.find((c) => c.name === 'dns')?.message).toContain('not an IP address');
    expect(connected).toBe(false);
  });

  it('should refuse to connect when the name resolves to a private address', async () => {
    let connected = false;
    const url = await httpsServer((_, response) => {
      connected = true;
      response.end();
    });
    const result = await probeWebhookUrl(url, {
      ...loopback,
      allowPrivateAddresses: false,
      lookup: () => Promise.resolve([{ address: '10.0.0.5', family: 4 }]),
    });
    expect(statusOf(result, 'public_address')).toBe('fail');
    expect(connected).toBe(false);
  });

  it('should fail a certificate issued for another host name, and send nothing', async () => {
    let requests = 0;
    const url = await httpsServer((_, response) => {
      requests += 1;
      response.end();
    }, ca.issue('other.tenant.example'));
    const result = await probeWebhookUrl(url, loopback);
    expect(statusOf(result, 'certificate')).toBe('fail');
    expect(requests).toBe(0);
  });

  it('should fail an expired certificate', async () => {
    const url = await httpsServer(
      (_, response) => response.end(),
      ca.issue(HOST, {
        notBefore: new Date(Date.now() - 10 * 86_400_000),
        notAfter: new Date(Date.now() - 86_400_000),
      }),
    );
    const result = await probeWebhookUrl(url, loopback);
    expect(statusOf(result, 'certificate')).toBe('fail');
    expect(result.checks.find((c) => c.name === 'certificate')?.message).toContain(
      'CERT_HAS_EXPIRED',
    );
  });

  it('should warn about a certificate that expires within 30 days', async () => {
    const url = await httpsServer(
      (_, response) => response.end(),
      ca.issue(HOST, { notAfter: new Date(Date.now() + 10 * 86_400_000) }),
    );
    const result = await probeWebhookUrl(url, loopback);
    expect(result.ok).toBe(true);
    expect(statusOf(result, 'certificate')).toBe('warn');
  });

  it('should stop at the static rules without resolving anything', async () => {
    let resolved = false;
    const result = await probeWebhookUrl('http://10.0.0.1/hook', {
      lookup: () => {
        resolved = true;
        return Promise.resolve([]);
      },
    });
    expect(result.checks).toEqual([expect.objectContaining({ name: 'url_rules', status: 'fail' })]);
    expect(resolved).toBe(false);
  });
});

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', true],
    ['2a00:1450:4001::1', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.20.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['::1', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:a00:1', false],
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::10.0.0.5', false],
    ['64:ff9b::a00:5', false],
    ['64:FF9B:0:0:0:0:A00:5', false],
    ['64:ff9b::7f00:1', false],
    ['64:ff9b::808:808', true],
    ['::a00:5', false],
    ['0:0:0:0:0:ffff:c0a8:101', false],
    ['fe80::1%eth0', false],
    ['not-an-address', false],
    // The audit's misses (finding 6), and their public neighbours.
    ['2002:a00:1::1', false],
    ['2001:0:4136:e378::1', false],
    ['fec0::1', false],
    ['::ffff:0:a00:1', false],
    ['2003::1', true],
    ['2001:4860:4860::8888', true],
    ['1.1.1.1', true],
  ])('should say %s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  /** The first and last address of a range, in the family's full spelling. */
  function bounds({ network, prefix, family }: SpecialPurposeRange): [string, string] {
    const bits = family === 'ipv4' ? 32 : 128;
    const words = family === 'ipv4' ? 4 : 8;
    const width = family === 'ipv4' ? 8n : 16n;
    const parse = (text: string): bigint =>
      family === 'ipv4'
        ? text.split('.').reduce((n, part) => (n << 8n) | BigInt(part), 0n)
        : (() => {
            const [head = '', tail = ''] = text.split('::');
            const h = head ? head.split(':') : [];
            const t = tail ? tail.split(':') : [];
            const all = text.includes('::')
              ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
              : h;
            return all.reduce((n, word) => (n << 16n) | BigInt(parseInt(word, 16)), 0n);
          })();
    const print = (value: bigint) =>
      Array.from(
        { length: words },
        (_, i) => (value >> (width * BigInt(words - 1 - i))) & ((1n << width) - 1n),
      )
        .map((part) => (family === 'ipv4' ? part.toString(10) : part.toString(16)))
        .join(family === 'ipv4' ? '.' : ':');
    const first = parse(network);
    return [print(first), print(first | ((1n << BigInt(bits - prefix)) - 1n))];
  }

  it.each(specialPurposeRanges.map((r) => [`${r.network}/${r.prefix}`, r.name, r] as const))(
    'should refuse the first and last address of %s (%s)',
    (_block, _name, row) => {
      const [first, last] = bounds(row);
      expect(isPublicAddress(first), first).toBe(false);
      expect(isPublicAddress(last), last).toBe(false);
    },
  );
});

describe('legacy TLS', () => {
  it('should warn, not fail, when the server still accepts TLS 1.0 or 1.1', async () => {
    const url = await httpsServer((_, response) => response.end(), ca.issue(HOST), {
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    const result = await probeWebhookUrl(url, loopback);
    expect(result.ok).toBe(true);
    expect(statusOf(result, 'legacy_tls')).toBe('warn');
  });
});

describe('upvest-webhooks probe', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: { env: {}, out: (t: string) => out.push(t), err: (t: string) => err.push(t) },
    };
  };

  it('should print a checklist and exit 0 when no check fails', async () => {
    const url = await httpsServer((_, response) => response.end());
    const { out, io: cliIo } = io();
    expect(await runCli(['probe', url], cliIo, loopback)).toBe(exitCodes.ok);
    expect(out.join('\n')).toMatch(/\[ok {2}\] tls\s+TLSv1\.[23]/);
  });

  it('should exit 6 with --json when a check fails', async () => {
    const url = await httpsServer((_, response) =>
      response.writeHead(302, { location: 'https://x.example/' }).end(),
    );
    const { out, io: cliIo } = io();
    expect(await runCli(['probe', url, '--json'], cliIo, loopback)).toBe(exitCodes.probeFailed);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ ok: false, http: { status: 302 } });
  });

  it('should not register a webhook when create --probe finds a failing check', async () => {
    const mock = await startMockServer({ requestSignatures: 'off' });
    try {
      const url = await httpsServer((_, response) => response.writeHead(500).end());
      const { err, io: cliIo } = io();
      const env = {
        UPVEST_BASE_URL: mock.url,
        UPVEST_CLIENT_ID: mock.credentials.clientId,
        UPVEST_ACCESS_TOKEN: mock.issueToken(['webhooks:admin']),
      };
      const code = await runCli(
        ['create', '--title', 'Probed', '--url', url, '--probe'],
        { ...cliIo, env },
        loopback,
      );
      expect(code, err.join('\n')).toBe(exitCodes.probeFailed);
      expect(err.join('\n')).toContain('Not registered');
      expect(mock.requestCount).toBe(0);
    } finally {
      await mock.close();
    }
  });
});
