import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { operations, type OperationId } from '../../generated/constants.js';
import {
  validateJsonWebKeySet,
  validateProblem,
  validateTokenResponse,
  validateWebhook,
  validateWebhookList,
} from '../../generated/validators.js';
import { createWebhooksClient } from '../client/webhooks-client.js';
import { UpvestApiError, UpvestConfigurationError } from '../errors.js';
import { seedRequest } from '../test-support/fixtures.js';
import type { Webhook } from '../types.js';
import { startMockServer, type MockServer, type MockServerOptions } from './mock-server.js';

const DOCUMENTED_ID = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const OTHER_CLIENT = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let mock: MockServer;
let admin: string;
let reader: string;

beforeAll(async () => {
  // Signatures are off here: these tests are about the rest of the contract; the signature
  // seam and the v15 profile have their own file (mock-signatures.test.ts).
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

interface Probe {
  readonly method?: string;
  readonly path: string;
  /** Headers on top of a valid client id, admin token and JSON accept; `null` removes one. */
  readonly headers?: Record<string, string | null>;
  readonly body?: string;
}

/** A request as a client that obeys no rule would send it, against `server` (default: the shared mock). */
async function send(probe: Probe, server: MockServer = mock, token = admin) {
  const headers: Record<string, string> = {
    'upvest-client-id': server.credentials.clientId,
    authorization: `Bearer ${token}`,
    accept: 'application/json',
    ...(probe.body !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  for (const [name, value] of Object.entries(probe.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  const response = await fetch(`${server.url}${probe.path}`, {
    method: probe.method ?? 'GET',
    headers,
    ...(probe.body !== undefined ? { body: probe.body } : {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { response, text, body: body as Record<string, unknown> | undefined };
}

/** What every refusal must look like: a problem document for the status, with its request id. */
function expectProblem(result: Awaited<ReturnType<typeof send>>, status: number) {
  expect(result.response.status).toBe(status);
  expect(result.response.headers.get('content-type')).toBe('application/problem+json');
  const requestId = result.response.headers.get('upvest-request-id');
  expect(requestId).toMatch(REQUEST_ID);
  expect(validateProblem(result.body), JSON.stringify(validateProblem.errors)).toBe(true);
  expect(result.body).toMatchObject({
    status,
    type: expect.stringMatching(/^https:\/\/docs\.upvest\.co\/errors\/[a-z_]+$/) as unknown,
    title: expect.any(String) as unknown,
    detail: expect.any(String) as unknown,
    request_id: requestId,
  });
}

function client(token = admin, server: MockServer = mock) {
  return createWebhooksClient({
    baseUrl: server.url,
    clientId: server.credentials.clientId,
    accessToken: token,
    responseValidation: 'strict',
  });
}

const json = (value: unknown) => JSON.stringify(value);
const create = (change: Record<string, unknown>): Probe => ({
  method: 'POST',
  path: '/webhooks',
  body: json({ ...seedRequest, ...change }),
});
const patch = (body: string, id = DOCUMENTED_ID): Probe => ({
  method: 'PATCH',
  path: `/webhooks/${id}`,
  body,
});

describe('startMockServer', () => {
  describe('refusing what the real API refuses', () => {
    const rows: [string, number, Probe][] = [
      // headers (facts §2.2, §6)
      [
        'a missing upvest-client-id',
        400,
        { path: '/webhooks', headers: { 'upvest-client-id': null } },
      ],
      [
        'an upvest-client-id that is not a UUID',
        400,
        { path: '/webhooks', headers: { 'upvest-client-id': 'tenant' } },
      ],
      [
        'an unknown upvest-client-id',
        401,
        { path: '/webhooks', headers: { 'upvest-client-id': OTHER_CLIENT } },
      ],
      ['upvest-api-version 2', 400, { path: '/webhooks', headers: { 'upvest-api-version': '2' } }],
      [
        'upvest-api-version in quotation marks',
        400,
        { path: '/webhooks', headers: { 'upvest-api-version': '"1"' } },
      ],
      ['a missing authorization', 401, { path: '/webhooks', headers: { authorization: null } }],
      [
        'a token that is not a bearer token',
        401,
        { path: '/webhooks', headers: { authorization: 'Basic dTpw' } },
      ],
      ['an unknown token', 401, { path: '/webhooks', headers: { authorization: 'Bearer bm9wZQ' } }],
      ['an accept of PDF only', 406, { path: '/webhooks', headers: { accept: 'application/pdf' } }],
      [
        'an accept that excludes JSON with q=0',
        406,
        { path: '/webhooks', headers: { accept: 'application/json;q=0, */*' } },
      ],
      [
        'an accept of text only',
        406,
        { path: '/webhooks/' + DOCUMENTED_ID, headers: { accept: 'text/*' } },
      ],
      // routing (the generated operations table)
      ['an unknown path', 404, { path: '/webhookz' }],
      ['a path with a trailing slash', 404, { path: '/webhooks/' }],
      ['a path that starts with two slashes', 404, { path: '//tenant.tld/webhooks' }],
      [
        'a path below a test',
        404,
        { method: 'POST', path: `/webhooks/${DOCUMENTED_ID}/test/again` },
      ],
      ['PUT on /webhooks', 405, { method: 'PUT', path: '/webhooks' }],
      ['POST on a webhook', 405, { method: 'POST', path: `/webhooks/${DOCUMENTED_ID}` }],
      ['GET on /auth/token', 405, { path: '/auth/token' }],
      // ids
      ['an unknown id on a retrieve', 404, { path: `/webhooks/${UNKNOWN_ID}` }],
      ['an unknown id on an update', 404, patch('{}', UNKNOWN_ID)],
      ['an unknown id on a delete', 404, { method: 'DELETE', path: `/webhooks/${UNKNOWN_ID}` }],
      ['an unknown id on a test', 404, { method: 'POST', path: `/webhooks/${UNKNOWN_ID}/test` }],
      ['a malformed id on a retrieve', 404, { path: '/webhooks/not-a-uuid' }],
      ['a malformed id on an update', 404, patch('{}', `${DOCUMENTED_ID}x`)],
      ['a malformed id on a delete', 404, { method: 'DELETE', path: '/webhooks/not%20a%20uuid' }],
      [
        'a malformed id on a test',
        404,
        { method: 'POST', path: '/webhooks/..%2Fauth%2Ftoken/test' },
      ],
      // create bodies
      ['a create without content-type', 400, { ...create({}), headers: { 'content-type': null } }],
      ['a create as text/plain', 400, { ...create({}), headers: { 'content-type': 'text/plain' } }],
      [
        'a create without a body',
        400,
        { method: 'POST', path: '/webhooks', headers: { 'content-type': 'application/json' } },
      ],
      ['malformed JSON', 400, { method: 'POST', path: '/webhooks', body: '{"title":' }],
      ['JSON null', 400, { method: 'POST', path: '/webhooks', body: 'null' }],
      ['a JSON array', 400, { method: 'POST', path: '/webhooks', body: json([seedRequest]) }],
      ['enabled on create (R8)', 400, create({ enabled: true })],
      ['an extra property', 400, create({ colour: 'red' })],
      ['an id on create', 400, create({ id: DOCUMENTED_ID })],
      [
        'a missing title',
        400,
        { method: 'POST', path: '/webhooks', body: json({ url: seedRequest.url }) },
      ],
      ['a missing url', 400, { method: 'POST', path: '/webhooks', body: json({ title: 'x' }) }],
      ['an http URL (R1)', 400, create({ url: 'http://tenant.tld/webhooks' })],
      ['an IPv4 host (R2)', 400, create({ url: 'https://192.168.0.1/webhooks' })],
      ['an IPv4 host written short (R2)', 400, create({ url: 'https://127.1/webhooks' })],
      ['an IPv6 host (R2)', 400, create({ url: 'https://[::1]/webhooks' })],
      ['a delay of 31s (R5)', 400, create({ config: { delay: '31s' } })],
      ['a delay in minutes (R5)', 400, create({ config: { delay: '1m' } })],
      ['a delay of 0s (R5)', 400, create({ config: { delay: '0s' } })],
      ['a max_package_size of 99 (R6)', 400, create({ config: { max_package_size: 99 } })],
      [
        'a max_package_size above 1 MiB (R6)',
        400,
        create({ config: { max_package_size: 1048577 } }),
      ],
      ['an unknown category (R7)', 400, create({ type: ['USERS'] })],
      ['a title over 100 characters (R9)', 400, create({ title: 't'.repeat(101) })],
      // update bodies
      ['an id in an update', 400, patch(json({ id: DOCUMENTED_ID }))],
      ['created_at in an update', 400, patch(json({ created_at: '2021-07-21T14:10:00.00Z' }))],
      ['enabled as a string in an update', 400, patch(json({ enabled: 'true' }))],
      ['an http URL in an update (R1)', 400, patch(json({ url: 'http://tenant.tld/' }))],
      ['a delay of 31s in an update (R5)', 400, patch(json({ config: { delay: '31s' } }))],
      ['malformed JSON in an update', 400, patch('{')],
      // the list query (facts §7)
      ['limit 1001', 400, { path: '/webhooks?limit=1001' }],
      ['a negative limit', 400, { path: '/webhooks?limit=-1' }],
      ['a fractional limit', 400, { path: '/webhooks?limit=1.5' }],
      ['a limit in exponent notation', 400, { path: '/webhooks?limit=1e2' }],
      ['a limit beyond int32', 400, { path: '/webhooks?limit=99999999999' }],
      ['a non-numeric offset', 400, { path: '/webhooks?offset=two' }],
      ['a negative offset', 400, { path: '/webhooks?offset=-1' }],
      ['an unknown sort field', 400, { path: '/webhooks?sort=id' }],
      ['a lower-case order', 400, { path: '/webhooks?order=asc' }],
      ['an unknown query parameter', 400, { path: '/webhooks?page=2' }],
      ['a repeated query parameter', 400, { path: '/webhooks?limit=1&limit=2' }],
      // size
      ['a body over 1 MiB', 413, create({ title: 'x'.repeat(1024 * 1024) })],
    ];

    it.each(rows)(
      'should answer %s with %i and a problem document',
      async (_name, status, probe) => {
        const result = await send(probe);

        expectProblem(result, status);
        expect(mock.webhooks()).toHaveLength(1);
        expect(mock.webhooks()[0]?.enabled).toBe(true);
      },
    );

    it('should title a missing upvest-client-id "Missing Client ID", as Upvest documents it', async () => {
      const { body } = await send({ path: '/webhooks', headers: { 'upvest-client-id': null } });
      expect(body).toMatchObject({
        type: 'https://docs.upvest.co/errors/missing_client_id',
        title: 'Missing Client ID',
      });
    });

    it('should list every broken rule in the details of a 400, with pointer, code and message', async () => {
      const result = await send(create({ url: 'http://10.0.0.1/', config: { delay: '0s' } }));

      expectProblem(result, 400);
      expect(result.body?.['type']).toBe('https://docs.upvest.co/errors/invalid_request');
      expect(result.body?.['details']).toEqual(
        expect.arrayContaining([
          { pointer: '/url', code: 'url.scheme_not_https', message: expect.any(String) as unknown },
          { pointer: '/url', code: 'url.ip_host', message: expect.any(String) as unknown },
          {
            pointer: '/config/delay',
            code: 'delay.malformed',
            message: expect.any(String) as unknown,
          },
        ]),
      );
    });

    it('should point at the offending property of a schema refusal', async () => {
      const { body } = await send(create({ enabled: false }));
      expect(body?.['details']).toEqual([
        {
          pointer: '/enabled',
          code: 'schema.additionalProperties',
          message: 'is not a known property',
        },
      ]);
    });

    it.each([
      ['PUT', '/webhooks', 'GET, POST'],
      ['POST', `/webhooks/${DOCUMENTED_ID}`, 'GET, PATCH, DELETE'],
      ['GET', `/webhooks/${DOCUMENTED_ID}/test`, 'POST'],
      ['DELETE', '/auth/verify_keys', 'GET'],
    ])('should answer %s %s with 405 and allow: %s', async (method, path, allow) => {
      const result = await send({ method, path });
      expectProblem(result, 405);
      expect(result.response.headers.get('allow')?.split(', ').sort()).toEqual(
        allow.split(', ').sort(),
      );
    });

    it('should refuse a token once it has expired, by the injected clock', async () => {
      let clock = new Date('2026-01-01T00:00:00Z');
      const timed = await startMockServer({
        now: () => clock,
        tokenLifetimeSeconds: 60,
        requestSignatures: 'off',
      });
      try {
        const token = timed.issueToken(['webhooks:read']);
        expect((await send({ path: '/webhooks' }, timed, token)).response.status).toBe(200);
        clock = new Date('2026-01-01T00:00:59.999Z');
        expect((await send({ path: '/webhooks' }, timed, token)).response.status).toBe(200);
        clock = new Date('2026-01-01T00:01:00Z');
        expectProblem(await send({ path: '/webhooks' }, timed, token), 401);
      } finally {
        await timed.close();
      }
    });

    it('should refuse a body declared larger than the limit before reading it', async () => {
      const small = await startMockServer({ maxBodyBytes: 64, requestSignatures: 'off' });
      try {
        const result = await send(create({}), small, small.issueToken(['webhooks:admin']));
        expectProblem(result, 413);
        expect(small.webhooks()).toEqual([]);
        // The connection survives the refusal: the next request on it is answered.
        expect(
          (await send({ path: '/webhooks' }, small, small.issueToken(['webhooks:read']))).response
            .status,
        ).toBe(200);
      } finally {
        await small.close();
      }
    });

    it('should refuse a streamed body once it passes the limit', async () => {
      const small = await startMockServer({ maxBodyBytes: 1024, requestSignatures: 'off' });
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const outgoing = httpRequest(
            `${small.url}/webhooks`,
            {
              method: 'POST',
              headers: {
                'upvest-client-id': small.credentials.clientId,
                authorization: `Bearer ${small.issueToken(['webhooks:admin'])}`,
                'content-type': 'application/json',
                'transfer-encoding': 'chunked',
              },
            },
            (response) => {
              response.resume();
              resolve(response.statusCode ?? 0);
            },
          );
          outgoing.on('error', reject);
          for (let i = 0; i < 8; i += 1) outgoing.write('x'.repeat(512));
          outgoing.end();
        });
        expect(status).toBe(413);
      } finally {
        await small.close();
      }
    });
  });

  describe('content negotiation (406)', () => {
    it.each([
      ['no accept header', null],
      ['an empty accept header', ''],
      ['application/json', 'application/json'],
      ['application/json with a charset', 'application/json; charset=utf-8'],
      ['upper case', 'APPLICATION/JSON'],
      ['*/*', '*/*'],
      ['application/*', 'application/*'],
      ['JSON among others with a low q', 'text/html, application/json;q=0.1'],
      ['a wildcard when JSON is not named', 'text/html;q=0.9, */*;q=0.1'],
    ])('should answer a list with %s', async (_name, accept) => {
      const result = await send({ path: '/webhooks', headers: { accept } });
      expect(result.response.status).toBe(200);
    });

    it.each([
      ['problem+json alone, which a success is not', 'application/problem+json'],
      ['JSON refused with q=0', 'application/json;q=0'],
      [
        'JSON refused with q=0 next to problem+json',
        'application/problem+json, application/json;q=0',
      ],
      ['a PDF', 'application/pdf'],
    ])('should answer a list with %s by 406', async (_name, accept) => {
      expectProblem(await send({ path: '/webhooks', headers: { accept } }), 406);
    });

    it('should not negotiate a DELETE, which declares no 406 and answers no body', async () => {
      const result = await send({
        method: 'DELETE',
        path: `/webhooks/${DOCUMENTED_ID}`,
        headers: { accept: 'application/pdf' },
      });
      expect(result.response.status).toBe(204);
    });

    it('should negotiate the token request, which declares 406', async () => {
      const result = await send({
        method: 'POST',
        path: '/auth/token',
        headers: { accept: 'text/html', authorization: null },
      });
      expectProblem(result, 406);
    });

    it('should authenticate before it negotiates: no token and a PDF accept is a 401', async () => {
      const result = await send({
        path: '/webhooks',
        headers: { accept: 'application/pdf', authorization: null },
      });
      expectProblem(result, 401);
    });
  });

  describe('a body where the operation takes none', () => {
    it.each([
      ['a test', 'POST', `/webhooks/${DOCUMENTED_ID}/test`],
      ['a delete', 'DELETE', `/webhooks/${DOCUMENTED_ID}`],
    ])(
      'should refuse %s that carries a body with 400, and do nothing',
      async (_name, method, path) => {
        const deliveriesBefore = mock.deliveries.length;
        const result = await send({ method, path, body: '{"note":"unexpected"}' });
        expectProblem(result, 400);
        expect(mock.webhooks()).toEqual([expect.objectContaining({ id: DOCUMENTED_ID })]);
        expect(mock.deliveries).toHaveLength(deliveriesBefore);
      },
    );
  });

  describe('guarding every operation of the spec', () => {
    /** A request each operation would accept, built from the generated operations table. */
    function probeFor(operationId: OperationId): Probe {
      const { method, path } = operations[operationId];
      const concrete = path.replace('{webhook_id}', DOCUMENTED_ID);
      if (operationId === 'create_webhook')
        return { method, path: concrete, body: json(seedRequest) };
      if (operationId === 'update_webhook') return { method, path: concrete, body: '{}' };
      return { method, path: concrete };
    }
    const all = Object.keys(operations) as OperationId[];
    const guarded = all.filter((id) => id !== 'issue_token');
    const writes = guarded.filter(
      (id) =>
        !operations[id].scopes.some((requirement: readonly string[]) =>
          requirement.includes('webhooks:read'),
        ),
    );
    const reads = guarded.filter((id) => !writes.includes(id));

    it('should know which operations write, from the generated scopes', () => {
      expect(writes.sort()).toEqual(
        ['create_webhook', 'delete_webhook', 'test_webhook', 'update_webhook'].sort(),
      );
    });

    it.each(all)('should answer %s without upvest-client-id with 400', async (operationId) => {
      const probe = probeFor(operationId);
      expectProblem(await send({ ...probe, headers: { 'upvest-client-id': null } }), 400);
    });

    it.each(guarded)('should answer %s without a token with 401', async (operationId) => {
      const probe = probeFor(operationId);
      expectProblem(await send({ ...probe, headers: { authorization: null } }), 401);
    });

    it.each(guarded)('should answer %s for another tenant with 401', async (operationId) => {
      const probe = probeFor(operationId);
      expectProblem(await send({ ...probe, headers: { 'upvest-client-id': OTHER_CLIENT } }), 401);
    });

    it.each(writes)('should answer %s with a read-only token with 403', async (operationId) => {
      expectProblem(await send(probeFor(operationId), mock, reader), 403);
      expect(mock.webhooks()).toEqual([expect.objectContaining({ id: DOCUMENTED_ID })]);
    });

    it.each(reads)('should answer %s with an unrelated scope with 403', async (operationId) => {
      expectProblem(await send(probeFor(operationId), mock, mock.issueToken(['users:read'])), 403);
    });

    it.each(reads)(
      'should let %s through with webhooks:read or webhooks:admin',
      async (operationId) => {
        expect((await send(probeFor(operationId), mock, reader)).response.status).toBe(200);
        expect((await send(probeFor(operationId), mock, admin)).response.status).toBe(200);
      },
    );
  });

  describe('POST /auth/token', () => {
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const valid = () => ({
      client_id: mock.credentials.clientId,
      client_secret: mock.credentials.clientSecret,
      grant_type: 'client_credentials',
      scope: 'webhooks:admin',
    });
    const tokenProbe = (body: string, headers: Record<string, string | null> = {}): Probe => ({
      method: 'POST',
      path: '/auth/token',
      body,
      headers: {
        authorization: null,
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
    });

    it('should issue a bearer token for the tenant credentials', async () => {
      const result = await send(
        tokenProbe(form({ ...valid(), scope: 'webhooks:read webhooks:admin' })),
      );

      expect(result.response.status).toBe(200);
      expect(result.response.headers.get('upvest-request-id')).toMatch(REQUEST_ID);
      expect(validateTokenResponse(result.body)).toBe(true);
      expect(result.body).toMatchObject({
        token_type: 'bearer',
        expires_in: 3600,
        scope: 'webhooks:read webhooks:admin',
        access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown,
      });
      const token = String(result.body?.['access_token']);
      expect((await send({ path: '/webhooks' }, mock, token)).response.status).toBe(200);
    });

    it('should grant only what was asked: a read token cannot write', async () => {
      const result = await send(tokenProbe(form({ ...valid(), scope: 'webhooks:read' })));
      const token = String(result.body?.['access_token']);
      expectProblem(await send(create({}), mock, token), 403);
    });

    it('should say how long a token lives, and honour it', async () => {
      let clock = new Date('2026-01-01T00:00:00Z');
      const timed = await startMockServer({
        now: () => clock,
        tokenLifetimeSeconds: 120,
        requestSignatures: 'off',
      });
      try {
        const result = await send(
          tokenProbe(
            form({
              client_id: timed.credentials.clientId,
              client_secret: timed.credentials.clientSecret,
              grant_type: 'client_credentials',
              scope: 'webhooks:read',
            }),
          ),
          timed,
        );
        expect(result.body?.['expires_in']).toBe(120);
        const token = String(result.body?.['access_token']);
        clock = new Date('2026-01-01T00:02:00Z');
        expectProblem(await send({ path: '/webhooks' }, timed, token), 401);
      } finally {
        await timed.close();
      }
    });

    it.each<[string, number, () => Probe]>([
      ['a wrong secret', 401, () => tokenProbe(form({ ...valid(), client_secret: 'wrong' }))],
      [
        'another client id in the form',
        401,
        () => tokenProbe(form({ ...valid(), client_id: OTHER_CLIENT })),
      ],
      [
        'another client id in the header',
        401,
        () => tokenProbe(form(valid()), { 'upvest-client-id': OTHER_CLIENT }),
      ],
      [
        'no upvest-client-id header',
        400,
        () => tokenProbe(form(valid()), { 'upvest-client-id': null }),
      ],
      ['an unknown scope', 400, () => tokenProbe(form({ ...valid(), scope: 'users:admin' }))],
      [
        'a known and an unknown scope',
        400,
        () => tokenProbe(form({ ...valid(), scope: 'webhooks:read users:admin' })),
      ],
      ['an empty scope', 400, () => tokenProbe(form({ ...valid(), scope: '' }))],
      [
        'a missing scope',
        400,
        () => tokenProbe(form({ ...valid(), scope: 'x' }).replace(/&scope=x/, '')),
      ],
      ['another grant type', 400, () => tokenProbe(form({ ...valid(), grant_type: 'password' }))],
      ['an extra field', 400, () => tokenProbe(form({ ...valid(), audience: 'x' }))],
      ['a repeated field', 400, () => tokenProbe(`${form(valid())}&scope=webhooks:read`)],
      [
        'a client id that is not a UUID',
        400,
        () => tokenProbe(form({ ...valid(), client_id: 'tenant' })),
      ],
      [
        'a secret over 1000 characters',
        400,
        () => tokenProbe(form({ ...valid(), client_secret: 's'.repeat(1001) })),
      ],
      ['a JSON body', 400, () => tokenProbe(json(valid()), { 'content-type': 'application/json' })],
    ])('should refuse %s with %i', async (_name, status, build) => {
      const result = await send(build());
      expectProblem(result, status);
      expect(result.text).not.toContain(mock.credentials.clientSecret);
    });
  });

  describe('the webhook lifecycle through our client', () => {
    let clock: Date;
    let timed: MockServer;
    let api: ReturnType<typeof client>;
    beforeEach(async () => {
      clock = new Date('2026-03-01T10:00:00.000Z');
      timed = await startMockServer({ now: () => clock, requestSignatures: 'off' });
      api = client(timed.issueToken(['webhooks:admin']), timed);
    });
    afterEach(async () => {
      await timed.close();
    });
    const tick = (seconds = 1) => {
      clock = new Date(clock.getTime() + seconds * 1000);
    };

    it('should create a webhook disabled (R8), echoing what was sent, stamped with the clock', async () => {
      const created = await api.create(seedRequest);

      expect(validateWebhook(created)).toBe(true);
      expect(created).toEqual({
        ...seedRequest,
        id: expect.stringMatching(REQUEST_ID) as unknown,
        enabled: false,
        created_at: '2026-03-01T10:00:00.000Z',
        updated_at: '2026-03-01T10:00:00.000Z',
      });
      expect(timed.webhooks()).toEqual([created]);
    });

    it('should default the categories to ALL (R7) and leave an absent config empty', async () => {
      const created = await api.create({ title: 't', url: 'https://tenant.tld/all' });
      expect(created.type).toEqual(['ALL']);
      expect(created.config).toEqual({});
    });

    it('should keep only the documented config members', async () => {
      const result = await send(
        create({ config: { delay: '5s', colour: 'red' } }),
        timed,
        timed.issueToken(['webhooks:admin']),
      );
      expect(result.response.status).toBe(201);
      expect(result.body?.['config']).toEqual({ delay: '5s' });
    });

    it('should give every webhook its own id', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 5; i += 1) ids.add((await api.create(seedRequest)).id);
      expect(ids.size).toBe(5);
    });

    it('should retrieve what it created, with either token and the id in either case', async () => {
      const created = await api.create(seedRequest);
      expect(await client(timed.issueToken(['webhooks:read']), timed).retrieve(created.id)).toEqual(
        created,
      );
      expect(await api.retrieve(created.id.toUpperCase())).toEqual(created);
    });

    it('should enable and disable, moving updated_at', async () => {
      const created = await api.create(seedRequest);
      tick();
      const enabled = await api.enable(created.id);
      expect(enabled).toMatchObject({ enabled: true, updated_at: '2026-03-01T10:00:01.000Z' });
      expect(enabled.created_at).toBe(created.created_at);
      tick();
      expect(await api.disable(created.id)).toMatchObject({
        enabled: false,
        updated_at: '2026-03-01T10:00:02.000Z',
      });
    });

    it('should merge an update into the webhook, and config member by member', async () => {
      const created = await api.create(seedRequest);
      const updated = await api.update(created.id, {
        title: 'Renamed',
        type: ['ALL'],
        config: { delay: '5s' },
      });
      expect(updated).toEqual({
        ...created,
        title: 'Renamed',
        type: ['ALL'],
        config: { delay: '5s', max_package_size: 51200 },
      });
    });

    it('should treat {} as a valid update that changes nothing, updated_at included', async () => {
      const created = await api.create(seedRequest);
      tick(60);
      expect(await api.update(created.id, {})).toEqual(created);
      expect(await api.update(created.id, { title: created.title, enabled: false })).toEqual(
        created,
      );
    });

    it('should accept a test (202) and tell the onTestRequested hook', async () => {
      const tested: Webhook[] = [];
      const hooked = await startMockServer({
        onTestRequested: (webhook) => void tested.push(webhook),
        requestSignatures: 'off',
      });
      try {
        const c = client(hooked.issueToken(['webhooks:admin']), hooked);
        const created = await c.create(seedRequest);
        await expect(c.test(created.id)).resolves.toBeUndefined();
        expect(tested).toEqual([created]);
        const raw = await send(
          { method: 'POST', path: `/webhooks/${created.id}/test` },
          hooked,
          hooked.issueToken(['webhooks:admin']),
        );
        expect(raw.response.status).toBe(202);
        expect(raw.text).toBe('');
      } finally {
        await hooked.close();
      }
    });

    it('should put a fresh upvest-request-id on every answer of a whole lifecycle', async () => {
      const requestIds: (string | null)[] = [];
      const recording = createWebhooksClient({
        baseUrl: timed.url,
        clientId: timed.credentials.clientId,
        accessToken: timed.issueToken(['webhooks:admin']),
        responseValidation: 'strict',
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          requestIds.push(response.headers.get('upvest-request-id'));
          return response;
        },
      });
      const created = await recording.create(seedRequest);
      await recording.retrieve(created.id);
      await recording.list();
      await recording.enable(created.id);
      await recording.test(created.id);
      await recording.verificationKeys();
      await recording.delete(created.id);
      await recording.retrieve(created.id).catch(() => undefined);

      expect(requestIds).toHaveLength(8);
      for (const id of requestIds) expect(id).toMatch(REQUEST_ID);
      expect(new Set(requestIds).size).toBe(8);
      expect(timed.requests.map((r) => r.status)).toEqual([201, 200, 200, 200, 202, 200, 204, 404]);
    });

    it('should delete (204, no body), then answer 404 to everything about that id', async () => {
      const created = await api.create(seedRequest);
      const token = timed.issueToken(['webhooks:admin']);
      const deleted = await send(
        { method: 'DELETE', path: `/webhooks/${created.id}` },
        timed,
        token,
      );
      expect(deleted.response.status).toBe(204);
      expect(deleted.text).toBe('');
      expect(deleted.response.headers.get('upvest-request-id')).toMatch(REQUEST_ID);
      for (const call of [
        () => api.retrieve(created.id),
        () => api.update(created.id, { enabled: true }),
        () => api.delete(created.id),
        () => api.test(created.id),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UpvestApiError);
        expect((error as UpvestApiError).status).toBe(404);
      }
      expect(timed.webhooks()).toEqual([]);
    });

    describe('listing', () => {
      /** Five webhooks created a second apart; titles and URLs in another order than creation. */
      async function fill(): Promise<Webhook[]> {
        const created: Webhook[] = [];
        for (const [title, path] of [
          ['c', 'e'],
          ['a', 'd'],
          ['e', 'a'],
          ['b', 'c'],
          ['d', 'b'],
        ] as const) {
          created.push(
            await api.create({ ...seedRequest, title, url: `https://tenant.tld/${path}` }),
          );
          tick();
        }
        await api.enable(created[1]!.id);
        tick();
        await api.enable(created[3]!.id);
        return created;
      }

      it('should answer the spec defaults: created_at ASC, offset 0, limit 100', async () => {
        const created = await fill();
        const page = await api.list();
        expect(validateWebhookList(page)).toBe(true);
        expect(page.meta).toEqual({
          offset: 0,
          limit: 100,
          count: 5,
          total_count: 5,
          sort: 'created_at',
          order: 'ASC',
        });
        expect(page.data.map((w) => w.id)).toEqual(created.map((w) => w.id));
      });

      it.each([
        ['title', 'ASC', ['a', 'b', 'c', 'd', 'e']],
        ['title', 'DESC', ['e', 'd', 'c', 'b', 'a']],
        ['url', 'ASC', ['e', 'd', 'b', 'a', 'c']],
        ['created_at', 'DESC', ['d', 'b', 'e', 'a', 'c']],
        ['updated_at', 'ASC', ['c', 'e', 'd', 'a', 'b']],
        ['enabled', 'ASC', ['c', 'e', 'd', 'a', 'b']],
      ] as const)('should sort by %s %s', async (sort, order, titles) => {
        await fill();
        const page = await api.list({ sort, order });
        if (sort === 'enabled') {
          // Disabled first, ties by id: only the split is fixed.
          expect(page.data.map((w) => w.enabled)).toEqual([false, false, false, true, true]);
          expect(new Set(page.data.slice(3).map((w) => w.title))).toEqual(new Set(['a', 'b']));
        } else {
          expect(page.data.map((w) => w.title)).toEqual(titles);
        }
        expect(page.meta).toMatchObject({ sort, order });
      });

      it.each([
        [0, 2, ['c', 'a']],
        [2, 2, ['e', 'b']],
        [4, 2, ['d']],
        [5, 2, []],
        [50, 10, []],
        [0, 0, []],
        [1, 1000, ['a', 'e', 'b', 'd']],
      ])('should page with offset %i and limit %i', async (offset, limit, titles) => {
        await fill();
        const page = await api.list({ offset, limit });
        expect(page.data.map((w) => w.title)).toEqual(titles);
        expect(page.meta).toMatchObject({ offset, limit, count: titles.length, total_count: 5 });
      });

      it('should keep pages stable when timestamps tie, by breaking ties on the id', async () => {
        for (let i = 0; i < 7; i += 1) await api.create({ ...seedRequest, title: `t${i}` });
        const ids: string[] = [];
        for await (const webhook of api.listAll({ limit: 2 })) ids.push(webhook.id);
        expect(ids).toEqual([...ids].sort());
        expect(new Set(ids).size).toBe(7);
      });

      it('should treat an empty offset or limit as absent (allowEmptyValue)', async () => {
        await fill();
        const result = await send(
          { path: '/webhooks?offset=&limit=' },
          timed,
          timed.issueToken(['webhooks:read']),
        );
        expect(result.body?.['meta']).toMatchObject({ offset: 0, limit: 100 });
      });

      it('should sort seeded timestamps by instant, whatever their precision or offset', async () => {
        const base = { ...seedRequest, type: ['USER' as const], enabled: false };
        const seeded = await startMockServer({
          requestSignatures: 'off',
          seed: [
            {
              ...base,
              id: UNKNOWN_ID.replace('0000', '0003'),
              title: 'third',
              created_at: '2021-07-21T14:10:00.5Z',
              updated_at: '2021-07-21T14:10:00Z',
            },
            {
              ...base,
              id: UNKNOWN_ID.replace('0000', '0001'),
              title: 'first',
              created_at: '2021-07-21T16:09:59+02:00',
              updated_at: '2021-07-21T14:10:00Z',
            },
            {
              ...base,
              id: UNKNOWN_ID.replace('0000', '0002'),
              title: 'second',
              created_at: '2021-07-21T14:10:00Z',
              updated_at: '2021-07-21T14:10:00Z',
            },
            {
              ...base,
              id: UNKNOWN_ID.replace('0000', '0004'),
              title: 'fourth',
              created_at: '2021-07-21T14:10:00.500000001Z',
              updated_at: '2021-07-21T14:10:00Z',
            },
          ],
        });
        try {
          const page = await client(seeded.issueToken(['webhooks:read']), seeded).list();
          expect(page.data.map((w) => w.title)).toEqual(['first', 'second', 'third', 'fourth']);
        } finally {
          await seeded.close();
        }
      });
    });

    describe('verification keys', () => {
      it('should serve its own delivery key by default', async () => {
        const keys = await api.verificationKeys();
        expect(validateJsonWebKeySet(keys)).toBe(true);
        expect(keys.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-521' })]);
        expect(await api.verificationKeys()).toEqual(keys);
      });

      it.each<[string, NonNullable<MockServerOptions['verifyKeys']>, string]>([
        [
          'the documented example key',
          'documented-example',
          '9ed77463-c18e-4794-ab5c-17423f9b801a',
        ],
        [
          'a key set of the test',
          { keys: [{ kid: UNKNOWN_ID, kty: 'EC', crv: 'P-521', x: 'AQ', y: 'AQ' }] },
          UNKNOWN_ID,
        ],
      ])('should serve %s on request', async (_name, verifyKeys, kid) => {
        const other = await startMockServer({ verifyKeys, requestSignatures: 'off' });
        try {
          const keys = await client(other.issueToken(['webhooks:read']), other).verificationKeys();
          expect(keys.keys.map((key) => key.kid)).toEqual([kid]);
        } finally {
          await other.close();
        }
      });
    });
  });

  describe('seeding', () => {
    it('should seed the webhook of the spec examples, exactly as the retrieve example shows it', async () => {
      const webhook = await client(reader).retrieve(DOCUMENTED_ID);
      expect(webhook).toEqual({
        id: DOCUMENTED_ID,
        created_at: '2021-07-21T14:10:00.00Z',
        updated_at: '2021-07-21T14:10:00.00Z',
        title: 'User webhook',
        url: 'https://tenant.tld/webhooks/users',
        type: ['USER'],
        enabled: true,
        config: { delay: '5s', max_package_size: 1024 },
      });
    });

    it('should not let a test change the seed or the store through what it was handed', async () => {
      const seed: Webhook[] = [{ ...(await client(reader).retrieve(DOCUMENTED_ID)) }];
      const seeded = await startMockServer({ seed, requestSignatures: 'off' });
      try {
        seed[0]!.title = 'changed outside';
        seeded.webhooks()[0]!.title = 'changed outside';
        expect(seeded.webhooks()[0]?.title).toBe('User webhook');
      } finally {
        await seeded.close();
      }
    });
  });

  describe('options', () => {
    const webhook: Webhook = {
      id: DOCUMENTED_ID,
      created_at: '2021-07-21T14:10:00.00Z',
      updated_at: '2021-07-21T14:10:00.00Z',
      title: 'User webhook',
      url: 'https://tenant.tld/webhooks/users',
      type: ['USER'],
      enabled: false,
      config: {},
    };

    it.each<[string, MockServerOptions]>([
      ['a client id that is not a UUID', { clientId: 'tenant' }],
      ['an empty client secret', { clientSecret: '' }],
      ['a client secret over 1000 characters', { clientSecret: 's'.repeat(1001) }],
      ['a token lifetime of 0', { tokenLifetimeSeconds: 0 }],
      ['a fractional token lifetime', { tokenLifetimeSeconds: 1.5 }],
      ['a body limit of 0', { maxBodyBytes: 0 }],
      [
        'a seed that breaks the Webhook schema',
        { seed: [{ ...webhook, enabled: 'yes' } as unknown as Webhook] },
      ],
      [
        'a seed with an extra member',
        { seed: [{ ...webhook, secret: 'x' } as unknown as Webhook] },
      ],
      [
        'a seed that repeats an id',
        { seed: [webhook, { ...webhook, id: DOCUMENTED_ID.toUpperCase() }] },
      ],
      ['an invalid key set', { verifyKeys: { keys: [{ kty: 'RSA' }] } as never }],
      ['requestSignatures neither required nor off', { requestSignatures: 'of' as never }],
      ['accessTokens neither required nor off', { accessTokens: 'none' as never }],
    ])('should refuse to start with %s', async (_name, options) => {
      await expect(
        startMockServer({ requestSignatures: 'off', ...options }),
      ).rejects.toBeInstanceOf(UpvestConfigurationError);
    });

    it('should serve requests without a token under accessTokens off, and still know the client', async () => {
      const open = await startMockServer({ requestSignatures: 'off', accessTokens: 'off' });
      try {
        const noToken = { authorization: null };
        expect((await send({ path: '/webhooks', headers: noToken }, open)).response.status).toBe(
          200,
        );
        const created = await send(
          {
            method: 'POST',
            path: '/webhooks',
            headers: noToken,
            body: JSON.stringify({ title: 't', url: 'https://tenant.tld/hook' }),
          },
          open,
        );
        expect(created.response.status).toBe(201);
        const stranger = { ...noToken, 'upvest-client-id': OTHER_CLIENT };
        expect((await send({ path: '/webhooks', headers: stranger }, open)).response.status).toBe(
          401,
        );
      } finally {
        await open.close();
      }
    });

    it('should still demand a token with signatures off and accessTokens left at required', async () => {
      const signedOff = await startMockServer({ requestSignatures: 'off' });
      try {
        const answer = await send(
          { path: '/webhooks', headers: { authorization: null } },
          signedOff,
        );
        expect(answer.response.status).toBe(401);
      } finally {
        await signedOff.close();
      }
    });

    it('should accept the credentials it is given', async () => {
      const given = await startMockServer({
        clientId: OTHER_CLIENT,
        clientSecret: 'given-secret',
        requestSignatures: 'off',
      });
      try {
        expect(given.credentials).toMatchObject({
          clientId: OTHER_CLIENT,
          clientSecret: 'given-secret',
        });
        const result = await send(
          {
            method: 'POST',
            path: '/auth/token',
            headers: { authorization: null, 'content-type': 'application/x-www-form-urlencoded' },
            body: `client_id=${OTHER_CLIENT}&client_secret=given-secret&grant_type=client_credentials&scope=webhooks:read`,
          },
          given,
        );
        expect(result.response.status).toBe(200);
      } finally {
        await given.close();
      }
    });

    it('should make up fresh credentials for every instance, and share nothing between them', async () => {
      const other = await startMockServer({ requestSignatures: 'off' });
      try {
        expect(other.credentials.clientId).not.toBe(mock.credentials.clientId);
        expect(other.credentials.clientSecret).not.toBe(mock.credentials.clientSecret);
        expect(other.url).not.toBe(mock.url);
        expect(other.webhooks()).toEqual([]);
        expectProblem(await send({ path: '/webhooks' }, other, admin), 401);
      } finally {
        await other.close();
      }
    });
  });

  describe('robustness', () => {
    /** Writes raw bytes to the mock and reads whatever comes back until the socket closes. */
    function rawExchange(bytes: string | Uint8Array): Promise<string> {
      const { port } = new URL(mock.url);
      return new Promise((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
        socket.on('close', () => resolve(text));
        socket.on('error', () => resolve(text));
      });
    }

    it.each([
      ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
      ['a header without a colon', 'GET /webhooks HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n'],
      [
        'a header section over 16 KiB',
        `GET /webhooks HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
      ],
    ])('should answer %s with a problem and keep serving', async (_name, bytes) => {
      const answer = await rawExchange(bytes);
      expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(answer.toLowerCase()).toMatch(/upvest-request-id: [0-9a-f-]{36}/);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as unknown;
      expect(validateProblem(body)).toBe(true);
      expect((await send({ path: '/webhooks' })).response.status).toBe(200);
    });

    it.each([
      ['an absolute form with a broken IPv6 host', 'GET http://[/ HTTP/1.1'],
      ['an absolute form with port 99999', 'GET http://x:99999/webhooks HTTP/1.1'],
      ['an authority form', 'CONNECT tenant.tld:443 HTTP/1.1'],
      ['a target of only a query', 'GET ?a=b HTTP/1.1'],
    ])('should answer %s without crashing, and keep serving', async (_name, line) => {
      const answer = await rawExchange(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect((await send({ path: '/webhooks' })).response.status).toBe(200);
    });

    it('should answer any request line and headers a raw socket sends, and keep serving', async () => {
      const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,8}$/);
      const target = fc.oneof(
        fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((t) => t.replace(/[\s]/g, '')),
        fc
          .tuple(
            fc.constantFrom('http://', 'https://', '//', '', 'http://[', 'x:'),
            fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
            fc.constantFrom('', ':0', ':99999', ':-1', ':65536', ':abc'),
            fc.constantFrom('/webhooks', '/webhooks/%zz', '/auth/token', '', '/%00', '/..'),
          )
          .map((parts) => parts.join('').replace(/[\s]/g, '')),
      );
      const header = fc.tuple(token, fc.string({ unit: 'grapheme-ascii', maxLength: 30 }));
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
          target,
          fc.array(header, { maxLength: 4 }),
          async (method, path, headers) => {
            const lines = headers.map(
              ([name, value]) => `${name}: ${value.replace(/[\r\n]/g, '')}`,
            );
            const answer = await rawExchange(
              `${method} ${path || '/'} HTTP/1.1\r\nHost: x\r\n${lines.join('\r\n')}${lines.length ? '\r\n' : ''}Connection: close\r\n\r\n`,
            );
            // An answer from the mock or from Node's parser, never a dropped process.
            expect(
              answer === '' || /^HTTP\/1\.1 [1-4]\d\d /.test(answer),
              answer.slice(0, 80),
            ).toBe(true);
          },
        ),
        { numRuns: 150 },
      );
      expect((await send({ path: '/webhooks' })).response.status).toBe(200);
    });

    it('should route OPTIONS * (the asterisk form) to 404, not crash', async () => {
      const answer = await rawExchange(
        'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    });

    it('should route the absolute form by its path, ignoring its host', async () => {
      const answer = await rawExchange(
        `GET http://elsewhere.tld/webhooks HTTP/1.1\r\nHost: elsewhere.tld\r\nConnection: close\r\n` +
          `upvest-client-id: ${mock.credentials.clientId}\r\nauthorization: Bearer ${reader}\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    });

    it('should survive any method, path, header and body, answering each within the contract', async () => {
      const paths = fc.oneof(
        fc.constantFrom(
          '/webhooks',
          `/webhooks/${DOCUMENTED_ID}`,
          `/webhooks/${DOCUMENTED_ID}/test`,
          '/auth/token',
          '/auth/verify_keys',
        ),
        fc.webPath().map((path) => (path.startsWith('/') ? path : `/${path}`)),
      );
      const header = (values: fc.Arbitrary<string>) => fc.option(values, { nil: undefined });
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
            path: paths,
            query: fc.option(fc.webQueryParameters(), { nil: undefined }),
            clientId: header(fc.constantFrom(mock.credentials.clientId, OTHER_CLIENT, 'x', '')),
            authorization: header(
              fc.constantFrom('Bearer ADMIN', 'Bearer READ', 'Bearer', 'Basic x', ''),
            ),
            accept: header(fc.constantFrom('application/json', 'text/html', '*/*;q=0', 'a/b;q=x')),
            contentType: header(
              fc.constantFrom(
                'application/json',
                'application/x-www-form-urlencoded',
                'text/plain',
              ),
            ),
            apiVersion: header(fc.constantFrom('1', '2', '')),
            body: fc.option(fc.oneof(fc.json(), fc.string(), fc.constant(json(seedRequest))), {
              nil: undefined,
            }),
          }),
          async (input) => {
            const before = mock.requestCount;
            const headers: Record<string, string> = {};
            if (input.clientId !== undefined) headers['upvest-client-id'] = input.clientId;
            if (input.authorization !== undefined) {
              headers['authorization'] = input.authorization
                .replace('ADMIN', admin)
                .replace('READ', reader);
            }
            if (input.accept !== undefined) headers['accept'] = input.accept;
            if (input.contentType !== undefined) headers['content-type'] = input.contentType;
            if (input.apiVersion !== undefined) headers['upvest-api-version'] = input.apiVersion;
            const path = input.query ? `${input.path}?${input.query}` : input.path;
            const body = input.method === 'GET' ? undefined : input.body;
            const response = await fetch(`${mock.url}${path}`, {
              method: input.method,
              headers,
              ...(body !== undefined ? { body } : {}),
            });
            const text = await response.text();
            expect(response.status).toBeLessThan(500);
            expect(response.headers.get('upvest-request-id')).toMatch(REQUEST_ID);
            expect(mock.requestCount).toBe(before + 1);
            // Every status the mock answers an operation with is one the spec declares for it;
            // outside the operations only 404 (no such path) and 405 (no such method).
            const { operationId } = mock.requests.at(-1) ?? {};
            const declared = operationId
              ? operations[operationId].responses.map((r: { status: number }) => r.status)
              : [404, 405];
            expect(declared, `${input.method} ${path}`).toContain(response.status);
            if (response.status >= 400) {
              const problem = JSON.parse(text) as Record<string, unknown>;
              expect(validateProblem(problem)).toBe(true);
              expect(problem['status']).toBe(response.status);
            } else if (text !== '') {
              expect(() => JSON.parse(text) as unknown).not.toThrow();
            }
          },
        ),
        { numRuns: 400 },
      );
    });

    it('should answer 500 rather than send a webhook its own schema refuses', async () => {
      // Beyond year 9999 toISOString writes '+010000-…', which is no RFC 3339 date-time.
      const farFuture = await startMockServer({
        requestSignatures: 'off',
        now: () => new Date('+010000-01-01T00:00:00Z'),
      });
      try {
        const token = farFuture.issueToken(['webhooks:admin']);
        const result = await send(create({}), farFuture, token);
        expectProblem(result, 500);
        expect(String(result.body?.['detail'])).toContain('Webhook schema');
      } finally {
        await farFuture.close();
      }
    });

    it('should answer 500 with a problem when an option callback throws, and keep serving', async () => {
      const failing = await startMockServer({
        requestSignatures: 'off',
        seed: 'documented-examples',
        onTestRequested: () => {
          throw new Error('hook failed');
        },
      });
      try {
        const token = failing.issueToken(['webhooks:admin']);
        const result = await send(
          { method: 'POST', path: `/webhooks/${DOCUMENTED_ID}/test` },
          failing,
          token,
        );
        expectProblem(result, 500);
        expect(result.text).not.toContain('hook failed');
        expect((await send({ path: '/webhooks' }, failing, token)).response.status).toBe(200);
      } finally {
        await failing.close();
      }
    });
  });

  describe('secrets', () => {
    it('should never put the client secret or a token into an answer', async () => {
      const secret = mock.credentials.clientSecret;
      const answers = await Promise.all([
        send({
          method: 'POST',
          path: '/auth/token',
          headers: { authorization: null, 'content-type': 'application/x-www-form-urlencoded' },
          body: `client_id=${mock.credentials.clientId}&client_secret=${secret}x&grant_type=client_credentials&scope=webhooks:admin`,
        }),
        send({
          method: 'POST',
          path: '/auth/token',
          headers: { authorization: null, 'content-type': 'application/x-www-form-urlencoded' },
          body: `client_id=${mock.credentials.clientId}&client_secret=${secret}&grant_type=client_credentials&scope=${secret}`,
        }),
        send({ path: '/webhooks', headers: { authorization: `Bearer ${admin}x` } }),
        send(create({ enabled: true }), mock, reader),
        send({ path: `/webhooks/${admin}` }),
      ]);
      for (const { response, text } of answers) {
        expect(response.status).toBeGreaterThanOrEqual(400);
        const everything = `${text}\n${[...response.headers].join('\n')}`;
        expect(everything).not.toContain(secret);
        expect(everything).not.toContain(admin);
        expect(everything).not.toContain(reader);
      }
    });
  });

  describe('bookkeeping', () => {
    it('should count every request, rejected and unknown ones included, and record each', async () => {
      await send({ path: '/webhooks?limit=5' });
      await send({ path: '/nope' });
      await send({ method: 'PUT', path: '/webhooks' });
      await send({ path: '/webhooks', headers: { authorization: null } });
      await send({ method: 'DELETE', path: `/webhooks/${DOCUMENTED_ID}` });

      expect(mock.requestCount).toBe(5);
      expect(mock.requests).toEqual([
        { method: 'GET', path: '/webhooks', status: 200, operationId: 'list_webhooks' },
        { method: 'GET', path: '/nope', status: 404, operationId: undefined },
        { method: 'PUT', path: '/webhooks', status: 405, operationId: undefined },
        { method: 'GET', path: '/webhooks', status: 401, operationId: 'list_webhooks' },
        {
          method: 'DELETE',
          path: `/webhooks/${DOCUMENTED_ID}`,
          status: 204,
          operationId: 'delete_webhook',
        },
      ]);
    });

    it('should not count the tokens it hands out directly', () => {
      mock.issueToken(['webhooks:read']);
      expect(mock.requestCount).toBe(0);
    });

    it('should hand out copies of its records', async () => {
      await send({ path: '/webhooks' });
      const records = mock.requests as unknown as { status: number }[];
      records[0]!.status = 999;
      expect(mock.requests[0]?.status).toBe(200);
    });

    it('should forget webhooks, tokens and records on reset, and bring the seed back', async () => {
      await client().delete(DOCUMENTED_ID);
      await client().create(seedRequest);
      expect(mock.webhooks().map((w) => w.id)).not.toContain(DOCUMENTED_ID);

      mock.reset();

      expect(mock.webhooks().map((w) => w.id)).toEqual([DOCUMENTED_ID]);
      expect(mock.requestCount).toBe(0);
      expect(mock.requests).toEqual([]);
      expectProblem(await send({ path: '/webhooks' }), 401);
    });

    it('should keep its records whole when reset while a request is under way', async () => {
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const slow = await startMockServer({
        requestSignatures: 'off',
        seed: 'documented-examples',
        onTestRequested: () => held,
      });
      try {
        const token = slow.issueToken(['webhooks:admin']);
        const pending = send(
          { method: 'POST', path: `/webhooks/${DOCUMENTED_ID}/test` },
          slow,
          token,
        );
        await expect.poll(() => slow.requestCount).toBe(1);
        expect(slow.requests[0]?.status).toBe(0);
        slow.reset();
        await send({ path: '/webhooks' }, slow, slow.issueToken(['webhooks:read']));
        release();
        expect((await pending).response.status).toBe(202);
        expect(slow.requests).toEqual([
          { method: 'GET', path: '/webhooks', status: 200, operationId: 'list_webhooks' },
        ]);
      } finally {
        release();
        await slow.close();
      }
    });

    it('should close keep-alive connections and be safe to close twice', async () => {
      const other = await startMockServer({ requestSignatures: 'off' });
      const agent = new Agent({ keepAlive: true });
      try {
        const status = await new Promise<number>((resolve, reject) => {
          httpRequest(`${other.url}/webhooks`, { agent }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          })
            .on('error', reject)
            .end();
        });
        expect(status).toBe(400);
        const started = Date.now();
        await other.close();
        await expect(other.close()).resolves.toBeUndefined();
        expect(Date.now() - started).toBeLessThan(1000);
        await expect(fetch(`${other.url}/webhooks`)).rejects.toThrow();
      } finally {
        agent.destroy();
      }
    });
  });
});
