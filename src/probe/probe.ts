import type { PeerCertificate, TLSSocket } from 'node:tls';
import { validateWebhookUrl } from '../rules/url.js';

/**
 * Node's DNS, HTTPS, TLS and net modules and the address ranges (a `BlockList` built on load),
 * loaded when a probe first needs the network: the main entry exports the probe, and importing
 * them costs about 10 ms that a user who never probes should not pay at import (BENCHMARKS.md,
 * import time).
 */
async function loadNetwork() {
  const [dns, https, tls, net, addresses] = await Promise.all([
    import('node:dns/promises'),
    import('node:https'),
    import('node:tls'),
    import('node:net'),
    import('./addresses.js'),
  ]);
  return {
    lookup: dns.lookup,
    request: https.request,
    connect: tls.connect,
    rootCertificates: tls.rootCertificates,
    isIP: net.isIP,
    isPublicAddress: addresses.isPublicAddress,
  };
}

type Network = Awaited<ReturnType<typeof loadNetwork>>;

/** The verdict of one check. */
export type ProbeStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One check of a probe, with a message that says what to fix. */
export interface ProbeCheck {
  readonly name:
    | 'url_rules'
    | 'dns'
    | 'public_address'
    | 'tls'
    | 'certificate'
    | 'legacy_tls'
    | 'response'
    | 'redirect';
  readonly status: ProbeStatus;
  readonly message: string;
}

/** What a probe found. `ok` is false when any check failed. */
export interface ProbeResult {
  readonly url: string;
  readonly ok: boolean;
  readonly checks: readonly ProbeCheck[];
  readonly address?: string;
  readonly tls?: {
    readonly protocol: string;
    readonly cipher: string;
    readonly subject: string;
    readonly issuer: string;
    readonly validTo: string;
  };
  readonly http?: { readonly status: number; readonly location?: string };
  readonly durationMs: number;
}

/**
 * Options of {@link probeWebhookUrl}.
 *
 * @example
 * ```ts
 * const options: ProbeOptions = { timeoutMs: 5000 };
 * ```
 */
export interface ProbeOptions {
  /** Total time limit (default 10 s). */
  readonly timeoutMs?: number;
  /** Resolves a host name; `dns.lookup` with all addresses by default. Inject for tests. */
  readonly lookup?: (hostname: string) => Promise<readonly { address: string; family: number }[]>;
  /** Connect even when the name resolves to a loopback or private address (tests only). */
  readonly allowPrivateAddresses?: boolean;
  /** Extra certificate authorities to trust besides the system's (tests). */
  readonly ca?: string | readonly string[];
  /** Also try TLS 1.0/1.1, to warn when the server still accepts them (default true). */
  readonly checkLegacyTls?: boolean;
  /** The clock, for the certificate expiry warning. */
  readonly now?: () => Date;
}

/** The header that marks the probe's request, so receivers can tell it from a delivery. */
export const PROBE_HEADER = 'upvest-webhooks-probe';
const PROBE_BODY = '{"payload":[]}';
const EXPIRY_WARNING_DAYS = 30;

function describe(certificate: PeerCertificate, field: 'subject' | 'issuer'): string {
  const name = certificate[field] as Partial<Record<string, string>> | undefined;
  return name?.['CN'] ?? Object.values(name ?? {}).join(', ');
}

class Deadline extends Error {}

/**
 * Checks a webhook URL the way only a live request can (R3 no redirects, R4 TLS 1.2+), safely:
 * static rules first; then the name is resolved and refused when any address is not public;
 * the TLS connection goes to the address that was checked (no second lookup), verifies the
 * certificate and host name, and reports protocol, cipher and expiry; finally one POST with an
 * empty delivery (`{"payload":[]}`) and an `upvest-webhooks-probe: 1` header, redirects not
 * followed. Nothing hangs past `timeoutMs`. Never throws.
 *
 * @example
 * ```ts
 * const result = await probeWebhookUrl('https://tenant.tld/webhooks/users');
 * for (const check of result.checks) console.log(check.status, check.name, check.message);
 * ```
 */
export async function probeWebhookUrl(
  url: string,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const started = Date.now();
  const checks: ProbeCheck[] = [];
  const finish = (extra: Partial<ProbeResult> = {}): ProbeResult => ({
    url,
    ok: checks.every((check) => check.status !== 'fail'),
    checks,
    ...extra,
    durationMs: Date.now() - started,
  });
  const passed = (check: ProbeCheck) => (checks.push(check), check.status !== 'fail');

  if (!passed(urlRulesCheck(url))) return finish();
  const target = new URL(url);
  const hostname = target.hostname;
  const port = Number(target.port || 443);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = started + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());

  const network = await loadNetwork();
  const resolved = await resolveStep(network, hostname, options, timeoutMs, remaining());
  if (!passed(resolved.check)) return finish();
  const addresses = resolved.addresses;
  if (!passed(publicAddressCheck(network, hostname, addresses, options.allowPrivateAddresses))) {
    return finish();
  }
  const address = addresses[0]?.address ?? '';
  const ca =
    options.ca === undefined
      ? undefined
      : [
          ...network.rootCertificates,
          ...(typeof options.ca === 'string' ? [options.ca] : options.ca),
        ];

  const exchange = await sendProbe(network, { target, address, port, ca, timeoutMs, remaining });
  if (!exchange.ok) {
    checks.push(...exchangeFailureChecks(exchange));
    return finish({ address });
  }
  const tls = tlsOf(exchange);
  checks.push(...connectionChecks(exchange, tls, options.now?.() ?? new Date()));
  if (options.checkLegacyTls ?? true)
    checks.push(await legacyTlsCheck(network, address, hostname, port, ca, remaining()));
  checks.push(...answerChecks(exchange.status, exchange.location));
  const { status, location } = exchange;
  return finish({ address, tls, http: { status, ...(location ? { location } : {}) } });
}

type Addresses = readonly { address: string; family: number }[];

/** What the single probe connection found, or at which stage it failed. */
type Exchange =
  | {
      ok: true;
      status: number;
      location: string | undefined;
      protocol: string;
      cipher: string;
      certificate: PeerCertificate;
    }
  | { ok: false; stage: 'tls' | 'certificate' | 'response'; message: string };

function urlRulesCheck(url: string): ProbeCheck {
  const rules = validateWebhookUrl(url);
  return rules.ok
    ? {
        name: 'url_rules',
        status: 'pass',
        message: 'https, a public DNS name, no user info or fragment',
      }
    : { name: 'url_rules', status: 'fail', message: rules.issues.map((i) => i.message).join('; ') };
}

/** Resolves the host within the time left; only IP addresses count as an answer. */
async function resolveStep(
  network: Network,
  hostname: string,
  options: ProbeOptions,
  timeoutMs: number,
  within: number,
): Promise<{ check: ProbeCheck; addresses: Addresses }> {
  const fail = (message: string) => ({
    check: { name: 'dns', status: 'fail', message } as const,
    addresses: [],
  });
  let addresses: Addresses;
  try {
    addresses = await withDeadline(
      (options.lookup ?? ((name) => network.lookup(name, { all: true })))(hostname),
      within,
    );
  } catch (error) {
    return fail(
      error instanceof Deadline
        ? `resolving ${hostname} took longer than ${timeoutMs} ms`
        : `${hostname} does not resolve: check the DNS record`,
    );
  }
  // A resolver (an injected one, a broken one) that answers a name would have it resolved again
  // on connect, past the address check: only IP addresses count as an answer.
  const notAnIp = addresses.find((entry) => network.isIP(String(entry?.address)) === 0);
  if (notAnIp) {
    return fail(
      `resolving ${hostname} gave ${JSON.stringify(String(notAnIp.address).slice(0, 80))}, which is not an IP address`,
    );
  }
  if (addresses.length === 0) return fail(`${hostname} has no address: check the DNS record`);
  return {
    check: {
      name: 'dns',
      status: 'pass',
      message: `${hostname} resolves to ${addresses.map((a) => a.address).join(', ')}`,
    },
    addresses,
  };
}

function publicAddressCheck(
  network: Network,
  hostname: string,
  addresses: Addresses,
  allowPrivate: boolean | undefined,
): ProbeCheck {
  const privateOnes = addresses
    .filter((a) => !network.isPublicAddress(a.address))
    .map((a) => a.address);
  if (privateOnes.length === 0) {
    return { name: 'public_address', status: 'pass', message: 'every address is public' };
  }
  return allowPrivate
    ? {
        name: 'public_address',
        status: 'warn',
        message: `non-public ${privateOnes.join(', ')} allowed for this probe only`,
      }
    : {
        name: 'public_address',
        status: 'fail',
        message: `${hostname} resolves to non-public ${privateOnes.join(', ')}; Upvest cannot deliver there, and the probe does not connect`,
      };
}

/**
 * One connection to the checked address: TLS 1.2 or newer, certificate and host name verified,
 * then the probe request on it. Nothing is sent over a connection that failed verification.
 */
function sendProbe(
  network: Network,
  to: {
    target: URL;
    address: string;
    port: number;
    ca: string[] | undefined;
    timeoutMs: number;
    remaining: () => number;
  },
): Promise<Exchange> {
  const { target, address, port, ca, timeoutMs, remaining } = to;
  const hostname = target.hostname;
  return new Promise<Exchange>((resolve) => {
    const request = network.request({
      host: address,
      servername: hostname,
      port,
      path: `${target.pathname}${target.search}`,
      method: 'POST',
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      ...(ca ? { ca } : {}),
      agent: false,
      timeout: remaining(),
      headers: {
        host: target.host,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(PROBE_BODY)),
        'user-agent': 'upvest-webhooks-probe',
        [PROBE_HEADER]: '1',
      },
    });
    const timer = setTimeout(() => request.destroy(new Deadline()), remaining());
    request.on('response', (response) => {
      clearTimeout(timer);
      response.resume();
      // Read while the connection is open: it is closed once the answer has been read.
      const socket = response.socket as TLSSocket;
      resolve({
        ok: true,
        status: response.statusCode ?? 0,
        location: response.headers.location,
        protocol: socket.getProtocol() ?? 'unknown',
        cipher: socket.getCipher().name,
        certificate: socket.getPeerCertificate(),
      });
      // The status and the connection are all the probe needs: a body that never ends (or a
      // slow one) must not keep the socket, and so the caller's process, alive after the probe.
      request.destroy();
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(failedExchange(error, hostname, timeoutMs));
    });
    request.end(PROBE_BODY);
  });
}

/** Why the probe request got no answer: the deadline, the certificate, TLS, or the connection. */
function failedExchange(
  error: NodeJS.ErrnoException,
  hostname: string,
  timeoutMs: number,
): Extract<Exchange, { ok: false }> {
  if (error instanceof Deadline)
    return {
      ok: false,
      stage: 'response',
      message: `no answer within ${timeoutMs} ms: Upvest would time out and retry, blocking later deliveries (R16)`,
    };
  const code = error.code ?? '';
  if (/CERT|SELF_SIGNED|ALTNAME|UNABLE_TO|ISSUER/.test(code)) {
    return {
      ok: false,
      stage: 'certificate',
      message: `the certificate does not verify for ${hostname} (${code}): use a certificate from a public CA that names this host and has not expired`,
    };
  }
  if (/SSL|TLS|EPROTO/.test(code) || /handshake|protocol/i.test(error.message)) {
    return {
      ok: false,
      stage: 'tls',
      message: `no TLS 1.2 or newer handshake (${code || error.message}): enable TLS 1.2 or 1.3 (R4)`,
    };
  }
  return {
    ok: false,
    stage: 'response',
    message: `the connection failed (${code || error.message})`,
  };
}

function exchangeFailureChecks(failure: Extract<Exchange, { ok: false }>): ProbeCheck[] {
  if (failure.stage === 'tls') return [{ name: 'tls', status: 'fail', message: failure.message }];
  if (failure.stage === 'certificate') {
    return [
      { name: 'tls', status: 'skip', message: 'not judged: the certificate failed' },
      { name: 'certificate', status: 'fail', message: failure.message },
    ];
  }
  return [{ name: 'response', status: 'fail', message: failure.message }];
}

function tlsOf({ protocol, cipher, certificate }: Extract<Exchange, { ok: true }>) {
  return {
    protocol,
    cipher,
    subject: describe(certificate, 'subject'),
    issuer: describe(certificate, 'issuer'),
    validTo: new Date(certificate.valid_to).toISOString(),
  };
}

/** The TLS version and cipher, and the certificate with a warning when it expires soon. */
function connectionChecks(
  exchange: Extract<Exchange, { ok: true }>,
  tls: ReturnType<typeof tlsOf>,
  now: Date,
): ProbeCheck[] {
  const daysLeft = (new Date(exchange.certificate.valid_to).getTime() - now.getTime()) / 86_400_000;
  return [
    {
      name: 'tls',
      status: 'pass',
      message: `${exchange.protocol} with ${exchange.cipher} (R4 asks for TLS 1.2 or newer)`,
    },
    {
      name: 'certificate',
      status: daysLeft < EXPIRY_WARNING_DAYS ? 'warn' : 'pass',
      message: `${tls.subject}, issued by ${tls.issuer}, valid until ${tls.validTo}${daysLeft < EXPIRY_WARNING_DAYS ? `: renew it, ${Math.max(0, Math.floor(daysLeft))} days left` : ''}`,
    },
  ];
}

/** A redirect fails (R3); otherwise the status is judged. */
function answerChecks(status: number, location: string | undefined): ProbeCheck[] {
  if (status >= 300 && status < 400) {
    return [
      {
        name: 'redirect',
        status: 'fail',
        message: `answered ${status} to ${location ?? 'nowhere'}: the URL must not redirect (R3); register the final URL`,
      },
    ];
  }
  return [{ name: 'redirect', status: 'pass', message: 'no redirect (R3)' }, responseCheck(status)];
}

function responseCheck(status: number): ProbeCheck {
  if (status >= 200 && status < 300)
    return { name: 'response', status: 'pass', message: `answered ${status}` };
  if (status === 401 || status === 403) {
    return {
      name: 'response',
      status: 'pass',
      message: `answered ${status} to the unsigned probe: the endpoint checks signatures, as it should`,
    };
  }
  if (status >= 500) {
    return {
      name: 'response',
      status: 'fail',
      message: `answered ${status}: Upvest would retry this delivery and block the ones after it (R15, R16)`,
    };
  }
  return {
    name: 'response',
    status: 'warn',
    message: `answered ${status}: make sure signed deliveries get a 2xx (R14)`,
  };
}

/** Tries a TLS 1.0/1.1 handshake: accepting one is a warning, not a failure. */
function legacyTlsCheck(
  network: Network,
  address: string,
  hostname: string,
  port: number,
  ca: string[] | undefined,
  timeoutMs: number,
): Promise<ProbeCheck> {
  return new Promise((resolve) => {
    const socket = network.connect({
      host: address,
      port,
      servername: hostname,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
      rejectUnauthorized: false,
      ...(ca ? { ca } : {}),
    });
    const done = (check: ProbeCheck) => {
      socket.destroy();
      resolve(check);
    };
    socket.setTimeout(timeoutMs, () =>
      done({
        name: 'legacy_tls',
        status: 'skip',
        message: 'no answer to a TLS 1.0/1.1 attempt in time',
      }),
    );
    socket.on('secureConnect', () =>
      done({
        name: 'legacy_tls',
        status: 'warn',
        message: `still accepts ${socket.getProtocol() ?? 'TLS < 1.2'}: disable TLS 1.0 and 1.1`,
      }),
    );
    socket.on('error', () =>
      done({ name: 'legacy_tls', status: 'pass', message: 'refuses TLS 1.0 and 1.1' }),
    );
  });
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Deadline()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
