import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openApiDocument } from '../generated/spec.js';
import { createWebhooksClient, type WebhooksClient } from '../src/client/webhooks-client.js';
import { createUpvestSigner } from '../src/signing/upvest-profile.js';
import { startMockServer, type MockServer } from '../src/testing/mock-server.js';
import type { CheckResult } from './model.js';
import { toJUnitXml, toJson, toSummary } from './reports.js';
import { runConformance } from './run.js';

/** A response mutation a broken server would make. */
interface Fault {
  (response: {
    method: string;
    path: string;
    status: number;
    headers: Record<string, string>;
    body: string;
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
        };
        fault(answer);
        delete answer.headers['content-length'];
        delete answer.headers['transfer-encoding'];
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
      new Set(['replay', 'lifecycle', 'negative', 'enforcement']),
    );
    expect(report.counts.pass).toBeGreaterThan(300);
  });

  it('should pass against the same mock behind a faithful proxy', async () => {
    const report = await runAgainst(() => undefined);
    expect(failures(report.results)).toEqual([]);
  });

  it.each<[string, Fault, string]>([
    [
      'a missing upvest-request-id',
      (r) => {
        delete r.headers['upvest-request-id'];
      },
      'upvest-request-id header is a UUID',
    ],
    [
      'a create answered 200 instead of 201',
      (r) => {
        if (r.method === 'POST' && r.path === '/webhooks') r.status = 200;
      },
      'status is documented',
    ],
    [
      'an extra field in a webhook',
      (r) => {
        if (r.path.startsWith('/webhooks/') && r.status === 200)
          r.body = JSON.stringify({ ...JSON.parse(r.body), colour: 'red' });
      },
      'body matches schema Webhook',
    ],
    [
      'an error answered as text/plain',
      (r) => {
        if (r.status === 404) r.headers['content-type'] = 'text/plain';
      },
      'content-type is the documented one',
    ],
    [
      'a body on a 202',
      (r) => {
        if (r.status === 202) r.body = '{"queued":true}';
      },
      'HTTP 202 has no body',
    ],
    [
      'a different title echoed',
      (r) => {
        if (r.method === 'POST' && r.status === 201)
          r.body = JSON.stringify({ ...JSON.parse(r.body), title: 'Something else' });
      },
      'response echoes what was sent',
    ],
    [
      'a problem whose status disagrees with HTTP',
      (r) => {
        if (r.status === 404) r.body = JSON.stringify({ ...JSON.parse(r.body), status: 400 });
      },
      'problem status equals the HTTP status',
    ],
    [
      'a webhook created enabled',
      (r) => {
        if (r.method === 'POST' && r.status === 201)
          r.body = JSON.stringify({ ...JSON.parse(r.body), enabled: true });
      },
      'a new webhook is disabled (R8)',
    ],
  ])('should catch a server with %s', async (_name, fault, check) => {
    const report = await runAgainst(fault);

    expect(report.passed).toBe(false);
    expect(failedChecks(report.results)).toContain(check);
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

    expect(failures(report.drift).map((r) => r.case)).toEqual(['request body "user_webhook_spec"']);
    expect(failures(report.drift)[0]?.detail).toContain('delay.above_maximum');
    expect(report.passed).toBe(false);
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

  it('should never put the client secret or a token into any report', async () => {
    const mock = await startMockServer();
    cleanups.push(() => mock.close());
    const report = await runConformance({
      baseUrl: mock.url,
      ...targetOf(mock),
      profiles: ['replay', 'lifecycle', 'negative'],
    });
    const tokens = mock.requests.length > 0 ? [mock.credentials.clientSecret] : [];

    for (const text of [toJson(report), toJUnitXml(report), toSummary(report)]) {
      for (const secret of tokens) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/Bearer [A-Za-z0-9_-]{10,}/);
    }
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
