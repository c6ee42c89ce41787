import { openApiDocument } from '../generated/spec.js';
import type { RequestSigner } from '../src/client/transport.js';
import {
  createWebhooksClient,
  type WebhooksClient,
  type WebhooksClientOptions,
} from '../src/client/webhooks-client.js';
import { createUpvestSigner } from '../src/signing/upvest-profile.js';
import { startMockServer, type MockServer } from '../src/testing/mock-server.js';
import { collectExamples, exampleDrift } from './cases.js';
import type { ProfileContext } from './context.js';
import { coverageTable, type CoverageRow } from './coverage.js';
import { CheckLog, serverProfiles, type CheckResult, type ServerProfile } from './model.js';
import { runLifecycle } from './profiles/lifecycle.js';
import { runEnforcement } from './profiles/enforcement.js';
import { runNegative } from './profiles/negative.js';
import { runReplay } from './profiles/replay.js';
import { createRecordingFetch } from './recording-fetch.js';
import { redactor } from './redact.js';
import { startTestDeliveryReceiver, type TestDeliveryReceiver } from './test-delivery-receiver.js';
import { fetchAccessToken, type ConformanceCredentials } from './token.js';

/**
 * Options of {@link runConformance}. With none, it starts the embedded mock and runs every
 * profile against it.
 *
 * @example
 * ```ts
 * const options: ConformanceOptions = {
 *   baseUrl: 'https://sandbox.upvest.co',
 *   profiles: ['lifecycle', 'negative'],
 *   credentials: { clientId, clientSecret },
 *   signer,
 * };
 * ```
 */
export interface ConformanceOptions {
  /** The server to test; omit to start the embedded mock (seeded with the spec's examples). */
  readonly baseUrl?: string;
  /** Which profiles to run (default: replay, lifecycle, negative). */
  readonly profiles?: readonly ServerProfile[];
  /** Tenant credentials; a client secret is exchanged for a token at `POST /auth/token`. */
  readonly credentials?: ConformanceCredentials;
  /** Signs every request (HTTP message signatures). */
  readonly signer?: RequestSigner;
  /**
   * The target answers with the spec's examples (Prism): send `Prefer: code=…, example=…`, and
   * treat it as stateless. Default false.
   */
  readonly specMock?: boolean;
  /** The spec document whose examples drive the run; the package's own by default. */
  readonly document?: unknown;
  /** The `fetch` under the recording layer. */
  readonly fetch?: typeof globalThis.fetch;
  /** Builds the client under test; tests of the suite inject a faulty one here. */
  readonly clientFactory?: (options: WebhooksClientOptions) => WebhooksClient;
}

/** Counts of a run's verdicts. */
export interface ConformanceCounts {
  readonly pass: number;
  readonly fail: number;
  readonly skip: number;
}

/**
 * What a conformance run found. `passed` is false when any check failed, example drift included.
 *
 * @example
 * ```ts
 * const report = await runConformance();
 * if (!report.passed) console.log(report.results.filter((r) => r.outcome === 'fail'));
 * ```
 */
export interface ConformanceReport {
  /** The base URL tested, or `embedded mock (<url>)`. */
  readonly target: string;
  readonly profiles: readonly ServerProfile[];
  readonly startedAt: string;
  readonly durationMs: number;
  /** Checks of the spec's own examples: drift, reported apart from server failures. */
  readonly drift: readonly CheckResult[];
  /** Checks of the exchanges with the server. */
  readonly results: readonly CheckResult[];
  readonly coverage: readonly CoverageRow[];
  readonly counts: ConformanceCounts;
  readonly passed: boolean;
}

function count(results: readonly CheckResult[]): ConformanceCounts {
  return {
    pass: results.filter((r) => r.outcome === 'pass').length,
    fail: results.filter((r) => r.outcome === 'fail').length,
    skip: results.filter((r) => r.outcome === 'skip').length,
  };
}

/** Checks every example of the spec against its own schema and the business rules. */
export function checkExamples(document: unknown): CheckResult[] {
  const log = new CheckLog();
  for (const example of collectExamples(document)) {
    const problems = exampleDrift(example);
    log.expect(
      {
        profile: 'examples',
        operation: example.operationId,
        case: `${example.location} "${example.name}"`,
      },
      'example matches its schema and the business rules',
      problems.length === 0,
      problems.join('; ') || 'valid',
    );
  }
  return log.results;
}

/**
 * Runs the conformance suite: first the spec's examples are checked (drift), then each profile
 * talks to the target through our client, and every exchange is checked against the contract.
 * Never throws for a failing target: failures are results.
 *
 * @example
 * ```ts
 * import { runConformance } from 'upvest-webhooks/conformance';
 *
 * const report = await runConformance({ profiles: ['replay'] });
 * console.log(report.passed, report.counts);
 * ```
 */
export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = Date.now();
  const document = options.document ?? openApiDocument;
  const profiles = options.profiles ?? serverProfiles;
  const drift = checkExamples(document);

  let mock: MockServer | undefined;
  let baseUrl = options.baseUrl;
  let credentials = options.credentials;
  let signer = options.signer;
  let receiver: TestDeliveryReceiver | undefined;
  if (baseUrl === undefined) {
    // The embedded mock demands v15 signatures like the API; the run signs with the throwaway
    // tenant key the mock generated, and receives its test deliveries on loopback.
    receiver = await startTestDeliveryReceiver();
    mock = await startMockServer({ seed: 'documented-examples', deliveryTarget: receiver.url });
    baseUrl = mock.url;
    credentials = {
      clientId: mock.credentials.clientId,
      clientSecret: mock.credentials.clientSecret,
    };
    const privateKey = mock.credentials.privateKey;
    signer ??= privateKey
      ? createUpvestSigner({ keyId: mock.credentials.keyId, privateKey })
      : undefined;
  }
  const secrets = [credentials?.clientSecret, credentials?.accessToken];
  const log = new CheckLog();
  const recording = createRecordingFetch(options.fetch ?? globalThis.fetch);
  try {
    let prefer: string | undefined;
    const specMock = options.specMock ?? false;
    const transportFetch: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      if (specMock && prefer) request.headers.set('prefer', prefer);
      return recording.fetch(request);
    };
    const clientId = credentials?.clientId ?? '00000000-0000-4000-8000-000000000000';
    const exchangeCredentials =
      credentials?.clientSecret !== undefined
        ? { clientId, clientSecret: credentials.clientSecret }
        : undefined;
    let token = credentials?.accessToken;
    if (token === undefined && exchangeCredentials) {
      token = await fetchAccessToken(
        options.fetch ?? globalThis.fetch,
        baseUrl,
        exchangeCredentials,
        signer,
      );
      secrets.push(token);
    }
    const clientOptions: WebhooksClientOptions = {
      baseUrl,
      clientId,
      accessToken: token ?? 'bm8tdG9rZW4',
      fetch: transportFetch,
      responseValidation: 'off',
      ...(signer ? { signer } : {}),
    };
    const client = (options.clientFactory ?? createWebhooksClient)(clientOptions);
    // The receiver verifies deliveries with the keys the API publishes, fetched like a tenant
    // would, by a client of its own: its requests must not mix with the exchanges under test.
    const keysClient = createWebhooksClient({
      ...clientOptions,
      fetch: options.fetch ?? globalThis.fetch,
    });
    receiver?.setKeySource(() => keysClient.verificationKeys());
    const context: ProfileContext = {
      log,
      client,
      recording,
      document,
      serverRequestCount: mock ? () => mock.requestCount : undefined,
      stateful: !specMock,
      setPrefer: (value) => {
        prefer = value;
      },
      awaitTestDelivery:
        receiver && mock
          ? async (webhookId) => {
              await mock?.deliveriesSettled();
              return receiver.verdictFor(webhookId);
            }
          : undefined,
      sendRaw: async (raw) => {
        const url = `${baseUrl.replace(/\/+$/, '')}${raw.path}`;
        const body =
          raw.body === undefined ? undefined : new TextEncoder().encode(JSON.stringify(raw.body));
        const headers = new Headers({
          'upvest-client-id': clientId,
          'upvest-api-version': '1',
          accept: 'application/json, application/problem+json',
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...raw.headers,
        });
        const bearer = raw.token === undefined ? token : raw.token;
        if (bearer) headers.set('authorization', `Bearer ${bearer}`);
        if (signer) {
          for (const [name, value] of Object.entries(
            await signer({ method: raw.method, url, headers, body }),
          )) {
            headers.set(name, value);
          }
        }
        const mark = recording.mark();
        await recording
          .fetch(url, {
            method: raw.method,
            headers,
            redirect: 'manual',
            ...(body ? { body } : {}),
          })
          .then((response) => response.body?.cancel())
          .catch(() => undefined);
        return recording.since(mark)[0];
      },
      readOnlyToken: exchangeCredentials
        ? async () => {
            const readToken = await fetchAccessToken(
              options.fetch ?? globalThis.fetch,
              baseUrl,
              exchangeCredentials,
              signer,
              'webhooks:read',
            );
            secrets.push(readToken);
            return readToken;
          }
        : undefined,
      requestToken: exchangeCredentials
        ? async () => {
            secrets.push(
              await fetchAccessToken(transportFetch, baseUrl, exchangeCredentials, signer),
            );
          }
        : undefined,
    };
    if (token === undefined) {
      log.add({
        profile: 'replay',
        operation: 'issue_token',
        case: 'credentials',
        check: 'a token was obtained',
        outcome: 'fail',
        detail: 'no access token and no client secret, or the token request failed',
      });
    }
    for (const profile of profiles) {
      if (profile === 'replay') await runReplay(context);
      if (profile === 'lifecycle') await runLifecycle(context);
      if (profile === 'negative') await runNegative(context);
      if (profile === 'enforcement') await runEnforcement(context);
    }
  } catch (error) {
    log.add({
      profile: 'replay',
      operation: '-',
      case: 'run',
      check: 'the run completes',
      outcome: 'fail',
      detail: error instanceof Error ? error.message : String(error),
    });
  } finally {
    await mock?.close();
    await receiver?.close();
  }

  for (const exchange of recording.exchanges) {
    const auth = exchange.requestHeaders['authorization'];
    if (auth) secrets.push(auth.replace(/^Bearer /, ''));
  }
  const redact = redactor(secrets);
  const clean = (results: readonly CheckResult[]) =>
    results.map((r) => ({ ...r, detail: redact(r.detail), case: redact(r.case) }));
  const results = clean(log.results);
  const all = [...drift, ...results];
  const counts = count(all);
  return {
    target: mock ? `embedded mock (${baseUrl})` : redact(baseUrl),
    profiles: [...profiles],
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    drift: clean(drift),
    results,
    coverage: coverageTable(document, recording.exchanges),
    counts,
    passed: counts.fail === 0,
  };
}
