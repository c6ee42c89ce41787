import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateProblem, validateWebhook } from '../../generated/validators.js';
import { createWebhooksClient } from '../client/webhooks-client.js';
import { UpvestApiError } from '../errors.js';
import { generateKeyPairSync } from 'node:crypto';
import { createUpvestSigner } from '../signing/upvest-profile.js';
import { seedRequest } from '../test-support/fixtures.js';
import { startMockServer, type MockServer } from './mock-server.js';

const DOCUMENTED_ID = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';

let mock: MockServer;
let admin: string;
let reader: string;

beforeAll(async () => {
  // Signatures are off here: these tests are about the rest of the contract (see 'signatures').
  mock = await startMockServer({ seed: 'documented-examples', requestSignatures: 'off' });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
  admin = mock.issueToken(['webhooks:admin']);
  reader = mock.issueToken(['webhooks:read']);
});

function headers(
  token: string = admin,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'upvest-client-id': mock.credentials.clientId,
    accept: 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  };
}

async function call(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
) {
  const response = await fetch(`${mock.url}${path}`, {
    method,
    headers: init.headers ?? {
      ...headers(),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await response.text();
  return { response, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

function client(token = admin) {
  return createWebhooksClient({
    baseUrl: mock.url,
    clientId: mock.credentials.clientId,
    accessToken: token,
    responseValidation: 'strict',
  });
}

describe('startMockServer', () => {
  describe('rejections the real API makes', () => {
    const json = (value: unknown) => JSON.stringify(value);
    const withoutClientId = () => {
      const { 'upvest-client-id': _omitted, ...rest } = headers();
      return rest;
    };
    type Row = [string, string, string, () => Record<string, string>, string | undefined, number];
    const rows: Row[] = [
      ['a missing upvest-client-id', 'GET', '/webhooks', withoutClientId, undefined, 400],
      [
        'an unknown upvest-client-id',
        'GET',
        '/webhooks',
        () => ({ ...headers(), 'upvest-client-id': 'ebabcf4d-61c3-4942-875c-e265a7c2d062' }),
        undefined,
        401,
      ],
      ['a missing token', 'GET', '/webhooks', () => headers(''), undefined, 401],
      ['an unknown token', 'GET', '/webhooks', () => headers('bm9wZQ'), undefined, 401],
      [
        'a token that is not a bearer token',
        'GET',
        '/webhooks',
        () => ({ ...headers(), authorization: 'Basic dTpw' }),
        undefined,
        401,
      ],
      [
        'a read token on a write',
        'POST',
        '/webhooks',
        () => headers(reader),
        json(seedRequest),
        403,
      ],
      [
        'an accept header without JSON',
        'GET',
        '/webhooks',
        () => headers(admin, { accept: 'application/pdf' }),
        undefined,
        406,
      ],
      [
        'an unsupported API version',
        'GET',
        '/webhooks',
        () => headers(admin, { 'upvest-api-version': '2' }),
        undefined,
        400,
      ],
      ['an unknown path', 'GET', '/webhookz', () => headers(), undefined, 404],
      ['a wrong method', 'PUT', '/webhooks', () => headers(), undefined, 405],
      [
        'an unknown webhook id',
        'GET',
        '/webhooks/00000000-0000-4000-8000-000000000000',
        () => headers(),
        undefined,
        404,
      ],
      ['a malformed webhook id', 'GET', '/webhooks/not-a-uuid', () => headers(), undefined, 404],
      ['malformed JSON', 'POST', '/webhooks', () => headers(), '{"title":', 400],
      [
        'a body that is not JSON',
        'POST',
        '/webhooks',
        () => headers(admin, { 'content-type': 'text/plain' }),
        json(seedRequest),
        400,
      ],
      [
        'enabled on create (R8)',
        'POST',
        '/webhooks',
        () => headers(),
        json({ ...seedRequest, enabled: true }),
        400,
      ],
      [
        'an extra property',
        'POST',
        '/webhooks',
        () => headers(),
        json({ ...seedRequest, colour: 'red' }),
        400,
      ],
      ['a missing url', 'POST', '/webhooks', () => headers(), json({ title: 'x' }), 400],
      [
        'an http URL (R1)',
        'POST',
        '/webhooks',
        () => headers(),
        json({ ...seedRequest, url: 'http://tenant.tld/' }),
        400,
      ],
      [
        'an IP host (R2)',
        'POST',
        '/webhooks',
        () => headers(),
        json({ ...seedRequest, url: 'https://127.1/' }),
        400,
      ],
      [
        'a delay of 31s (R5)',
        'POST',
        '/webhooks',
        () => headers(),
        json({ ...seedRequest, config: { delay: '31s' } }),
        400,
      ],
      [
        'an id in a PATCH',
        'PATCH',
        `/webhooks/${DOCUMENTED_ID}`,
        () => headers(),
        json({ id: DOCUMENTED_ID }),
        400,
      ],
      ['limit 1001', 'GET', '/webhooks?limit=1001', () => headers(), undefined, 400],
      ['a non-numeric offset', 'GET', '/webhooks?offset=two', () => headers(), undefined, 400],
      ['an unknown sort field', 'GET', '/webhooks?sort=id', () => headers(), undefined, 400],
      [
        'a body over 1 MiB',
        'POST',
        '/webhooks',
        () => headers(),
        json({ ...seedRequest, title: 'x'.repeat(1024 * 1024) }),
        413,
      ],
    ];

    it.each(rows)(
      'should answer %s with a problem',
      async (_name, method, path, build, body, status) => {
        const result = await call(method, path, {
          headers: { 'content-type': 'application/json', ...build() },
          ...(body !== undefined ? { body } : {}),
        });

        expect(result.response.status).toBe(status);
        expect(result.response.headers.get('content-type')).toBe('application/problem+json');
        expect(result.response.headers.get('upvest-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(validateProblem(result.body)).toBe(true);
        expect(result.body?.['status']).toBe(status);
        expect(mock.webhooks()).toHaveLength(1);
      },
    );

    it('should say which fields are wrong in the details of a 400', async () => {
      const { body } = await call('POST', '/webhooks', {
        body: JSON.stringify({ ...seedRequest, url: 'http://10.0.0.1/', config: { delay: '0s' } }),
      });
      expect(body?.['details']).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ pointer: '/url', code: 'url.scheme_not_https' }),
          expect.objectContaining({ pointer: '/url', code: 'url.ip_host' }),
          expect.objectContaining({ pointer: '/config/delay', code: 'delay.malformed' }),
        ]),
      );
      expect(mock.webhooks()).toHaveLength(1);
    });

    it('should reject an expired token', async () => {
      let clock = new Date('2026-01-01T00:00:00Z');
      const timed = await startMockServer({
        now: () => clock,
        tokenLifetimeSeconds: 60,
        requestSignatures: 'off',
      });
      try {
        const token = timed.issueToken(['webhooks:read']);
        const ask = () =>
          fetch(`${timed.url}/webhooks`, {
            headers: {
              'upvest-client-id': timed.credentials.clientId,
              authorization: `Bearer ${token}`,
            },
          });
        expect((await ask()).status).toBe(200);
        clock = new Date('2026-01-01T00:01:01Z');
        expect((await ask()).status).toBe(401);
      } finally {
        await timed.close();
      }
    });
  });

  describe('POST /auth/token', () => {
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const tokenCall = (fields: Record<string, string>, clientHeader = mock.credentials.clientId) =>
      fetch(`${mock.url}/auth/token`, {
        method: 'POST',
        headers: {
          'upvest-client-id': clientHeader,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form(fields),
      });

    it('should issue a bearer token for the tenant credentials', async () => {
      const response = await tokenCall({
        client_id: mock.credentials.clientId,
        client_secret: mock.credentials.clientSecret,
        grant_type: 'client_credentials',
        scope: 'webhooks:read webhooks:admin',
      });
      const body = (await response.json()) as Record<string, unknown>;
      expect(response.status).toBe(200);
      expect(body).toMatchObject({
        token_type: 'bearer',
        expires_in: 3600,
        scope: 'webhooks:read webhooks:admin',
      });
      const list = await fetch(`${mock.url}/webhooks`, {
        headers: {
          'upvest-client-id': mock.credentials.clientId,
          authorization: `Bearer ${String(body['access_token'])}`,
        },
      });
      expect(list.status).toBe(200);
    });

    it.each([
      ['a wrong secret', { client_secret: 'wrong' }, 401],
      ['an unknown scope', { scope: 'users:admin' }, 400],
      ['another grant type', { grant_type: 'password' }, 400],
    ])('should refuse %s without echoing the secret', async (_name, change, status) => {
      const response = await tokenCall({
        client_id: mock.credentials.clientId,
        client_secret: mock.credentials.clientSecret,
        grant_type: 'client_credentials',
        scope: 'webhooks:admin',
        ...change,
      });
      const text = await response.text();
      expect(response.status).toBe(status);
      expect(text).not.toContain(mock.credentials.clientSecret);
    });
  });

  describe('the webhook lifecycle through our client', () => {
    it('should create webhooks disabled (R8) and echo what was sent', async () => {
      const created = await client().create(seedRequest);
      expect(created).toMatchObject({ ...seedRequest, enabled: false });
      expect(validateWebhook(created)).toBe(true);
      expect(await client(reader).retrieve(created.id)).toEqual(created);
    });

    it('should default the categories to ALL (R7)', async () => {
      const created = await client().create({ title: 't', url: 'https://tenant.tld/all' });
      expect(created.type).toEqual(['ALL']);
    });

    it('should enable, disable and update with a merged config', async () => {
      const created = await client().create(seedRequest);
      expect((await client().enable(created.id)).enabled).toBe(true);
      expect((await client().disable(created.id)).enabled).toBe(false);
      const updated = await client().update(created.id, {
        title: 'Renamed',
        config: { delay: '5s' },
      });
      expect(updated).toMatchObject({
        title: 'Renamed',
        config: { delay: '5s', max_package_size: 51200 },
      });
    });

    it('should page and sort the list', async () => {
      for (const title of ['c', 'a', 'b']) await client().create({ ...seedRequest, title });
      const page = await client().list({ sort: 'title', order: 'DESC', offset: 1, limit: 2 });
      expect(page.meta).toEqual({
        offset: 1,
        limit: 2,
        count: 2,
        total_count: 4,
        sort: 'title',
        order: 'DESC',
      });
      // Byte order: 'c' > 'b' > 'a' > 'User webhook' (upper case sorts first).
      expect(page.data.map((w) => w.title)).toEqual(['b', 'a']);
      const all: string[] = [];
      for await (const webhook of client(reader).listAll({ limit: 1 })) all.push(webhook.title);
      expect(all).toHaveLength(4);
    });

    it('should accept a test (202) and delete (204), then answer 404', async () => {
      const tested: string[] = [];
      const hooked = await startMockServer({
        onTestRequested: (webhook) => void tested.push(webhook.id),
        requestSignatures: 'off',
      });
      try {
        const c = createWebhooksClient({
          baseUrl: hooked.url,
          clientId: hooked.credentials.clientId,
          accessToken: hooked.issueToken(['webhooks:admin']),
        });
        const created = await c.create(seedRequest);
        await c.test(created.id);
        expect(tested).toEqual([created.id]);
        await c.delete(created.id);
        const error = await c.retrieve(created.id).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UpvestApiError);
        expect((error as UpvestApiError).status).toBe(404);
      } finally {
        await hooked.close();
      }
    });

    it('should serve its own delivery key, or the documented one on request', async () => {
      const keys = await client(reader).verificationKeys();
      expect(keys.keys).toHaveLength(1);
      expect(keys.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-521' });
      const documented = await startMockServer({
        verifyKeys: 'documented-example',
        requestSignatures: 'off',
      });
      try {
        const other = createWebhooksClient({
          baseUrl: documented.url,
          clientId: documented.credentials.clientId,
          accessToken: documented.issueToken(['webhooks:read']),
        });
        expect((await other.verificationKeys()).keys[0]?.kid).toBe(
          '9ed77463-c18e-4794-ab5c-17423f9b801a',
        );
      } finally {
        await documented.close();
      }
    });
  });

  describe('bookkeeping', () => {
    it('should count every request, rejected ones included, before the response arrives', async () => {
      await call('GET', '/webhooks');
      await call('GET', '/nope');
      expect(mock.requestCount).toBe(2);
      expect(mock.requests.map((r) => [r.operationId, r.status])).toEqual([
        ['list_webhooks', 200],
        [undefined, 404],
      ]);
    });

    it('should bring the seed back on reset', async () => {
      await client().delete(DOCUMENTED_ID);
      expect(mock.webhooks()).toHaveLength(0);
      mock.reset();
      expect(mock.webhooks().map((w) => w.id)).toEqual([DOCUMENTED_ID]);
    });

    it('should close twice without error', async () => {
      const other = await startMockServer();
      await other.close();
      await expect(other.close()).resolves.toBeUndefined();
    });
  });

  describe('signature seam', () => {
    it('should demand signature headers and answer 401 when the verifier refuses', async () => {
      const seen: string[] = [];
      const signed = await startMockServer({
        verifyRequest: (request) => {
          seen.push(request.headers['signature'] ?? '');
          return request.headers['signature'] === 'sig1=:good:'
            ? { valid: true }
            : { valid: false, reason: 'bad_signature', message: 'the signature does not verify' };
        },
      });
      try {
        const base = {
          'upvest-client-id': signed.credentials.clientId,
          authorization: `Bearer ${signed.issueToken(['webhooks:read'])}`,
        };
        const unsigned = await fetch(`${signed.url}/webhooks`, { headers: base });
        const wrong = await fetch(`${signed.url}/webhooks`, {
          headers: { ...base, signature: 'sig1=:bad:', 'signature-input': 'sig1=()' },
        });
        const good = await fetch(`${signed.url}/webhooks`, {
          headers: { ...base, signature: 'sig1=:good:', 'signature-input': 'sig1=()' },
        });
        expect([unsigned.status, wrong.status, good.status]).toEqual([401, 401, 200]);
        expect(seen).toEqual(['sig1=:bad:', 'sig1=:good:']);
      } finally {
        await signed.close();
      }
    });
  });

  describe('signatures (v15 profile, on by default)', () => {
    let signed: MockServer;
    beforeAll(async () => {
      signed = await startMockServer();
    });
    afterAll(async () => {
      await signed.close();
    });

    const signedClient = (privateKey = signed.credentials.privateKey) =>
      createWebhooksClient({
        baseUrl: signed.url,
        clientId: signed.credentials.clientId,
        accessToken: signed.issueToken(['webhooks:admin']),
        signer: createUpvestSigner({ keyId: signed.credentials.keyId, privateKey: privateKey! }),
      });

    it('should accept requests signed with the tenant key it generated', async () => {
      const created = await signedClient().create(seedRequest);
      expect(created.enabled).toBe(false);
      await signedClient().delete(created.id);
    });

    it('should answer 401 to an unsigned request', async () => {
      const unsigned = createWebhooksClient({
        baseUrl: signed.url,
        clientId: signed.credentials.clientId,
        accessToken: signed.issueToken(['webhooks:read']),
      });
      const error = await unsigned.list().catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 401 });
      expect((error as UpvestApiError).problem?.detail).toContain('not signed');
    });

    it('should answer 401 to a request signed with another key', async () => {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
      const error = await signedClient(other)
        .list()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 401 });
      expect((error as UpvestApiError).problem?.detail).toContain('Signature is incorrect');
    });

    it('should answer 401 when the body was changed after signing', async () => {
      const signer = createUpvestSigner({
        keyId: signed.credentials.keyId,
        privateKey: signed.credentials.privateKey!,
      });
      const body = new TextEncoder().encode(JSON.stringify(seedRequest));
      const headers = new Headers({
        'upvest-client-id': signed.credentials.clientId,
        authorization: `Bearer ${signed.issueToken(['webhooks:admin'])}`,
        'content-type': 'application/json',
      });
      for (const [name, value] of Object.entries(
        await signer({ method: 'POST', url: `${signed.url}/webhooks`, headers, body }),
      )) {
        headers.set(name, value);
      }
      const tampered = JSON.stringify({ ...seedRequest, url: 'https://attacker.tld/hook' });
      headers.set('content-length', String(Buffer.byteLength(tampered)));
      const response = await fetch(`${signed.url}/webhooks`, {
        method: 'POST',
        headers,
        body: tampered,
      });
      expect(response.status).toBe(401);
      expect(signed.webhooks()).toHaveLength(0);
    });
  });
});
