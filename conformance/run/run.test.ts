import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../generated/spec.js';
import { createWebhooksClient, type WebhooksClient } from '../../src/client/webhooks-client.js';
import { createUpvestSigner } from '../../src/signing/upvest-profile.js';
import { startMockServer, type MockServer } from '../../src/testing/mock-server.js';
import { serverProfiles, type CheckResult } from '../report/results.js';
import { toJUnitXml, toJson, toSummary } from '../report/reports.js';
import { runConformance } from './run.js';

/** A response mutation a broken server would make; it sees the request's headers too. */
interface Fault {
  (response: {
    method: string;
    path: string;
    status: number;
    headers: Record<string, string>;
    body: string;
    requestHeaders: Readonly<Record<string, string>>;
  }): void;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A real HTTP proxy in front of the embedded mock that breaks its answers on purpose. */
async function brokenServer(fault: Fault): Promise<{ url: string; mock: MockServer }> {
  const mock = await startMockServer({ seed: 'documented-examples' });
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string',
          ),
        );
        delete headers['host'];
        delete headers['content-length'];
        const upstream = await fetch(`${mock.url}${request.url ?? '/'}`, {
          method: request.method ?? 'GET',
          headers,
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        const answer = {
          method: request.method ?? 'GET',
          path: new URL(request.url ?? '/', mock.url).pathname,
          status: upstream.status,
          headers: Object.fromEntries(upstream.headers),
          body: await upstream.text(),
          requestHeaders: headers,
        };
        // Framing is the proxy's business, unless a fault sets it on purpose.
        delete answer.headers['content-length'];
        delete answer.headers['transfer-encoding'];
        fault(answer);
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await mock.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, mock };
}

async function runAgainst(fault: Fault) {
  const { url, mock } = await brokenServer(fault);
  return runConformance({
    baseUrl: url,
    ...targetOf(mock),
  });
}

/** What a run needs to talk to a mock as its tenant: credentials and a signer with its key. */
const targetOf = (mock: MockServer) => ({
  credentials: { clientId: mock.credentials.clientId, clientSecret: mock.credentials.clientSecret },
  signer: createUpvestSigner({
    keyId: mock.credentials.keyId,
    privateKey: mock.credentials.privateKey!,
  }),
});

const failures = (results: readonly CheckResult[]) => results.filter((r) => r.outcome === 'fail');
const failedChecks = (results: readonly CheckResult[]) =>
  new Set(failures(results).map((r) => r.check));

describe('runConformance', () => {
  it('should pass every profile against the embedded mock, with no drift', async () => {
    const report = await runConformance();

    expect(failures([...report.drift, ...report.results])).toEqual([]);
    expect(report.passed).toBe(true);
    expect(new Set(report.results.map((r) => r.profile))).toEqual(
      new Set(['preflight', ...serverProfiles]),
    );
    expect(report.counts.pass).toBeGreaterThan(300);
  });

  it('should pass a server that adds a field, warning about it as spec drift', async () => {
    // Every webhook the server answers carries the new field, as a real server's would.
    const report = await runAgainst((r) => {
      if (!r.path.startsWith('/webhooks') || (r.status !== 200 && r.status !== 201)) return;
      const body = JSON.parse(r.body) as { data?: object[] };
      const add = (webhook: object) => ({ ...webhook, colour: 'red' });
      r.body = JSON.stringify(body.data ? { ...body, data: body.data.map(add) } : add(body));
    });
    expect(failures(report.results)).toEqual([]);
    expect(report.counts.warn).toBeGreaterThan(0);
    const warned = report.results.filter((r) => r.outcome === 'warn').map((r) => r.detail);
    expect(warned).toContain('undocumented (spec drift): /colour');
    expect(warned).toContain('undocumented (spec drift): /data/0/colour');
  });

  it('should pass against the same mock behind a faithful proxy', async () => {
    const report = await runAgainst(() => undefined);
    expect(failures(report.results)).toEqual([]);
  });

  it.each<[string, Fault, string, string]>([
    [
      'a missing upvest-request-id',
      (r) => {
        delete r.headers['upvest-request-id'];
      },
      'upvest-request-id header is a UUID',
      'list_webhooks',
    ],
    [
      'an upvest-request-id that is not a UUID',
      (r) => {
        r.headers['upvest-request-id'] = 'req-1';
      },
      'upvest-request-id header is a UUID',
      'retrieve_webhook',
    ],
    [
      'a create answered 200 instead of 201',
      (r) => {
        if (r.method === 'POST' && r.path === '/webhooks') r.status = 200;
      },
      'status is documented',
      'create_webhook',
    ],
    [
      'a webhook whose enabled is a string',
      (r) => {
        if (r.path.startsWith('/webhooks/') && r.status === 200)
          r.body = JSON.stringify({ ...JSON.parse(r.body), enabled: 'yes' });
      },
      'body matches schema Webhook',
      'retrieve_webhook',
    ],
    [
      'an error answered as text/plain',
      (r) => {
        if (r.status === 404) r.headers['content-type'] = 'text/plain';
      },
      'content-type is the documented one',
      'retrieve_webhook',
    ],
    [
      'a success answered as problem+json',
      (r) => {
        if (r.method === 'GET' && r.path === '/webhooks')
          r.headers['content-type'] = 'application/problem+json';
      },
      'content-type is the documented one',
      'list_webhooks',
    ],
    [
      'a body on a 204',
      (r) => {
        if (r.status === 204) {
          // Node (like any HTTP stack) drops the bytes of a 204, and fetch would never read
          // them; what gives the body away on the wire is its announced length.
          r.body = '{"deleted":true}';
          r.headers['content-type'] = 'application/json';
          r.headers['content-length'] = String(r.body.length);
        }
      },
      'HTTP 204 has no body',
      'delete_webhook',
    ],
    [
      'a body on a 202',
      (r) => {
        if (r.status === 202) r.body = '{"queued":true}';
      },
      'HTTP 202 has no body',
      'test_webhook',
    ],
    [
      'a different title echoed',
      (r) => {
        if (r.method === 'POST' && r.status === 201)
          r.body = JSON.stringify({ ...JSON.parse(r.body), title: 'Something else' });
      },
      'response echoes what was sent',
      'create_webhook',
    ],
    [
      'a config changed on update',
      (r) => {
        if (r.method === 'PATCH' && r.status === 200) {
          const webhook = JSON.parse(r.body) as { type: string[] };
          r.body = JSON.stringify({ ...webhook, type: ['ALL'] });
        }
      },
      'response echoes what was sent',
      'update_webhook',
    ],
    [
      'a problem whose status disagrees with HTTP',
      (r) => {
        if (r.status === 404) r.body = JSON.stringify({ ...JSON.parse(r.body), status: 400 });
      },
      'problem status equals the HTTP status',
      'retrieve_webhook',
    ],
    [
      'a webhook created enabled',
      (r) => {
        if (r.method === 'POST' && r.status === 201)
          r.body = JSON.stringify({ ...JSON.parse(r.body), enabled: true });
      },
      'a new webhook is disabled (R8)',
      'create_webhook',
    ],
    [
      'a body that is not JSON',
      (r) => {
        if (r.method === 'GET' && r.path === '/auth/verify_keys') r.body = '{"keys": [';
      },
      'body is JSON',
      'get_jwks',
    ],
  ])('should catch a server with %s', async (_name, fault, check, operation) => {
    const report = await runAgainst(fault);

    expect(report.passed).toBe(false);
    expect(failures(report.results)).toContainEqual(
      expect.objectContaining({ check, operation, outcome: 'fail' }),
    );
    expect(failures(report.drift)).toEqual([]);
  });

  it('should report example drift apart from server failures', async () => {
    const document = structuredClone(openApiDocument);
    const at = (node: unknown, ...keys: string[]) =>
      keys.reduce((current, key) => (current as Record<string, unknown>)[key], node) as Record<
        string,
        unknown
      >;
    const config = at(
      document,
      'paths',
      '/webhooks',
      'post',
      'requestBody',
      'content',
      'application/json',
    );
    at(config, 'examples', 'user_webhook_spec', 'value', 'config')['delay'] = '45s';

    const report = await runConformance({ document, profiles: ['replay'] });

    expect(failures(report.drift).map((r) => r.case)).toEqual([
      'request body "user_webhook_spec"',
      'pair "user_webhook_spec" (request body -> response 201)',
    ]);
    expect(failures(report.drift)[0]?.detail).toContain('delay.above_maximum');
    expect(failures(report.results)).toEqual([]);
    expect(report.results).toContainEqual(
      expect.objectContaining({ case: 'user_webhook_spec', check: 'replayed', outcome: 'skip' }),
    );
    expect(report.passed).toBe(false);
  });

  it('should report a response example that contradicts its request example as drift', async () => {
    const document = structuredClone<unknown>(openApiDocument) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const created = document.paths['/webhooks']?.['post']?.responses['201'] as {
      content: { 'application/json': { examples: Record<string, { value: object }> } };
    };
    const example = created.content['application/json'].examples['user_webhook_docs']!;
    example.value = { ...example.value, title: 'Another title', enabled: true };

    const report = await runConformance({ document, profiles: ['negative'] });

    const drift = failures(report.drift);
    expect(drift.map((r) => r.case)).toEqual([
      'pair "user_webhook_docs" (request body -> response 201)',
    ]);
    expect(drift[0]?.detail).toContain('title: sent "User webhook", got "Another title"');
    expect(drift[0]?.detail).toContain('not disabled (R8)');
    expect(failures(report.results)).toEqual([]);
  });

  it('should replay an example added to the spec as a new case', async () => {
    const document = structuredClone<unknown>(openApiDocument) as {
      components: { parameters: { WebhookId: { examples: Record<string, unknown> } } };
    };
    document.components.parameters.WebhookId.examples['deleted_webhook'] = {
      value: '11111111-1111-4111-8111-111111111111',
    };

    const report = await runConformance({ document, profiles: ['replay'] });

    const added = report.results.filter((r) => r.case === 'deleted_webhook');
    expect(new Set(added.map((r) => r.operation))).toEqual(
      new Set(['retrieve_webhook', 'update_webhook', 'delete_webhook', 'test_webhook']),
    );
    // No response example of that name: the case expects the documented success, which the
    // embedded mock cannot give for an id it does not hold.
    expect(added).toContainEqual(
      expect.objectContaining({
        operation: 'retrieve_webhook',
        check: 'status is the expected one',
        outcome: 'fail',
        detail: 'expected 200, got 404',
      }),
    );
  });

  it('should fail the negative profile when a client lets invalid input through to the server', async () => {
    const leaky = (options: Parameters<typeof createWebhooksClient>[0]): WebhooksClient => {
      const real = createWebhooksClient(options);
      return {
        ...real,
        create: async (input) => {
          const response = await (options.fetch ?? fetch)(`${options.baseUrl}/webhooks`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'upvest-client-id': options.clientId },
            body: JSON.stringify(input),
          });
          return (await response.json()) as never;
        },
      };
    };

    const report = await runConformance({ profiles: ['negative'], clientFactory: leaky });

    const checks = failedChecks(report.results);
    expect(checks).toContain('client refuses the input');
    expect(checks).toContain('nothing was sent');
    expect(checks).toContain('the server received nothing');
  });

  it('should report a server that accepts what the documented rules forbid, and remove what it created', async () => {
    const lenient = await startMockServer({ rules: { delayPolicy: 'spec' } });
    cleanups.push(() => lenient.close());

    const report = await runConformance({
      baseUrl: lenient.url,
      profiles: ['enforcement'],
      ...targetOf(lenient),
    });

    const failed = report.results.filter((r) => r.outcome === 'fail');
    expect(failed.map((r) => r.case)).toEqual(['delay 31s (R5)']);
    expect(failed[0]?.detail).toBe('expected 400, got 201');
    expect(lenient.webhooks()).toHaveLength(0);
  });

  it('should clean up the webhook it created when a lifecycle step fails', async () => {
    const { url, mock } = await brokenServer((r) => {
      if (r.method === 'PATCH') r.status = 500;
    });
    const before = mock.webhooks().length;

    const report = await runConformance({
      baseUrl: url,
      profiles: ['lifecycle'],
      ...targetOf(mock),
    });

    expect(report.passed).toBe(false);
    expect(report.results).toContainEqual(
      expect.objectContaining({ case: 'cleanup', outcome: 'pass' }),
    );
    expect(mock.webhooks()).toHaveLength(before);
  });

  it('should never put the client secret or a token into any report, even when a server echoes one', async () => {
    // The server puts the bearer token it received into the title of every webhook it creates, so
    // the echo check's detail would carry it if redaction failed.
    const { url, mock } = await brokenServer((r) => {
      if (r.method === 'POST' && r.status === 201) {
        const bearer = (r.requestHeaders['authorization'] ?? '').replace(/^Bearer /, '');
        r.body = JSON.stringify({ ...JSON.parse(r.body), title: `token ${bearer}` });
      }
    });
    const seen = new Set<string>();
    const spy: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const bearer = request.headers.get('authorization')?.replace(/^Bearer /, '');
      if (bearer) seen.add(bearer);
      const response = await fetch(request);
      const token = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { access_token?: string } | undefined;
      if (typeof token?.access_token === 'string') seen.add(token.access_token);
      return response;
    };

    const report = await runConformance({ baseUrl: url, ...targetOf(mock), fetch: spy });

    expect(report.results).toContainEqual(
      expect.objectContaining({ check: 'response echoes what was sent', outcome: 'fail' }),
    );
    const secrets = [mock.credentials.clientSecret, ...seen];
    expect(seen.size).toBeGreaterThanOrEqual(2); // the run's token and the read-only one
    for (const text of [toJson(report), toJUnitXml(report), toSummary(report, { verbose: true })]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).toContain('[redacted]');
    }
  });

  it('should use a given access token as is, and keep it out of the reports', async () => {
    const mock = await startMockServer({ seed: 'documented-examples' });
    cleanups.push(() => mock.close());
    const accessToken = mock.issueToken(['webhooks:admin']);

    const report = await runConformance({
      baseUrl: mock.url,
      accessToken,
      signer: targetOf(mock).signer,
      credentials: { clientId: mock.credentials.clientId },
      profiles: ['replay', 'lifecycle'],
    });

    expect(failures(report.results)).toEqual([]);
    expect(report.results).toContainEqual(
      expect.objectContaining({ operation: 'issue_token', outcome: 'skip' }),
    );
    expect(mock.requests.some((r) => r.path === '/auth/token')).toBe(false);
    expect(toJson(report)).not.toContain(accessToken);
  });

  it('should write the reports it is asked for', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'conformance-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const junit = path.join(dir, 'nested', 'c.junit.xml');
    const json = path.join(dir, 'c.json');

    const report = await runConformance({ profiles: ['negative'], reports: { junit, json } });

    expect(JSON.parse(await readFile(json, 'utf8'))).toMatchObject({
      passed: true,
      profiles: ['negative'],
      counts: report.counts,
    });
    expect(await readFile(junit, 'utf8')).toContain('<testsuite name="negative"');
  });
});

describe('reports', () => {
  it('should write well-formed JUnit with one failure element per failed check', async () => {
    const report = await runAgainst((r) => {
      if (r.status === 202) r.body = '<not & "json">';
    });
    const xml = toJUnitXml(report);

    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml.match(/<failure /g)?.length).toBe(report.counts.fail);
    expect(xml).not.toMatch(/message="[^"]*[<&][^"]*"/);
    expect(JSON.parse(toJson(report))).toMatchObject({ passed: false });
    expect(toSummary(report)).toContain('Failures:');
  });
});

describe('output a CI user can act on', () => {
  it("should stop at the preflight with the server's own words when the token is wrong", async () => {
    const mock = await startMockServer({ seed: 'documented-examples' });
    cleanups.push(() => mock.close());
    const report = await runConformance({
      baseUrl: mock.url,
      credentials: { clientId: mock.credentials.clientId, accessToken: 'bm90LWEtdG9rZW4' },
      signer: createUpvestSigner({
        keyId: mock.credentials.keyId,
        privateKey: mock.credentials.privateKey!,
      }),
    });
    expect(report.passed).toBe(false);
    const failed = failures(report.results);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ profile: 'preflight' });
    expect(failed[0]?.detail).toMatch(/HTTP 401: Unauthorised: .*token/);
    // Every profile is still in the report, skipped with the reason.
    const skipped = report.results.filter((r) => r.outcome === 'skip').map((r) => r.profile);
    expect(new Set(skipped)).toEqual(new Set(serverProfiles));
  });

  /** A plain server answering every request with `status`, closed after the test. */
  async function answering(status: number): Promise<string> {
    const server = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end('boom');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const SECRET = 'c2Vj+cmV0/dA==';
  const withSecret = { clientId: '3fa85f64-5717-4562-b3fc-2c963f66afa6', clientSecret: SECRET };

  it.each([
    ['a server that is not running', () => Promise.resolve('http://127.0.0.1:9'), /no answer/],
    ['a server that answers 500 to everything', () => answering(500), /HTTP 500: boom/],
  ])(
    'should report %s with a client secret as one preflight failure, every profile skipped with the reason',
    async (_name, start, why) => {
      const report = await runConformance({ baseUrl: await start(), credentials: withSecret });
      const failed = failures(report.results);
      expect(failed.filter((r) => r.check !== 'a token was obtained')).toHaveLength(1);
      expect(failed.every((r) => r.profile === 'preflight')).toBe(true);
      expect(failed.map((r) => r.detail).join()).toMatch(why);
      const skipped = report.results.filter((r) => r.outcome === 'skip').map((r) => r.profile);
      expect(new Set(skipped)).toEqual(new Set(serverProfiles));
      const text = toSummary(report) + toJson(report);
      expect(text).not.toContain('no client secret');
      expect(text).not.toContain('cannot derive');
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(encodeURIComponent(SECRET));
    },
  );

  it('should say why the token request failed when the secret is wrong, not that none was given', async () => {
    const mock = await startMockServer({ seed: 'documented-examples' });
    cleanups.push(() => mock.close());
    const report = await runConformance({
      baseUrl: mock.url,
      credentials: { clientId: mock.credentials.clientId, clientSecret: 'wrong+secret' },
      signer: createUpvestSigner({
        keyId: mock.credentials.keyId,
        privateKey: mock.credentials.privateKey!,
      }),
      profiles: ['replay'],
    });
    const token = report.results.find((r) => r.check === 'a token was obtained');
    expect(token).toMatchObject({ profile: 'preflight', outcome: 'fail' });
    expect(token?.detail).toMatch(/^HTTP 401/);
  });

  it('should attach method, path, status, request id and a curl with no secret to a failure', async () => {
    const report = await runAgainst((r) => {
      if (r.method === 'GET' && r.path === '/webhooks') r.status = 500;
    });
    const failure = failures(report.results).find((r) => r.evidence);
    expect(failure?.evidence).toMatchObject({ method: 'GET', status: 500 });
    expect(failure?.evidence?.path).toMatch(/^\/webhooks/);
    expect(failure?.evidence?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(failure?.evidence?.curl).toMatch(
      /^curl -sS -X GET 'http:\/\/127\.0\.0\.1:\d+\/webhooks/,
    );
    expect(failure?.evidence?.curl).toContain('Bearer $UPVEST_ACCESS_TOKEN');
    expect(failure?.evidence?.curl).not.toMatch(/sig1=:/);
    expect(toSummary(report)).toContain('Failing exchanges (reproduce with curl');
    expect(toJUnitXml(report)).toContain('curl -sS -X GET');
  });

  it('should stop at the time limit with a partial report: what ran, and the rest skipped', async () => {
    const report = await runConformance({ timeoutMs: 300 });
    const skipped = report.results.filter((r) => r.outcome === 'skip' && r.check === 'profile ran');
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]?.detail).toContain("the run's time limit of 300 ms passed");
    expect(report.results.some((r) => r.outcome === 'pass')).toBe(true);
    expect(report.durationMs).toBeLessThan(5_000);
  });

  it('should report progress once per profile', async () => {
    const seen: string[] = [];
    await runConformance({
      profiles: ['replay', 'protocol'],
      onProgress: (p) => seen.push(`${p.profile}:${p.checks > 0}`),
    });
    expect(seen).toEqual(['replay:true', 'protocol:true']);
  });
});

describe('running against the same server again', () => {
  it('should pass a second and third time, and leave the server as it found it', async () => {
    const mock = await startMockServer({ seed: 'documented-examples' });
    cleanups.push(() => mock.close());
    const before = mock.webhooks();
    for (let run = 1; run <= 3; run++) {
      const report = await runConformance({
        baseUrl: mock.url,
        ...targetOf(mock),
        profiles: ['replay', 'lifecycle', 'boundaries', 'stateful', 'auth', 'protocol'],
      });
      expect(failures(report.results), `run ${run}`).toEqual([]);
      expect(mock.webhooks(), `run ${run}`).toEqual(before);
    }
  });
});
