import { request as httpRequest, createServer } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Script } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhooksClient } from '../../client/webhooks-client.js';
import { startLoopbackServer } from '../../test-support/loopback-server.js';
import { startMockServer, type MockServer, type MockServerOptions } from '../mock-server.js';
import { APP_SCRIPT } from './app.js';
import { HISTORY_LIMIT, InspectorFeed, type InspectedRequest } from './feed.js';
import { INSPECTOR_CSP } from './page.js';
import { InspectorStreams } from './stream.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

async function mockWith(options: MockServerOptions = {}): Promise<MockServer> {
  const mock = await startMockServer({ requestSignatures: 'off', ...options });
  cleanup.push(() => mock.close());
  return mock;
}

/** A GET over node:http, which sends any Host: the status, headers and body. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const request = httpRequest(url, { method, headers }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      });
      request.on('error', reject);
      request.end();
    },
  );
}

/** A raw socket reading `/__mock/stream`: the server-sent events it got so far, parsed. */
async function openStream(url: string) {
  const { port } = new URL(url);
  const socket: Socket = connect(Number(port), '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`GET /__mock/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  cleanup.push(() => void socket.destroy());
  const events = () =>
    [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((match) => ({
      event: match[1]!,
      data: JSON.parse(match[2]!) as Record<string, unknown>,
    }));
  await expect.poll(() => events().length).toBeGreaterThan(0);
  return { socket, closed, events, text: () => text };
}

describe('the inspector page (GET /__mock/ui)', () => {
  it('should serve its page, script and style under a policy that allows only its own files', async () => {
    const mock = await mockWith();
    const page = await get(`${mock.url}/__mock/ui`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toBe(INSPECTOR_CSP);
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    // No inline script, style or handler: only the files the policy allows.
    expect(page.body).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=|https?:\/\//);
    expect([...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])).toEqual([
      '/__mock/ui/icon.svg',
      '/__mock/ui/app.css',
      '/__mock/ui/app.js',
    ]);
    for (const [file, type] of [
      ['app.js', 'text/javascript; charset=utf-8'],
      ['app.css', 'text/css; charset=utf-8'],
      ['icon.svg', 'image/svg+xml'],
    ] as const) {
      const answer = await get(`${mock.url}/__mock/ui/${file}`);
      expect([answer.status, answer.headers['content-type']]).toEqual([200, type]);
    }
  });

  it('should answer HEAD without a body and refuse other methods with 405', async () => {
    const mock = await mockWith();
    const head = await get(`${mock.url}/__mock/ui`, {}, 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
    const post = await get(`${mock.url}/__mock/ui`, {}, 'POST');
    expect([post.status, post.headers['allow']]).toEqual([405, 'GET, HEAD']);
  });

  it('should guard the page and its stream like every admin path: loopback Host, admin token', async () => {
    const open = await mockWith();
    for (const path of ['/__mock/ui', '/__mock/ui/app.js', '/__mock/stream']) {
      expect((await get(`${open.url}${path}`, { host: 'evil.example' })).status).toBe(403);
    }
    const guarded = await mockWith({ adminToken: 'admin-s3cret' });
    // The page's files hold no data: a browser opens them without the token, then sends it.
    for (const path of ['/__mock/ui', '/__mock/ui/app.js', '/__mock/ui/app.css']) {
      expect((await get(`${guarded.url}${path}`)).status).toBe(200);
      expect((await get(`${guarded.url}${path}`, { host: 'evil.example' })).status).toBe(403);
    }
    expect((await get(`${guarded.url}/__mock/stream`)).status).toBe(401);
    expect((await get(`${guarded.url}/__mock/deliveries`)).status).toBe(401);
    const wrong = await get(`${guarded.url}/__mock/stream`, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });
});

describe('the inspector script', () => {
  it('should parse, and write no markup: text and created elements only', () => {
    expect(() => new Script(APP_SCRIPT)).not.toThrow();
    expect(APP_SCRIPT).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\b|new Function|setAttribute/,
    );
    expect(APP_SCRIPT).toContain('textContent');
  });

  it('should talk only to its own origin', () => {
    expect(APP_SCRIPT).not.toMatch(/https?:\/\//);
    for (const match of APP_SCRIPT.matchAll(/(?:fetch|EventSource)\('([^']*)'/g)) {
      expect(match[1]).toMatch(/^\/__mock\//);
    }
  });
});

describe('the inspector stream (GET /__mock/stream)', () => {
  it('should send a snapshot, then each request with its signature verdict and token scopes', async () => {
    const mock = await startMockServer({ seed: 'documented-examples' });
    cleanup.push(() => mock.close());
    const stream = await openStream(mock.url);
    expect(stream.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stream.text()).toContain('content-type: text/event-stream');
    const [snapshot] = stream.events();
    expect(snapshot?.event).toBe('snapshot');
    expect(snapshot?.data['webhooks']).toEqual(mock.webhooks());
    expect(snapshot?.data['eventNames']).toContain('USER.CREATED');

    const client = createWebhooksClient({
      baseUrl: mock.url,
      clientId: mock.credentials.clientId,
      clientSecret: mock.credentials.clientSecret,
      keyId: mock.credentials.keyId,
      privateKey: mock.credentials.privateKey!,
    });
    await client.list();
    const requests = () =>
      stream
        .events()
        .filter((e) => e.event === 'request')
        .map((e) => e.data as unknown as InspectedRequest);
    await expect.poll(() => requests().length).toBe(2);
    expect(requests()).toEqual([
      expect.objectContaining({
        seq: 1,
        path: '/auth/token',
        status: 200,
        signature: { ok: true },
      }),
      expect.objectContaining({
        seq: 2,
        method: 'GET',
        path: '/webhooks',
        status: 200,
        operationId: 'list_webhooks',
        signature: { ok: true },
        scopes: expect.arrayContaining(['webhooks:read']) as unknown,
      }),
    ]);
  });

  it('should send each delivery with its events, signed headers, answer and latency', async () => {
    const receiver = await startLoopbackServer((_request, response) => {
      response.writeHead(204).end();
    });
    cleanup.push(() => receiver.close());
    const mock = await mockWith({ seed: 'documented-examples', deliveryTarget: receiver.url });
    const stream = await openStream(mock.url);
    mock.triggerEvents({ type: 'USER.CREATED' });
    await expect.poll(() => stream.events().some((e) => e.event === 'delivery')).toBe(true);
    const delivery = stream.events().find((e) => e.event === 'delivery')?.data;
    expect(delivery).toMatchObject({
      id: mock.deliveries[0]?.id,
      webhookId: mock.webhooks()[0]?.id,
      events: [{ type: 'USER.CREATED' }],
      status: 204,
    });
    expect(delivery).not.toHaveProperty('error');
    expect(Object.keys(delivery?.['headers'] as object)).toEqual(
      expect.arrayContaining(['signature', 'signature-input', 'digest']),
    );
    expect(delivery?.['latencyMs']).toBeGreaterThanOrEqual(0);
  });

  it('should send the new state when a webhook or a fault changes, and a new snapshot on reset', async () => {
    const mock = await mockWith({ seed: 'documented-examples' });
    const stream = await openStream(mock.url);
    mock.injectFault({ kind: 'unavailable' });
    await expect.poll(() => stream.events().at(-1)?.event).toBe('state');
    expect(stream.events().at(-1)?.data['faults']).toEqual(mock.pendingFaults());
    mock.reset();
    await expect.poll(() => stream.events().at(-1)?.event).toBe('snapshot');
  });

  it('should end every open stream when the mock closes, so it closes at once', async () => {
    const mock = await startMockServer({ requestSignatures: 'off' });
    const streams = [await openStream(mock.url), await openStream(mock.url)];
    const started = performance.now();
    await mock.close();
    await Promise.all(streams.map((stream) => stream.closed));
    expect(performance.now() - started).toBeLessThan(1_000);
    // The chunked body was ended, not cut: its last chunk arrived.
    for (const stream of streams) expect(stream.text()).toMatch(/\r\n0\r\n\r\n$/);
  });
});

describe('InspectorStreams', () => {
  it('should drop the listener of a page that went away (a closed tab)', async () => {
    const feed = new InspectorFeed(() => ({ webhooks: [], faults: [] }), []);
    const streams = new InspectorStreams(feed);
    const server = createServer((_request, response) => streams.serve(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pages = [await openStream(url), await openStream(url)];
    expect([streams.size, feed.listenerCount]).toEqual([2, 2]);
    pages[0]!.socket.destroy();
    await expect.poll(() => [streams.size, feed.listenerCount]).toEqual([1, 1]);
    pages[1]!.socket.destroy();
    await expect.poll(() => [streams.size, feed.listenerCount]).toEqual([0, 0]);
  });
});

describe('InspectorFeed', () => {
  it(`should keep the last ${HISTORY_LIMIT} requests and forget them on reset`, () => {
    const feed = new InspectorFeed(() => ({ webhooks: [], faults: [] }), []);
    for (let seq = 1; seq <= HISTORY_LIMIT + 5; seq++) {
      feed.request({ seq, at: '', method: 'GET', path: '/webhooks', status: 200 });
    }
    const { requests } = feed.snapshot();
    expect([requests.length, requests[0]?.seq]).toEqual([HISTORY_LIMIT, 6]);
    feed.reset();
    expect(feed.snapshot().requests).toEqual([]);
  });
});
