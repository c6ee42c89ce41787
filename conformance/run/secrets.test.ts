import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { secretSpellings } from '../../src/test-support/secret-spellings.js';
import { main } from '../cli/main.js';
import {
  problem,
  startFaultyServer,
  type ProxyRequest,
  type SeededFault,
} from '../self-test/proxy.js';

/**
 * A server that echoes what it was sent, as proxies and careless error pages do: every token
 * request after the first is refused with the form body, its base64 and its JSON in the detail;
 * every refusal carries the bearer token and the client secret back, percent-encoded and in
 * base64; with `refusePreflight`, the first list is such a refusal (its words reach the report).
 */
const echoingServer = (issued: string[], refusePreflight: boolean): SeededFault => ({
  name: 'echoes credentials into its errors',
  kind: 'auth',
  request(request, tools) {
    if (request.target.startsWith('/webhooks?limit=1') && refusePreflight) {
      return echo(401, request, tools.memory);
    }
    if (request.target !== '/auth/token') return undefined;
    tools.memory.set('secret', new URLSearchParams(request.body).get('client_secret') ?? '');
    const count = ((tools.memory.get('tokens') as number | undefined) ?? 0) + 1;
    tools.memory.set('tokens', count);
    if (count === 1) return undefined;
    return echo(401, request, tools.memory);
  },
  response(response, request, tools) {
    if (request.target === '/auth/token') {
      const token = (JSON.parse(response.body) as { access_token?: string }).access_token;
      if (token) issued.push(token);
      return;
    }
    if (response.status >= 400)
      Object.assign(response, echo(response.status, request, tools.memory));
  },
});

function echo(status: number, request: ProxyRequest, memory: Map<string, unknown>) {
  const bearer = request.headers['authorization'] ?? '';
  const secret = (memory.get('secret') as string | undefined) ?? '';
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  return problem(
    status,
    `you sent ${request.body || '(no body)'} and ${encodeURIComponent(bearer)} (${base64(bearer)}); ` +
      `as JSON ${JSON.stringify({ secret })}, base64 ${base64(secret)}, form ${new URLSearchParams({ secret }).toString()}`,
  );
}

/** Client secrets that hold every character form encoding escapes, and then some. */
const secrets = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...'+/=~ %&?#"\\\'<>:@!$*'.split('')), minLength: 3 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 8, maxLength: 24 }),
  )
  .map(([reserved, base]) => `${base.slice(0, 4)}${reserved}${base.slice(4)}`);

describe('conformance reports and output', () => {
  it('should carry no client secret and no token in any spelling, whatever the server echoes (audit finding 1)', async () => {
    await fc.assert(
      fc.asyncProperty(secrets, fc.boolean(), async (clientSecret, refusePreflight) => {
        const tokens: string[] = [];
        const server = await startFaultyServer(echoingServer(tokens, refusePreflight), {
          clientSecret,
        });
        const folder = await mkdtemp(path.join(tmpdir(), 'conformance-secrets-'));
        const lines: string[] = [];
        try {
          const { mock } = server;
          const pem = mock.credentials.privateKey!.export({ format: 'pem', type: 'pkcs8' });
          const code = await main(
            [
              '--profile',
              'replay,auth',
              '--verbose',
              '--json',
              path.join(folder, 'report.json'),
              '--junit',
              path.join(folder, 'report.xml'),
              '--markdown',
              path.join(folder, 'summary.md'),
              '--html',
              path.join(folder, 'report.html'),
            ],
            {
              UPVEST_BASE_URL: server.url,
              UPVEST_CLIENT_ID: mock.credentials.clientId,
              UPVEST_CLIENT_SECRET: clientSecret,
              UPVEST_KEY_ID: mock.credentials.keyId,
              UPVEST_PRIVATE_KEY: pem.toString(),
              GITHUB_STEP_SUMMARY: path.join(folder, 'step-summary.md'),
            },
            { out: (t) => lines.push(t), err: (t) => lines.push(t) },
          );

          expect(code).toBe(1);
          const files = await readdir(folder);
          expect(files.sort()).toEqual([
            'report.html',
            'report.json',
            'report.xml',
            'step-summary.md',
            'summary.md',
          ]);
          const texts = [
            lines.join('\n'),
            ...(await Promise.all(files.map((f) => readFile(path.join(folder, f), 'utf8')))),
          ];
          expect(tokens.length).toBeGreaterThan(0);
          for (const text of texts) {
            for (const secret of [clientSecret, ...tokens]) {
              for (const [name, spell] of Object.entries(secretSpellings)) {
                const spelled = spell(secret);
                if (spelled.length < 8) continue;
                expect(text, `${name} of ${secret}`).not.toContain(spelled);
              }
            }
          }
          // The check is not vacuous: the echoes reached the report and were cut out, or the
          // failing token request is in it, reproduced without its secret.
          expect(texts.join('\n')).toContain(
            refusePreflight ? '[redacted]' : 'client_secret=$UPVEST_CLIENT_SECRET',
          );
        } finally {
          await server.close();
          await rm(folder, { recursive: true, force: true });
        }
      }),
      { numRuns: 6 },
    );
  }, 120_000);
});
