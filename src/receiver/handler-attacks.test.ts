/**
 * The delivery handlers under a hostile sender, over raw sockets: what a sender without a key
 * can make a receiver do (read bodies, wait, accept a signature for another path).
 */
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryEvent } from './events.js';
import { createFetchDeliveryHandler, createNodeDeliveryHandler } from './handler.js';
import type { DeliveryHandlerOptions } from './processor.js';
import { legacyDigest } from '../signing/digest.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
} from '../testing/deliveries.js';

const pair = generateDeliveryKeyPair();
const NOW = 1_795_000_000;
const batch = [createDeliveryEvent({ id: '00000000-0000-4000-8000-000000000001' })];

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The Node handler on a real server; reports every batch it handed over. */
async function serveNode(options: Partial<DeliveryHandlerOptions> = {}) {
  const handed: (readonly DeliveryEvent[])[] = [];
  const handler = createNodeDeliveryHandler({
    keys: pair.jwks,
    now: () => NOW,
    onEvents: (events) => void handed.push(events),
    ...options,
  });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, handed };
}

/**
 * Writes `head` (and `body`, if any) to the server, then keeps the socket open without sending
 * more. Resolves with what came back once the server closed the socket, and how long it took.
 */
function rawExchange(port: number, head: string, body = '') {
  const started = performance.now();
  return new Promise<{ text: string; ms: number }>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head + body));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    const done = () => resolve({ text, ms: performance.now() - started });
    socket.on('close', done);
    socket.on('error', done);
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);

function headLines(method: string, path: string, headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

describe('a sender that trickles the body', () => {
  it('should be answered 408 at bodyTimeoutMs and the connection closed (Node)', async () => {
    const { port, handed } = await serveNode({ bodyTimeoutMs: 300 });
    const delivery = signDelivery(batch, { ...pair, now: NOW, url: 'https://tenant.tld/hooks' });
    const head = headLines('POST', '/hooks', {
      host: 'tenant.tld',
      ...delivery.headers,
      'content-length': String(Buffer.byteLength(delivery.body)),
    });
    // One byte of the body, then nothing.
    const { text, ms } = await rawExchange(port, head, delivery.body.slice(0, 1));
    expect(statusOf(text)).toBe(408);
    expect(text).toMatch(/request_timeout/);
    expect(ms).toBeLessThan(3_000);
    expect(handed).toHaveLength(0);
  });

  it('should be answered 408 at bodyTimeoutMs (Fetch)', async () => {
    const handle = createFetchDeliveryHandler({
      keys: pair.jwks,
      now: () => NOW,
      onEvents: () => undefined,
      bodyTimeoutMs: 300,
    });
    const delivery = signDelivery(batch, { ...pair, now: NOW, url: 'https://tenant.tld/hooks' });
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(delivery.body.slice(0, 1)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await handle(
      new Request(delivery.url, {
        method: 'POST',
        headers: delivery.headers,
        body: stream,
        duplex: 'half',
      }),
    );
    expect(response.status).toBe(408);
    expect(cancelled).toBe(true);
  });
});

describe('refusing before the body is read', () => {
  it.each([
    ['no signature headers at all', {}],
    [
      'only signature-input',
      { 'signature-input': 'sig1=("@method");created=1795000000;keyid="k"' },
    ],
    [
      'a signature that expired an hour ago',
      {
        'signature-input': `sig1=("@method" "content-digest");created=${NOW - 3600};expires=${NOW - 3590};keyid="k"`,
        signature: 'sig1=:AAAA:',
      },
    ],
    // The audit's stall (finding 2): a fresh signature window, any keyid, a garbage signature.
    [
      'a fresh signature from no key, with any keyid',
      {
        'signature-input': `sig1=("@method" "@path" "digest");created=${NOW};expires=${NOW + 60};keyid="any"`,
        signature: `sig1=:${Buffer.alloc(132, 7).toString('base64')}:`,
        digest: 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
      },
    ],
    [
      'a garbage signature under the real keyid',
      {
        'signature-input': `sig1=("@method" "@path" "digest");created=${NOW};expires=${NOW + 60};keyid="${pair.keyId}"`,
        signature: `sig1=:${Buffer.alloc(132, 7).toString('base64')}:`,
        digest: 'SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=',
      },
    ],
    [
      'a digest header repeating its entry 160 times',
      {
        'signature-input': `sig1=("@method" "@path" "digest");created=${NOW};expires=${NOW + 60};keyid="${pair.keyId}"`,
        signature: `sig1=:${Buffer.alloc(132, 7).toString('base64')}:`,
        digest: Array(160).fill('SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=').join(','),
      },
    ],
  ])('should answer 401 to %s without waiting for the body', async (_name, headers) => {
    const { port } = await serveNode();
    // A 5 MB body is announced, and none of it is sent.
    const head = headLines('POST', '/hooks', {
      host: 'tenant.tld',
      'content-type': 'application/json',
      'content-length': String(5_000_000),
      ...headers,
    });
    const { text, ms } = await rawExchange(port, head);
    expect(statusOf(text)).toBe(401);
    expect(text.toLowerCase()).toMatch(/connection: close/);
    expect(ms).toBeLessThan(3_000);
  });

  it('should answer 401 to an unknown keyid without reading the body when keys match by kid', async () => {
    const { port } = await serveNode({ keyIdMatch: 'kid' });
    const delivery = signDelivery(batch, { ...pair, now: NOW, url: 'https://tenant.tld/hooks' });
    const head = headLines('POST', '/hooks', {
      host: 'tenant.tld',
      ...delivery.headers,
      'signature-input': (delivery.headers['signature-input'] ?? '').replace(
        /keyid="[^"]*"/,
        'keyid="forged"',
      ),
      'content-length': String(5_000_000),
    });
    const { text } = await rawExchange(port, head);
    expect(statusOf(text)).toBe(401);
    expect(text).toMatch(/unknown_key/);
  });

  it.each(['kid', 'kid-or-any-key'] as const)(
    'should refuse a genuine signature whose digest header repeats its entry, before the body (keyIdMatch %s)',
    async (keyIdMatch) => {
      const { port, handed } = await serveNode({ keyIdMatch });
      const delivery = signDelivery(batch, {
        ...pair,
        now: NOW,
        url: 'https://tenant.tld/hooks',
        headers: {
          digest: Array(160)
            .fill(await legacyDigest(JSON.stringify({ payload: batch })))
            .join(','),
        },
      });
      const head = headLines('POST', '/hooks', {
        host: 'tenant.tld',
        ...delivery.headers,
        'content-length': String(5_000_000),
      });
      const { text } = await rawExchange(port, head);
      expect(statusOf(text)).toBe(401);
      expect(text).toMatch(/digest_mismatch/);
      expect(text).toMatch(/malformed/);
      expect(handed).toHaveLength(0);
    },
  );

  it('should still read and accept a valid delivery', async () => {
    const { port, handed } = await serveNode();
    const delivery = signDelivery(batch, { ...pair, now: NOW, url: 'https://tenant.tld/hooks' });
    const head = headLines('POST', '/hooks', {
      host: 'tenant.tld',
      connection: 'close',
      ...delivery.headers,
      'content-length': String(Buffer.byteLength(delivery.body)),
    });
    const { text } = await rawExchange(port, head, delivery.body);
    expect(statusOf(text)).toBe(200);
    expect(handed).toHaveLength(1);
  });
});

describe('the Host header is untrusted', () => {
  it.each([
    [
      'refuse',
      'sent to another path, whatever Host says',
      '/webhooks/orders',
      'tenant.tld/webhooks/users?',
      401,
      0,
    ],
    ['accept', 'sent to the path it was signed for', '/webhooks/users', 'tenant.tld', 200, 1],
  ])(
    'should %s a delivery signed for /webhooks/users and %s',
    async (_verdict, _how, path, host, status, handedOver) => {
      const { port, handed } = await serveNode();
      const delivery = signDelivery(batch, {
        ...pair,
        now: NOW,
        url: 'https://tenant.tld/webhooks/users',
      });
      const head = headLines('POST', path, {
        host,
        connection: 'close',
        ...delivery.headers,
        'content-length': String(Buffer.byteLength(delivery.body)),
      });
      const { text } = await rawExchange(port, head, delivery.body);
      expect(statusOf(text)).toBe(status);
      expect(handed).toHaveLength(handedOver);
    },
  );
});

describe('a receiver mounted at another path than the one signed', () => {
  it('should say which path it checked in the refusal', async () => {
    const refused: string[] = [];
    const { port } = await serveNode({ onRefused: (failure) => refused.push(failure.message) });
    const delivery = signDelivery(batch, { ...pair, now: NOW, url: 'https://tenant.tld/hooks' });
    const head = headLines('POST', '/api/hooks', {
      host: 'tenant.tld',
      connection: 'close',
      ...delivery.headers,
      'content-length': String(Buffer.byteLength(delivery.body)),
    });
    const { text } = await rawExchange(port, head, delivery.body);
    expect(statusOf(text)).toBe(401);
    expect(refused[0]).toMatch(/@path, checked here as "\/api\/hooks"/);
  });
});
