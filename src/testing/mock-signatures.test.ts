import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateProblem } from '../../generated/validators.js';
import { createWebhooksClient } from '../client/webhooks-client.js';
import type { UpvestApiError } from '../errors.js';
import { createUpvestSigner } from '../signing/upvest-profile.js';
import { seedRequest } from '../test-support/fixtures.js';
import { startMockServer, type MockServer } from './mock-server.js';
import type { MockIncomingRequest, MockVerification } from './mock-signatures.js';

describe('the signature seam (verifyRequest)', () => {
  let mock: MockServer;
  const seen: MockIncomingRequest[] = [];
  beforeAll(async () => {
    mock = await startMockServer({
      verifyRequest: (request): MockVerification => {
        seen.push(request);
        return request.headers['signature'] === 'sig1=:good:'
          ? { ok: true }
          : { ok: false, reason: 'bad_signature', message: 'the signature does not verify' };
      },
    });
  });
  afterAll(async () => {
    await mock.close();
  });

  const signed = (signature: string | undefined, token?: string) => ({
    'upvest-client-id': mock.credentials.clientId,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(signature ? { signature, 'signature-input': 'sig1=("@method");keyid="k"' } : {}),
  });

  it.each([
    ['an unsigned request, before the verifier is asked', undefined, 'not signed'],
    [
      'a request the verifier refuses',
      'sig1=:bad:',
      'Signature is incorrect: the signature does not verify',
    ],
  ])('should answer %s with 401', async (_name, signature, detail) => {
    seen.length = 0;
    const response = await fetch(`${mock.url}/webhooks`, {
      headers: signed(signature, mock.issueToken(['webhooks:read'])),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(401);
    expect(response.headers.get('upvest-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(validateProblem(body)).toBe(true);
    expect(body).toMatchObject({ status: 401, title: 'Unauthorised' });
    expect(String(body['detail'])).toContain(detail);
    expect(seen).toHaveLength(signature ? 1 : 0);
  });

  it('should hand the verifier the request as it arrived: method, absolute URL, headers, raw body', async () => {
    seen.length = 0;
    const body = JSON.stringify(seedRequest);
    const response = await fetch(`${mock.url}/webhooks?ignored=1`, {
      method: 'POST',
      headers: {
        ...signed('sig1=:good:', mock.issueToken(['webhooks:admin'])),
        'content-type': 'application/json',
      },
      body,
    });
    expect(response.status).toBe(201); // only the list reads a query; a create ignores it
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: `${mock.url}/webhooks?ignored=1`,
      headers: expect.objectContaining({ signature: 'sig1=:good:' }) as unknown,
    });
    expect(new TextDecoder().decode(seen[0]?.body)).toBe(body);
  });

  it('should check the token request too, which carries no token', async () => {
    seen.length = 0;
    const form = new URLSearchParams({
      client_id: mock.credentials.clientId,
      client_secret: mock.credentials.clientSecret,
      grant_type: 'client_credentials',
      scope: 'webhooks:read',
    }).toString();
    const post = (signature: string) =>
      fetch(`${mock.url}/auth/token`, {
        method: 'POST',
        headers: { ...signed(signature), 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
    expect((await post('sig1=:bad:')).status).toBe(401);
    expect((await post('sig1=:good:')).status).toBe(200);
    expect(seen.map((request) => request.url)).toEqual([
      `${mock.url}/auth/token`,
      `${mock.url}/auth/token`,
    ]);
  });

  it('should check the signature before the token: a good signature with no token is a 401 for the token', async () => {
    seen.length = 0;
    const response = await fetch(`${mock.url}/webhooks`, {
      headers: { ...signed('sig1=:good:'), authorization: 'Bearer unknown' },
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(401);
    expect(String(body['detail'])).toContain('access token');
    expect(seen).toHaveLength(1);
  });

  it('should accept unsigned requests when signatures are off', async () => {
    const off = await startMockServer({ requestSignatures: 'off' });
    try {
      const response = await fetch(`${off.url}/webhooks`, {
        headers: {
          'upvest-client-id': off.credentials.clientId,
          authorization: `Bearer ${off.issueToken(['webhooks:read'])}`,
        },
      });
      expect(response.status).toBe(200);
      expect(off.credentials.privateKey).toBeUndefined();
      expect(off.credentials.keyId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await off.close();
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

  it('should hand out a throwaway tenant key to sign with', () => {
    expect(signed.credentials.privateKey?.asymmetricKeyDetails?.namedCurve).toBe('secp521r1');
    expect(signed.credentials.keyId).toMatch(/^[0-9a-f-]{36}$/);
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

  it('should answer 401 to its own key under another key id, and say why', async () => {
    const client = createWebhooksClient({
      baseUrl: signed.url,
      clientId: signed.credentials.clientId,
      accessToken: signed.issueToken(['webhooks:read']),
      signer: createUpvestSigner({
        keyId: 'not-the-tenant-key',
        privateKey: signed.credentials.privateKey!,
      }),
    });
    const error = await client.list().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401 });
    expect((error as UpvestApiError).problem?.detail).toMatch(/^Signature is incorrect: \S/);
    expect((error as UpvestApiError).problem?.detail).not.toContain('undefined');
  });

  it("should judge the signature window by its own clock, not the machine's", async () => {
    const past = new Date('2021-07-21T14:10:00Z');
    const mock = await startMockServer({ now: () => past });
    try {
      const client = (signedAt: () => number) =>
        createWebhooksClient({
          baseUrl: mock.url,
          clientId: mock.credentials.clientId,
          accessToken: mock.issueToken(['webhooks:read']),
          signer: createUpvestSigner({
            keyId: mock.credentials.keyId,
            privateKey: mock.credentials.privateKey!,
            now: signedAt,
          }),
        });
      await expect(client(() => Math.floor(past.getTime() / 1000)).list()).resolves.toMatchObject({
        data: [],
      });
      await expect(client(() => Math.floor(Date.now() / 1000)).list()).rejects.toMatchObject({
        status: 401,
      });
    } finally {
      await mock.close();
    }
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

  it('should verify with a signing key the test brings', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const own = await startMockServer({
      signingKey: { keyId: 'tenant-key', publicKey: pair.publicKey },
    });
    try {
      expect(own.credentials).toMatchObject({ keyId: 'tenant-key', privateKey: undefined });
      const client = createWebhooksClient({
        baseUrl: own.url,
        clientId: own.credentials.clientId,
        accessToken: own.issueToken(['webhooks:read']),
        signer: createUpvestSigner({ keyId: 'tenant-key', privateKey: pair.privateKey }),
      });
      await expect(client.list()).resolves.toMatchObject({ data: [] });
    } finally {
      await own.close();
    }
  });
});
