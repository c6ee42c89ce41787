import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFetchDeliveryHandler,
  createNodeDeliveryHandler,
  type VerifyDeliveryOptions,
} from '../../src/receiver/index.js';
import { freshReceiverKey, jwksOf, runReceiverConformance } from './receiver.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

type Handle = (request: IncomingMessage, response: ServerResponse) => void;

async function serve(handle: Handle): Promise<string> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/upvest`;
}

const key = freshReceiverKey();
const secondKey = freshReceiverKey();
const webhookId = randomUUID();
/** What docs/deliveries.md recommends a careful receiver sets. */
const recommended = {
  webhookIds: [webhookId],
  requiredComponents: ['@method', '@path'],
  requiredParameters: ['created', 'expires'],
  keyIdMatch: 'kid',
} as const satisfies Partial<VerifyDeliveryOptions>;

const nodeHandler = (extra: Partial<VerifyDeliveryOptions> = {}): Handle => {
  const handler = createNodeDeliveryHandler({
    keys: jwksOf(key, secondKey),
    onEvents: () => undefined,
    ...extra,
  });
  return (request, response) => void handler(request, response);
};

/** The Fetch handler behind node:http, as a Hono or Bun app would run it. */
const fetchHandler = (extra: Partial<VerifyDeliveryOptions> = {}): Handle => {
  const handler = createFetchDeliveryHandler({
    keys: jwksOf(key, secondKey),
    onEvents: () => undefined,
    ...extra,
  });
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => void answer());
    const answer = async () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      const answered = await handler(
        new Request(`http://${request.headers.host}${request.url}`, {
          method: request.method ?? 'GET',
          headers,
          ...(request.method === 'GET' || request.method === 'HEAD'
            ? {}
            : { body: Buffer.concat(chunks) }),
        }),
      );
      response.writeHead(answered.status, Object.fromEntries(answered.headers));
      response.end(Buffer.from(await answered.arrayBuffer()));
    };
  };
};

const outcomes = (report: Awaited<ReturnType<typeof runReceiverConformance>>, outcome: string) =>
  report.results.filter((r) => r.outcome === outcome).map((r) => `${r.case}: ${r.detail}`);

const run = async (
  handle: Handle,
  options: Partial<Parameters<typeof runReceiverConformance>[0]> = {},
) =>
  runReceiverConformance({
    url: await serve(handle),
    key,
    secondKey,
    webhookId,
    readyTimeoutMs: 2_000,
    ...options,
  });

describe('runReceiverConformance against correct receivers', () => {
  it.each([
    ['the Node handler with its defaults, at the documented level', nodeHandler(), false],
    [
      'the Node handler with the recommended options, under --strict',
      nodeHandler(recommended),
      true,
    ],
    ['the Fetch handler with its defaults, at the documented level', fetchHandler(), false],
    [
      'the Fetch handler with the recommended options, under --strict',
      fetchHandler(recommended),
      true,
    ],
  ])('should pass %s', async (_name, handle, strict) => {
    const report = await run(handle, { strict });
    expect(outcomes(report, 'fail')).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.counts.pass).toBeGreaterThan(60);
    expect(report.target).toBe(
      `receiver ${report.target.split(' ')[1]}${strict ? ' (strict)' : ''}`,
    );
  });

  it('should warn, not fail, where the defaults are laxer than --strict, and fail those under --strict', async () => {
    const lax = await run(nodeHandler());
    const warned = lax.results.filter((r) => r.outcome === 'warn').map((r) => r.case);
    expect(warned).toEqual(
      expect.arrayContaining([
        'a signature that does not cover @path',
        'a signature without expires',
        'the trusted key under a key id the JWKS does not have',
      ]),
    );
    const strict = await run(nodeHandler(), { strict: true });
    expect(strict.results.filter((r) => r.outcome === 'fail').map((r) => r.case)).toEqual(warned);
  });

  it('should send every event of a run under one webhook id, the one given', async () => {
    const seen = new Set<string>();
    const handler = nodeHandler();
    await run((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        for (const match of Buffer.concat(chunks)
          .toString()
          .matchAll(/"webhook_id"\s*:\s*"([^"]+)"/g)) {
          seen.add(match[1]!);
        }
      });
      handler(request, response);
    });
    seen.delete(webhookId);
    // Only the strict case about another webhook's event brings a second id.
    expect(seen.size).toBeLessThanOrEqual(1);
  });
});

describe('runReceiverConformance against broken receivers', () => {
  const acceptsAnything: Handle = (request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end());
  };

  it.each<[string, Handle, string]>([
    ['accepts anything', acceptsAnything, 'no signature'],
    [
      'answers 500 to a redelivery',
      (() => {
        const seen = new Set<string>();
        const handler = nodeHandler();
        return (request, response) => {
          const signature = String(request.headers['signature']);
          if (seen.has(signature))
            return void request.resume().on('end', () => response.writeHead(500).end());
          seen.add(signature);
          handler(request, response);
        };
      })(),
      'the same delivery again after a 2xx',
    ],
    [
      'limits bodies to 1 MiB, the largest max_package_size',
      (request, response) => {
        if (Number(request.headers['content-length']) > 1024 * 1024) {
          return void request.resume().on('end', () => response.writeHead(413).end());
        }
        nodeHandler()(request, response);
      },
      'one event larger than 1 MiB',
    ],
    [
      'checks the digest over re-serialised JSON',
      (request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          let canonical = body;
          try {
            canonical = JSON.stringify(JSON.parse(body));
          } catch {
            // not JSON: judged as it is
          }
          response.writeHead(canonical === body ? 200 : 401).end();
        });
      },
      'a genuine delivery in pretty-printed JSON with a trailing newline',
    ],
    [
      'drops the connection on malformed JSON',
      (request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          try {
            JSON.parse(Buffer.concat(chunks).toString());
          } catch {
            return void request.socket.destroy();
          }
          // Verification is the package's, on a copy of the request it has not read yet.
          response.writeHead(200).end();
        });
      },
      'malformed JSON under a valid signature',
    ],
  ])('should fail a receiver that %s', async (_name, handle, failing) => {
    const report = await run(handle);
    expect(report.passed).toBe(false);
    expect(report.results.find((r) => r.case === failing)?.outcome).toBe('fail');
  });
});

describe('runReceiverConformance reaching the endpoint', () => {
  it('should report an endpoint that is not running as one failure, every other check skipped', async () => {
    const url = await serve(() => undefined);
    await closers.pop()!(); // the port is free again: nothing listens there
    const report = await runReceiverConformance({ url, key, readyTimeoutMs: 300 });
    const failed = report.results.filter((r) => r.outcome === 'fail');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toBe(`cannot connect to ${url}: ECONNREFUSED`);
    expect(report.results.filter((r) => r.outcome === 'pass')).toEqual([]);
    expect(report.counts.skip).toBe(report.results.length - 1);
  });

  it('should wait until the endpoint accepts a genuine delivery, and say what it answered meanwhile', async () => {
    const since = Date.now();
    const handler = nodeHandler();
    const waited: string[] = [];
    const report = await run(
      (request, response) => {
        // Not yet configured with the key: 401 for the first second.
        if (Date.now() - since < 1_000)
          return void request.resume().on('end', () => response.writeHead(401).end());
        handler(request, response);
      },
      { readyTimeoutMs: 10_000, onWaiting: (last) => waited.push(last) },
    );
    expect(outcomes(report, 'fail')).toEqual([]);
    expect(waited[0]).toBe('HTTP 401');
  });

  it('should fail an endpoint that never accepts a genuine delivery, and judge no refusal of it', async () => {
    const report = await run(
      (request, response) => void request.resume().on('end', () => response.writeHead(401).end()),
      {
        readyTimeoutMs: 200,
      },
    );
    expect(report.results[0]).toMatchObject({ case: 'a first genuine delivery', outcome: 'fail' });
    expect(report.results[0]!.detail).toContain('the last answer was HTTP 401');
    // A 401 to a forgery proves nothing from an endpoint that refuses everything.
    expect(report.results.find((r) => r.case === 'no signature')?.outcome).toBe('skip');
  });

  it('should stop sending to an endpoint that stopped answering, within a few budgets', async () => {
    const begun = Date.now();
    const report = await run((request) => void request.resume(), {
      ackBudgetMs: 200,
      readyTimeoutMs: 0,
    });
    expect(report.passed).toBe(false);
    const stalled = report.results.filter((r) =>
      r.detail.startsWith('not sent: the endpoint answered none'),
    );
    expect(stalled).toHaveLength(5); // of the eight shapes, after three timed out
    expect(report.counts.pass).toBe(0);
    // Readiness tries one shape (it times out), then three requests time out: about 4 × 1.2 s.
    expect(Date.now() - begun).toBeLessThan(15_000);
  });
});
