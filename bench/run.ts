/**
 * `npm run bench`: measures the package against baselines in the same run and writes
 * BENCHMARKS.md. Ratios, not absolute figures, are the result: the machines are shared and noisy.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';
import createClient from 'openapi-fetch';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import type { paths } from '../generated/openapi.js';
import { createWebhooksClient } from '../src/client/webhooks-client.js';
import { createNodeDeliveryHandler } from '../src/receiver/handler.js';
import { checkDeliveryHeaders, verifyDelivery } from '../src/receiver/verify.js';
import {
  generateDeliveryKeyPair,
  signDelivery,
  type DeliveryKeyPair,
} from '../src/testing/deliveries.js';
import { checkCategories } from '../src/rules/categories.js';
import { checkDelay } from '../src/rules/delay.js';
import { checkMaxPackageSize } from '../src/rules/package-size.js';
import { checkTitle } from '../src/rules/title.js';
import { checkWebhookUrl } from '../src/rules/url.js';
import { signRequest } from '../src/signing/sign.js';
import { validateCreateWebhook } from '../src/validation/webhook.js';
import pg from 'pg';
import { decimalEpochSeconds } from '../src/receiver/created-at.js';
import { createDeliveryEvent } from '../src/testing/deliveries.js';
import { parseDelivery } from '../src/receiver/parse.js';
import type { DeliveryEvent } from '../src/receiver/events.js';
import { createPostgresInbox, type PostgresInbox } from '../src/postgres/inbox.js';
import { serveOnLoopback } from '../src/test-support/loopback-server.js';
import { startPostgres } from '../src/test-support/postgres.js';
import { batchOfSize, benchEvent } from './events.js';
import { ackLatency, workerThroughput } from './inbox-throughput.js';
import { compare, formatRate, type Candidate, type Measured } from './harness.js';
import { BEFORE_WEB_CRYPTO, previousBuild } from './previous-build.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const seed = {
  title: 'User webhook',
  url: 'https://tenant.tld/webhooks/users',
  type: ['USER'],
  config: { delay: '2s', max_package_size: 51200 },
};
const lines: string[] = [];
const out = (line = '') => {
  lines.push(line);
  console.log(line);
};
const ratio = (a: Measured | undefined, b: Measured | undefined) =>
  ((a?.opsPerSecond ?? 0) / (b?.opsPerSecond ?? 1)).toFixed(2);
/** CPU time as a rate would compare: the baseline's CPU per call over the candidate's. */
const cpuRatio = (a: Measured | undefined, b: Measured | undefined) =>
  ((b?.cpuMicros ?? 0) / (a?.cpuMicros || 1)).toFixed(2);
const formatMicros = (micros: number) =>
  micros >= 1000 ? `${(micros / 1000).toFixed(2)} ms` : `${micros.toFixed(micros < 10 ? 2 : 1)} µs`;
function table(results: Measured[], baseline: string) {
  const base = results.find((r) => r.name === baseline);
  out(
    '| candidate | rate (median of rounds) | spread of rounds | ratio to baseline | CPU per call | baseline CPU / CPU |',
  );
  out('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    out(
      `| ${r.name} | ${formatRate(r.opsPerSecond)} | ±${((r.spread / 2) * 100).toFixed(0)}% | ${ratio(r, base)} | ${formatMicros(r.cpuMicros)} | ${cpuRatio(r, base)} |`,
    );
  }
  out();
}

async function validation() {
  out('## Validating the seed create request');
  out();
  const document = parseYaml(readFileSync(`${root}spec/openapi.yaml`, 'utf8')) as {
    components: { schemas: Record<string, unknown> };
  };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  formatsModule.default(ajv);
  const schemas = JSON.parse(
    JSON.stringify(document.components.schemas).replaceAll(
      '#/components/schemas/',
      'urn:bench:spec#/$defs/',
    ),
  ) as Record<string, unknown>;
  ajv.addSchema({ $id: 'urn:bench:spec', $defs: schemas });
  const runtime = ajv.compile({ $ref: 'urn:bench:spec#/$defs/WebhookCreateRequest' });
  const rules = (input: typeof seed) =>
    checkTitle(input.title, '/title').length +
    checkWebhookUrl(input.url, '/url').length +
    checkCategories(input.type, '/type').length +
    checkDelay(input.config.delay, '/config/delay').length +
    checkMaxPackageSize(input.config.max_package_size, '/config/max_package_size').length;
  const results = await compare([
    {
      name: 'validateCreateWebhook (precompiled schema + rules)',
      run: () => validateCreateWebhook(seed),
      batch: 100,
    },
    { name: 'ajv compiled at runtime (schema only)', run: () => runtime(seed), batch: 100 },
    { name: 'bare rule functions', run: () => rules(seed), batch: 100 },
  ]);
  table(results, 'ajv compiled at runtime (schema only)');
  out(
    `Each sample is 100 calls, so the clock's cost is not part of a call. Target: at least 0.40 of ajv alone (the schema without the business rules, the least correct work). Measured ${ratio(results[0], results[1])}, ${formatRate(results[0]?.opsPerSecond ?? 0)}; the bare rules alone run at ${ratio(results[2], results[1])}x ajv.`,
  );
  const cold = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "const t=performance.now(); const m=await import('./src/validation/webhook.ts'); const i=performance.now(); m.validateCreateWebhook({title:'t',url:'https://a.tld'}); console.log((i-t).toFixed(1), (performance.now()-i).toFixed(2));",
    ],
    { cwd: root, encoding: 'utf8' },
  )
    .trim()
    .split(' ');
  out(
    `Cold start (fresh process, through tsx): import of the validators ${cold[0]} ms, first validation ${cold[1]} ms.`,
  );
  out();
}

async function client() {
  out('## Client request overhead on loopback (`GET /webhooks`)');
  out();
  const body = JSON.stringify({
    meta: { offset: 0, limit: 100, count: 0, total_count: 0 },
    data: [],
  });
  const server = await serveOnLoopback((_, response) => {
    response.writeHead(200, {
      'content-type': 'application/json',
      'upvest-request-id': '169ae4c7-ebd7-4041-94da-25369653eba7',
    });
    response.end(body);
  });
  const { url } = server;
  const headers = {
    'upvest-client-id': 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
    'upvest-api-version': '1',
    accept: 'application/json',
    authorization: 'Bearer dG9rZW4',
  };
  const ours = createWebhooksClient({
    baseUrl: url,
    clientId: headers['upvest-client-id'],
    accessToken: 'dG9rZW4',
    responseValidation: 'strict',
  });
  const bare = createClient<paths>({ baseUrl: url });
  const results = await compare(
    [
      { name: 'our client (validation on, signing off)', run: () => ours.list({ limit: 100 }) },
      {
        name: 'bare openapi-fetch',
        run: () => bare.GET('/webhooks', { params: { query: { limit: 100 } }, headers }),
      },
      {
        name: 'raw fetch',
        run: async () => (await fetch(`${url}/webhooks?limit=100`, { headers })).json(),
      },
      {
        // What a time limit costs on its own: the least work that still ends a request in time.
        name: 'bare openapi-fetch with a per-request timeout signal',
        run: async () => {
          const timer = new AbortController();
          const timeout = setTimeout(() => timer.abort(), 30_000);
          try {
            return await bare.GET('/webhooks', {
              params: { query: { limit: 100 } },
              headers,
              signal: timer.signal,
            });
          } finally {
            clearTimeout(timeout);
          }
        },
      },
    ],
    { rounds: 15, roundMs: 250 },
  );
  table(results, 'bare openapi-fetch');
  out(
    `Target: at least 0.95 of bare openapi-fetch, timeouts and aborts enforced. Measured by rate ${ratio(results[0], results[1])} (by CPU per call ${cpuRatio(results[0], results[1])}); against bare openapi-fetch given a timeout signal, the least work that still ends a request in time, ${ratio(results[0], results[3])} by rate and ${cpuRatio(results[0], results[3])} by CPU per call. Raw fetch runs at ${ratio(results[2], results[1])}x openapi-fetch.`,
  );
  out();
  await server.close();
}

async function signing() {
  out('## Signing a request (ECDSA P-521, SHA-512)');
  out();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const request = {
    method: 'POST',
    url: 'https://sandbox.upvest.co/webhooks',
    headers: {
      'content-type': 'application/json',
      'upvest-client-id': 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
    },
    body: JSON.stringify(seed),
  };
  const options = {
    keyId: 'k',
    privateKey,
    components: ['@method', '@path', 'content-type', 'content-digest', 'upvest-client-id'],
  };
  const base = Buffer.from((await signRequest(request, options)).signatureBase);
  // What Node users get (node:crypto's primitives) beside the sources' Web Crypto path.
  const nodeBuild = (await import(
    pathToFileURL(path.join(root, 'dist/bundle/src/signing/index.js')).href
  )) as { signRequest: typeof signRequest };
  const results = await compare(
    [
      { name: 'signRequest, Node build', run: () => nodeBuild.signRequest(request, options) },
      {
        name: 'bare crypto.sign of an equal-length base',
        run: () => sign('sha512', base, { key: privateKey, dsaEncoding: 'der' }),
      },
      {
        name: 'signRequest, other runtimes (Web Crypto)',
        run: () => signRequest(request, options),
      },
    ],
    { rounds: 5, roundMs: 300 },
  );
  table(results, 'bare crypto.sign of an equal-length base');
  out(
    `Target: within 10% of bare crypto.sign. Measured ${ratio(results[0], results[1])} of its rate for the Node build, ${ratio(results[2], results[1])} for the Web Crypto path.`,
  );
  out();
}

/** Calls `then` with a request's whole body, read as a bare server would (no limits). */
function whenRead(req: IncomingMessage, then: (body: Buffer) => void): void {
  const parts: Buffer[] = [];
  req.on('data', (chunk: Buffer) => parts.push(chunk));
  req.on('end', () => then(Buffer.concat(parts)));
}

async function receiving() {
  out('## Receiving deliveries over HTTP');
  out();
  const pair = generateDeliveryKeyPair();
  const publicKey = createPublicKey(
    createPrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' })),
  );
  const events = Array.from({ length: 10 }, (_, i) => benchEvent(i));
  const signed = signDelivery(events, {
    keyId: pair.keyId,
    privateKey: pair.privateKey,
    url: 'https://tenant.tld/webhooks',
  });
  const base = Buffer.from('x'.repeat(400));
  const sig = sign('sha512', base, { key: pair.privateKey, dsaEncoding: 'der' });
  let handed = 0;
  const handler = createNodeDeliveryHandler({
    keys: pair.jwks,
    // Every request carries the same ids: without deduplication each is handed over, as the
    // bare server below parses each.
    dedupe: false,
    onEvents: (batch) => void (handed += batch.length),
  });
  const ours = await serveOnLoopback((req, res) => void handler(req, res));
  // The least a correct receiver does per request: read the body, hash it for the digest,
  // parse it, check one signature, answer 200.
  const bare = await serveOnLoopback((req, res) => {
    whenRead(req, (body) => {
      createHash('sha512').update(body).digest();
      JSON.parse(body.toString('utf8'));
      verify('sha512', base, { key: publicKey, dsaEncoding: 'der' }, sig);
      res.writeHead(200).end();
    });
  });
  // The same verify + parse as the handler (the library's verifyDelivery, which parses too), in
  // a bare node:http server: what any correct receiver built on this library does per request.
  // Measured against it, the ratio is the handler's own cost (bounded body reading, the early
  // refusals, deduplication, the answer), which item 4 of the performance issue sets at 10%.
  const sameVerify = await serveOnLoopback((req, res) => {
    whenRead(req, (body) => {
      void verifyDelivery(
        { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
        { keys: pair.jwks },
      ).then((verified) => res.writeHead(verified.ok ? 200 : 401).end());
    });
  });
  const post = async (url: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`answered ${response.status}`);
  };
  const results = await compare(
    [
      { name: 'createNodeDeliveryHandler', run: () => post(`${ours.url}/webhooks`) },
      {
        name: 'bare node:http: read, verifyDelivery (the same verify + parse)',
        run: () => post(`${sameVerify.url}/webhooks`),
      },
      {
        name: 'bare node:http: read, sha-512, JSON.parse, crypto.verify',
        run: () => post(`${bare.url}/webhooks`),
      },
    ],
    { rounds: 7, roundMs: 500 },
  );
  await Promise.all([ours.close(), sameVerify.close(), bare.close()]);
  if (handed === 0) throw new Error('the handler handed no events over');
  out(`### Batches of ${events.length} events, one keep-alive connection at a time`);
  out();
  table(results, 'bare node:http: read, verifyDelivery (the same verify + parse)');
  out(
    `Events per second: ${formatRate((results[0]?.opsPerSecond ?? 0) * events.length)} through the handler. Target: at least 0.90 of a bare server doing the same verify + parse. Measured ${ratio(results[0], results[1])}. Against the least work a server can do per request (one hash, one parse, one ECDSA verify of a fixed base, no signature headers read): ${ratio(results[0], results[2])}; the difference is the verification itself (reading the signature fields, building the base, checking digest, time window and envelope), whose cost in one process is the "Verifying and parsing" table above.`,
  );
  out();
  memoryOfLargeBatch();
}

/** The memory the handler holds for a 1 MiB batch (bench/memory.ts). */
function memoryOfLargeBatch() {
  out('### Memory for a 1 MiB batch');
  out();
  // In a fresh process with --expose-gc: the heap and buffers in use while onEvents holds the
  // events, above what the same process used before the request.
  const peak = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/memory.ts'],
    { cwd: root, encoding: 'utf8' },
  ).trim();
  out(peak);
  out();
}

/** A P-521 public key as Web Crypto verifies with it. */
function webVerifyKey(publicKey: ReturnType<typeof createPublicKey>) {
  return crypto.subtle.importKey(
    'jwk',
    publicKey.export({ format: 'jwk' }),
    { name: 'ECDSA', namedCurve: 'P-521' },
    false,
    ['verify'],
  );
}

/** The receiver's verifyDelivery of a build (its dist/ under `build`). */
async function receiverOf(build: string) {
  const entry = path.join(build, 'dist/bundle/src/receiver/index.js');
  return (await import(pathToFileURL(entry).href)) as { verifyDelivery: typeof verifyDelivery };
}

const NODE_ROW = 'verifyDelivery, Node build (node:crypto: verify, digest, validate, sort)';
const WEB_ROW = 'verifyDelivery, other runtimes (Web Crypto)';
const BARE_WEB_ROW = 'bare Web Crypto: digest + JSON.parse + subtle.verify';
const BARE_ROW = 'bare sha-512 + JSON.parse + crypto.verify';

/** One delivery's request and the bare baselines' own signature over a base of the same size. */
async function deliveryCase(events: Parameters<typeof signDelivery>[0], v15: boolean) {
  const pair = generateDeliveryKeyPair();
  const signed = signDelivery(events, {
    keyId: pair.keyId,
    privateKey: pair.privateKey,
    url: 'https://tenant.tld/webhooks',
    ...(v15 ? { format: 'rfc9421' as const, digest: 'content-digest' as const } : {}),
  });
  const req = {
    method: 'POST',
    url: signed.url,
    headers: signed.headers,
    body: Buffer.from(signed.body),
  };
  const publicKey = createPublicKey(
    createPrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' })),
  );
  const base = Buffer.from('x'.repeat(400));
  return {
    req,
    keys: pair.jwks,
    publicKey,
    base,
    sig: sign('sha512', base, { key: pair.privateKey, dsaEncoding: 'der' }),
    rawSig: sign('sha512', base, { key: pair.privateKey, dsaEncoding: 'ieee-p1363' }),
    webKey: await webVerifyKey(publicKey),
  };
}

type Verifier = Awaited<ReturnType<typeof receiverOf>>;

/** The candidates for one delivery: the builds, the Web Crypto path and the two bare baselines. */
function deliveryCandidates(
  c: Awaited<ReturnType<typeof deliveryCase>>,
  builds: readonly (readonly [string, Verifier])[],
): Candidate[] {
  const { req, keys } = c;
  return [
    ...builds.map(([name, build]) => ({ name, run: () => build.verifyDelivery(req, { keys }) })),
    {
      // The same least work with Web Crypto, which verifyDelivery uses on every runtime:
      // the primitive's own cost beside node:crypto's, so a change of the ratio above can
      // be told apart from a change of the primitive.
      name: BARE_WEB_ROW,
      run: async () => [
        await crypto.subtle.digest('SHA-512', req.body),
        JSON.parse(req.body.toString('utf8')) as unknown,
        await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-512' }, c.webKey, c.rawSig, c.base),
      ],
    },
    {
      // The least a correct receiver does with the bytes it got: hash them for the digest,
      // decode and parse them, and check one signature.
      name: BARE_ROW,
      run: () => [
        createHash('sha512').update(req.body).digest(),
        JSON.parse(req.body.toString('utf8')) as unknown,
        verify('sha512', c.base, { key: c.publicKey, dsaEncoding: 'der' }, c.sig),
      ],
    },
  ];
}

async function deliveries() {
  out('## Verifying and parsing a delivery');
  out();
  const big = batchOfSize(1024 * 1024 - 500);
  // What Node users get: the package's Node build (`npm run bench` builds it first), whose
  // primitives are node:crypto's; the sources' primitives are Web Crypto, as on other runtimes.
  // And the Node build before the Web Crypto receiver (#28), beside today's in the same rounds:
  // the regression it may have brought is smaller than what separates two runs of this machine.
  const before = previousBuild(root, process.env['BENCH_PREVIOUS'] ?? BEFORE_WEB_CRYPTO);
  const beforeRow = `verifyDelivery, Node build of ${before.revision} (before Web Crypto)`;
  const builds: (readonly [string, Verifier])[] = [
    [NODE_ROW, await receiverOf(root)],
    [WEB_ROW, { verifyDelivery }],
    ...(before.ok ? [[beforeRow, await receiverOf(before.root)] as const] : []),
  ];
  for (const [label, events, v15] of [
    [`a 1 MiB batch (${big.length} events)`, big, false],
    ['a batch of one event', [benchEvent(0)], false],
    ['a batch of one event, v15 form (quoted base, content-digest)', [benchEvent(0)], true],
  ] as const) {
    const c = await deliveryCase(events, v15);
    // A build that refused the delivery would look fast: every candidate must accept it.
    for (const [name, build] of builds) {
      const verdict = await build.verifyDelivery(c.req, { keys: c.keys });
      if (!verdict.ok) throw new Error(`${label}: ${name} refused it (${verdict.reason})`);
    }
    // More rounds than elsewhere: the rows differ by a few percent, the rounds by ±10-20%.
    const results = await compare(deliveryCandidates(c, builds), { rounds: 11, roundMs: 400 });
    const row = (name: string) => results.find((r) => r.name === name);
    out(`### ${label}`);
    out();
    table(results, BARE_ROW);
    out(
      `Target: at most ${events === big ? '1.3' : '1.15'}x the baseline's time. Measured ${ratio(row(BARE_ROW), row(NODE_ROW))}x for the Node build, ${ratio(row(BARE_ROW), row(WEB_ROW))}x for the Web Crypto path. The same least work with Web Crypto takes ${ratio(row(BARE_ROW), row(BARE_WEB_ROW))}x node:crypto's time.`,
    );
    out();
    const previous = row(beforeRow);
    out(
      previous
        ? `Against the Node build of ${before.revision}, the receiver before Web Crypto, in the same rounds (target: at most 1.05x): today's Node build takes ${ratio(previous, row(NODE_ROW))}x its time by rate, ${((row(NODE_ROW)?.cpuMicros ?? 0) / (previous.cpuMicros || 1)).toFixed(2)}x its CPU per call.`
        : `(No row for ${before.revision}: ${before.ok ? 'not measured' : before.reason}.)`,
    );
    out();
  }
}

/** The audit's request: a fresh signature window, any keyid, a signature by another key, 160 digests. */
function auditRequest(keyId: string) {
  const now = Math.floor(Date.now() / 1000);
  const entry = `SHA-256=${createHash('sha256').update('x').digest('base64')}`;
  const attack = {
    method: 'POST',
    url: '/webhooks',
    headers: {
      host: 'tenant.tld',
      'content-type': 'application/json',
      'content-length': String(10 * 1024 * 1024),
      'signature-input': `sig1=("@method" "@path" "digest");created=${now};expires=${now + 3600};keyid="${keyId}"`,
      // A well-formed signature by another key: the verifier must do the curve arithmetic.
      signature: `sig1=:${sign('sha512', Buffer.from('x'), { key: generateDeliveryKeyPair().privateKey, dsaEncoding: 'der' }).toString('base64')}:`,
      digest: Array(160).fill(entry).join(','),
    },
  };
  return { attack, entry };
}

type AuditRequest = ReturnType<typeof auditRequest>['attack'];

/**
 * What an unauthenticated sender costs a receiver (audit finding 2): refusing a request with a
 * fresh signature window, any keyid, a garbage signature and a digest header repeating its entry
 * 160 times, announcing a 10 MiB body; and how long a health check in the same process waits
 * while another process sends such requests back to back.
 */
async function refusals() {
  out('## Refusing unsigned requests');
  out();
  const pair = generateDeliveryKeyPair();
  const { attack, entry } = auditRequest(pair.keyId);
  await refusalCosts(pair, attack, entry);
  await healthUnderAttack(pair, attack);
}

/** The CPU a refusal costs, against verifying a genuine one-event delivery. */
async function refusalCosts(pair: DeliveryKeyPair, attack: AuditRequest, entry: string) {
  const genuine = signDelivery([benchEvent(0)], {
    keyId: pair.keyId,
    privateKey: pair.privateKey,
    url: 'https://tenant.tld/webhooks',
  });
  const one = { method: 'POST', url: genuine.url, headers: genuine.headers, body: genuine.body };
  // The same without the repeated digest: the signature itself must be checked and refused.
  const forged = { ...attack, headers: { ...attack.headers, digest: entry } };
  for (const request of [attack, forged]) {
    if (!(await checkDeliveryHeaders(request, { keys: pair.jwks }))) {
      throw new Error('an attack was not refused before its body');
    }
  }
  const results = await compare(
    [
      {
        name: 'refusing the attack before its 10 MiB body (checkDeliveryHeaders)',
        run: () => checkDeliveryHeaders(attack, { keys: pair.jwks }),
      },
      {
        name: 'refusing a signature by another key, one digest entry, before its 10 MiB body',
        run: () => checkDeliveryHeaders(forged, { keys: pair.jwks }),
      },
      {
        name: 'the same, the base format pinned (signatureFormats: [upvest-v6])',
        run: () =>
          checkDeliveryHeaders(forged, { keys: pair.jwks, signatureFormats: ['upvest-v6'] }),
      },
      {
        name: 'verifyDelivery of a genuine one-event delivery',
        run: () => verifyDelivery(one, { keys: pair.jwks }),
      },
    ],
    { rounds: 5, roundMs: 300 },
  );
  table(results, 'verifyDelivery of a genuine one-event delivery');
  out(
    `Target: refusing costs no more than verifying a one-event delivery. Measured by CPU per call (above 1: cheaper): ${cpuRatio(results[0], results[3])} for the audit's request, ${cpuRatio(results[1], results[3])} for a well-formed signature by another key, ${cpuRatio(results[2], results[3])} with the format pinned. A signature that verifies with no allowed format is tried in each (two ECDSA checks by default, as Upvest's delivery format is not settled), where a genuine delivery verifies in the first; no body is read or hashed for any refusal. Before the signature was checked first, the audit's request was read whole and hashed 160 times (it measured a 7.2 s stall).`,
  );
  out();
}

/** How long each of `samples` health checks, 5 ms apart, waited for its answer, sorted. */
async function healthWaits(url: string, samples: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await (await fetch(`${url}/health`)).text();
    waits.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return waits.sort((a, b) => a - b);
}

/**
 * Another process sending the request (its head, then a body until the server closes) on four
 * connections at a time, back to back; it prints how many it sent, each second.
 */
function spawnAttacker(port: number, attack: AuditRequest) {
  const head = `POST /webhooks HTTP/1.1\r\n${Object.entries(attack.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n')}\r\n\r\n`;
  // Four connections at a time, each sending the head and then the body until it is closed.
  return spawn(
    process.execPath,
    [
      '-e',
      `const net = require('node:net');
       const chunk = Buffer.alloc(64 * 1024, 120);
       const head = ${JSON.stringify(head)};
       let sent = 0;
       const one = () => {
         const socket = net.connect(${port}, '127.0.0.1', () => {
           socket.write(head);
           const pump = () => { while (socket.writable && socket.write(chunk)) {} };
           socket.on('drain', pump);
           pump();
         });
         socket.on('error', () => {});
         socket.on('close', () => { sent += 1; one(); });
       };
       for (let i = 0; i < 4; i++) one();
       setInterval(() => process.stdout.write(String(sent) + '\\n'), 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

/** A health check's wait in the receiver's process, quiet and while another process attacks it. */
async function healthUnderAttack(pair: DeliveryKeyPair, attack: AuditRequest) {
  // The receiver and a health route in this process; the attacker in another.
  const handler = createNodeDeliveryHandler({ keys: pair.jwks, onEvents: () => undefined });
  const server = await serveOnLoopback((req, res) => {
    if (req.url === '/health') res.writeHead(200).end('ok');
    else void handler(req, res);
  });
  const quiet = await healthWaits(server.url, 200);
  const attacker = spawnAttacker(server.port, attack);
  let attacks = 0;
  attacker.stdout.on('data', (chunk: Buffer) => {
    attacks = Number(chunk.toString().trim().split('\n').pop() ?? attacks);
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const attacked = await healthWaits(server.url, 200);
  attacker.kill();
  await server.close();
  const at = (waits: number[], q: number) =>
    waits[Math.min(waits.length - 1, Math.floor(waits.length * q))] ?? 0;
  out('| health check | median | p99 | max |');
  out('| --- | --- | --- | --- |');
  out(
    `| without attack | ${at(quiet, 0.5).toFixed(1)} ms | ${at(quiet, 0.99).toFixed(1)} ms | ${at(quiet, 1).toFixed(1)} ms |`,
  );
  out(
    `| while another process sends the attack on 4 connections | ${at(attacked, 0.5).toFixed(1)} ms | ${at(attacked, 0.99).toFixed(1)} ms | ${at(attacked, 1).toFixed(1)} ms |`,
  );
  out();
  out(
    `${attacks} attack requests refused during the measurement. Target: a concurrent health check stalls under 50 ms (the audit measured 7.2 s before).`,
  );
  out();
}

/** Events per batch the inbox section stores. */
const BATCH = 100;

/** Parsed batches of BATCH ORDER.FILLED events, on 500 objects in turn across calls. */
function batchMaker(): () => readonly DeliveryEvent[] {
  let made = 0;
  return () => {
    const parsed = parseDelivery(
      JSON.stringify({
        payload: Array.from({ length: BATCH }, () =>
          createDeliveryEvent({ type: 'ORDER.FILLED', object: { id: `order-${made++ % 500}` } }),
        ),
      }),
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.events;
  };
}

/** The Postgres inbox: storing batches, applying them and acknowledging, each against the least work. */
async function inbox() {
  out('## The Postgres inbox (`upvest-webhooks/postgres`)');
  out();
  const database = await startPostgres();
  const pool = new pg.Pool({ connectionString: database.connectionString, max: 8 });
  // Stopping the server ends idle connections; that is the end of the section, not an error.
  pool.on('error', () => undefined);
  try {
    const store = createPostgresInbox({ pool });
    await store.migrate();
    const batch = batchMaker();
    await storing(pool, store, batch);
    await workerThroughput(pool, store, batch, out);
    await ackLatency(pool, store, out);
  } finally {
    await pool.end();
    await database.stop();
  }
}

/** `inbox.store` of a batch against one bare multi-row INSERT of the same rows. */
async function storing(pool: pg.Pool, store: PostgresInbox, batch: () => readonly DeliveryEvent[]) {
  // The least correct work: the same rows (the inbox's columns), one multi-row INSERT, a primary
  // key and nothing else: no dedupe on conflict, no order bookkeeping, no per-object rows.
  await pool.query(
    `CREATE TABLE bare_events (dedupe_key text PRIMARY KEY, event_id text, webhook_id text,
       type text, object_key text, created_at text, created_at_key numeric, payload jsonb)`,
  );
  const values = Array.from(
    { length: BATCH },
    (_, i) => `(${Array.from({ length: 8 }, (_, c) => `$${8 * i + c + 1}`).join(', ')})`,
  ).join(', ');
  const results = await compare(
    [
      {
        name: `inbox.store, ${BATCH} events (dedupe, order key, objects)`,
        run: () => store.store(batch()),
      },
      {
        name: `bare multi-row INSERT of ${BATCH} events in one transaction`,
        run: () =>
          pool.query(
            `INSERT INTO bare_events VALUES ${values}`,
            batch().flatMap((event) => [
              event.id,
              event.id,
              event.webhook_id,
              event.type,
              event.object['id'],
              event.created_at,
              decimalEpochSeconds(event.created_at),
              JSON.stringify(event),
            ]),
          ),
      },
    ],
    { rounds: 5, roundMs: 1000 },
  );
  table(results, `bare multi-row INSERT of ${BATCH} events in one transaction`);
  out(
    `Target: at least 0.8 of the bare INSERT. Measured ${ratio(results[0], results[1])}: ${formatRate((results[0]?.opsPerSecond ?? 0) * BATCH)} events stored (each batch built and parsed in the loop, for both).`,
  );
  out();
}

function processes() {
  out('## Import time and conformance wall time');
  out();
  // Each entry in a fresh process, the processes taking turns in every round, so load on the
  // machine moves all of them alike. The import is timed inside the process, after an import of
  // an empty module has started Node's ES module loader: what is left is the entry's own cost
  // (its files and the built-in modules it loads), without the start of a process, which swings
  // by tens of milliseconds here from one run to the next.
  // The floor for a packaged receiver: the first file module a process imports starts the file
  // half of Node's loader (about 5 ms here), and anything that verifies loads node:crypto.
  const floorFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-import-')), 'floor.mjs');
  writeFileSync(floorFile, "import 'node:crypto';\n");
  const entries: Record<string, string> = {
    'node:crypto alone': 'node:crypto',
    'a one-line file importing node:crypto (the floor for a packaged verifier)':
      pathToFileURL(floorFile).href,
    'upvest-webhooks/receiver': './dist/bundle/src/receiver/index.js',
    'upvest-webhooks/signing': './dist/bundle/src/signing/index.js',
    'upvest-webhooks (main)': './dist/bundle/src/index.js',
    'upvest-webhooks/testing': './dist/bundle/src/testing/index.js',
    // tsc's per-file output, which the entries pointed at before scripts/bundle.ts: side by side.
    'receiver, one file per module': './dist/src/receiver/index.js',
    'main, one file per module': './dist/src/index.js',
  };
  const times: Record<string, number[]> = {};
  const starts: number[] = [];
  for (let round = 0; round < 15; round++) {
    for (const [name, file] of Object.entries(entries)) {
      const start = performance.now();
      const took = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `await import('data:text/javascript,export{}'); const t = performance.now(); await import('${file}'); process.stdout.write(String(performance.now() - t));`,
        ],
        { cwd: root, encoding: 'utf8' },
      );
      starts.push(performance.now() - start - Number(took));
      (times[name] ??= []).push(Number(took));
    }
  }
  const med = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
  const bare = med(starts);
  const targets: Record<string, number> = {
    'upvest-webhooks/receiver': 20,
    'upvest-webhooks (main)': 30,
  };
  out('| entry | import, timed in a fresh process (median of 15) | target |');
  out('| --- | --- | --- |');
  for (const name of Object.keys(entries)) {
    out(
      `| ${name} | ${med(times[name] ?? []).toFixed(1)} ms | ${targets[name] ? `under ${targets[name]} ms` : '-'} |`,
    );
  }
  out();
  out(
    `A process start with Node's module loader, around each import: ${bare.toFixed(0)} ms (median).`,
  );
  const start = performance.now();
  execFileSync(
    process.execPath,
    [
      'dist/bundle/bin/upvest-webhooks.js',
      'conformance',
      '--json',
      '/dev/null',
      '--junit',
      '/dev/null',
    ],
    { cwd: root },
  );
  out(
    `Conformance suite against the embedded mock (built bin, all profiles): ${(performance.now() - start).toFixed(0)} ms wall time. Target: under 5 s.`,
  );
  out();
}

out('# Benchmarks');
out();
out(
  `Measured by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}.`,
);
out(
  'Each table is one run. tinybench measures each candidate; the candidates take turns in interleaved rounds and the median rate of the rounds is shown with their spread, so the ratios hold on a noisy machine even when absolute rates move. Each baseline is the least correct work for the same job.',
);
out();
const sections: Record<string, () => unknown> = {
  validation,
  client,
  signing,
  deliveries,
  receiving,
  refusals,
  inbox,
  processes,
};
// BENCH_ONLY=inbox,signing runs those sections and prints them, leaving BENCHMARKS.md alone.
const only = process.env['BENCH_ONLY']?.split(',');
for (const [name, section] of Object.entries(sections)) {
  if (!only || only.includes(name)) await section();
}
if (!only) {
  out('## Where targets are missed, and why');
  out();
  out(readFileSync(`${root}bench/analysis.md`, 'utf8').trim());
  writeFileSync(`${root}BENCHMARKS.md`, `${lines.join('\n')}\n`);
}
