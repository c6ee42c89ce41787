import { upvestApiVersion } from '../../generated/constants.js';
import { openApiDocument } from '../../generated/spec.js';
import {
  type RequestSigner,
  createWebhooksClient,
  type WebhooksClient,
  type WebhooksClientOptions,
  createUpvestSigner,
  createRedactor,
  type KeyInput,
} from '../../src/index.js';
import { startMockServer, type MockServer } from '../../src/testing/index.js';
import {
  collectExamples,
  collectReplayCases,
  exampleDrift,
  pairDrift,
} from '../cases/spec-examples.js';
import type { ProfileContext } from './context.js';
import { coverageTable } from '../report/coverage.js';
import {
  CheckLog,
  serverProfiles,
  type CheckResult,
  type ServerProfile,
} from '../report/results.js';
import { runAuth } from '../profiles/auth.js';
import { runBoundaries } from '../profiles/boundaries.js';
import { runFuzz, type FuzzSettings } from '../profiles/fuzz.js';
import { runLifecycle } from '../profiles/lifecycle.js';
import { runProtocol } from '../profiles/protocol.js';
import { runStateful } from '../profiles/stateful.js';
import { runEnforcement } from '../profiles/enforcement.js';
import { runNegative } from '../profiles/negative.js';
import { runReplay } from '../profiles/replay.js';
import { createRecordingFetch } from './recording-fetch.js';
import {
  writeReports,
  type ConformanceCounts,
  type ConformanceReport,
  type ReportPaths,
} from '../report/reports.js';

export type { ConformanceCounts, ConformanceReport };
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
 *   reports: { junit: 'reports/conformance.junit.xml', json: 'reports/conformance.json' },
 * };
 * ```
 */
export interface ConformanceOptions {
  /**
   * The server to test; omit to start the embedded mock (seeded with the spec's examples, with
   * its own credentials and signing key: `credentials`, `accessToken` and `signer` are ignored).
   */
  readonly baseUrl?: string;
  /** Which profiles to run (default: replay, lifecycle, negative, enforcement). */
  readonly profiles?: readonly ServerProfile[];
  /** Tenant credentials; a client secret is exchanged for a token at `POST /auth/token`. */
  readonly credentials?: ConformanceCredentials;
  /** A bearer token to use as is; shorthand for `credentials.accessToken`. */
  readonly accessToken?: string;
  /** Signs every request (HTTP message signatures). */
  readonly signer?: RequestSigner;
  /**
   * The signing key itself, for the `auth` profile's crafted signatures (expired, unknown key id,
   * …); without it those attacks are skipped. Against the embedded mock the run has its own.
   */
  readonly signingKey?: { readonly keyId: string; readonly privateKey: KeyInput };
  /** The fuzz profile's seed, examples per property and time budget. */
  readonly fuzz?: FuzzSettings;
  /**
   * The target is a spec mock that answers with the spec's examples (Prism): send
   * `Prefer: code=<status>, example=<name>` so it picks the paired response, check that the
   * answer is that example, and treat the target as stateless. Default false.
   */
  readonly preferHeader?: boolean;
  /** @deprecated Use {@link ConformanceOptions.preferHeader}; the same switch. */
  readonly specMock?: boolean;
  /**
   * Whether the target keeps what it is sent, so answers must echo requests and what a profile
   * creates must be deleted. Default: true, false with `preferHeader`.
   */
  readonly stateful?: boolean;
  /** Write the JUnit XML and JSON reports to these files as well (directories are created). */
  readonly reports?: ReportPaths;
  /** How reports name the target, e.g. `Prism 5.16.0`; the base URL follows in brackets. */
  readonly targetName?: string;
  /** The spec document whose examples drive the run; the package's own by default. */
  readonly document?: unknown;
  /** The `fetch` under the recording layer. */
  readonly fetch?: typeof globalThis.fetch;
  /** Builds the client under test; tests of the suite inject a faulty one here. */
  readonly clientFactory?: (options: WebhooksClientOptions) => WebhooksClient;
  /**
   * A time limit for the whole run. When it passes, the profile under way stops being waited
   * for, the ones after it are reported as skipped, and the report holds what was checked.
   */
  readonly timeoutMs?: number;
  /** Called as each profile ends, for a progress line. */
  readonly onProgress?: (progress: ProfileProgress) => void;
}

/**
 * One finished profile, for a progress line.
 *
 * @example
 * ```ts
 * const onProgress = (p: ProfileProgress) => console.error(`${p.profile}: ${p.checks} checks, ${p.failed} failed`);
 * ```
 */
export interface ProfileProgress {
  readonly profile: ServerProfile;
  readonly checks: number;
  readonly failed: number;
  readonly durationMs: number;
}

/** The title and detail of a problem document, or the start of a body that is none. */
function problemWords(body: string): string {
  try {
    const problem = JSON.parse(body) as { title?: unknown; detail?: unknown };
    return [problem.title, problem.detail].filter((p) => typeof p === 'string').join(': ');
  } catch {
    return body.slice(0, 200);
  }
}

/**
 * Before any profile: one authenticated, signed `GET /webhooks?limit=1`. Refused credentials or
 * signing stop the run at once with the server's own words, instead of hundreds of 401s.
 */
async function runPreflight(
  context: ProfileContext,
): Promise<{ ok: true } | { ok: false; why: string }> {
  const where = {
    profile: 'preflight' as const,
    operation: 'list_webhooks' as const,
    case: 'preflight',
  };
  const exchange = await context.sendRaw({ method: 'GET', path: '/webhooks?limit=1' });
  if (!exchange) {
    context.log.add({
      ...where,
      check: 'the server answers',
      outcome: 'fail',
      detail: 'no answer: check the base URL and the network',
    });
    return { ok: false, why: 'the server did not answer the preflight request' };
  }
  if (exchange.status === 401 || exchange.status === 403) {
    const said = problemWords(exchange.responseBody);
    const why = `the server refused the credentials or the signature (HTTP ${exchange.status}${said ? `: ${said}` : ''}); check UPVEST_CLIENT_ID, the secret or token, UPVEST_KEY_ID and the private key`;
    context.log.add({
      ...where,
      check: 'credentials and signing are accepted',
      outcome: 'fail',
      detail: why,
    });
    return { ok: false, why: 'the preflight request was refused (see preflight)' };
  }
  context.log.add({
    ...where,
    check: 'credentials and signing are accepted',
    outcome: 'pass',
    detail: `HTTP ${exchange.status}`,
  });
  return { ok: true };
}

/** What runs each profile: adding a profile is adding an entry here and in `serverProfiles`. */
const profileRunners: Record<ServerProfile, (context: ProfileContext) => Promise<void>> = {
  replay: runReplay,
  lifecycle: runLifecycle,
  negative: runNegative,
  enforcement: runEnforcement,
  boundaries: runBoundaries,
  stateful: runStateful,
  auth: runAuth,
  protocol: runProtocol,
  fuzz: (context) => runFuzz(context, context.fuzz),
};

/** The `upvest-client-id` sent when a run has no client id (a spec mock only checks its form). */
const PLACEHOLDER_CLIENT_ID = '00000000-0000-4000-8000-000000000000';

function count(results: readonly CheckResult[]): ConformanceCounts {
  return {
    pass: results.filter((r) => r.outcome === 'pass').length,
    fail: results.filter((r) => r.outcome === 'fail').length,
    skip: results.filter((r) => r.outcome === 'skip').length,
    warn: results.filter((r) => r.outcome === 'warn').length,
  };
}

/**
 * Checks the spec's examples themselves, before anything is sent: every example validates against
 * its own schema (with the generated validators), request examples and path parameter examples
 * pass the client's business rules, and a create or update response example echoes the request
 * example of the same name (a created webhook disabled, R8). A failure is example drift: a defect
 * of the spec, not of the server.
 *
 * @example
 * ```ts
 * const drift = checkExamples(openApiDocument).filter((r) => r.outcome === 'fail');
 * ```
 */
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
  for (const replay of collectReplayCases(document)) {
    const problems = pairDrift(replay);
    if (problems === undefined) continue;
    log.expect(
      {
        profile: 'examples',
        operation: replay.operationId,
        case: `pair "${replay.name}" (request body -> response ${replay.expectedStatus})`,
      },
      'response example echoes its request example',
      problems.length === 0,
      problems.join('; ') || 'every field matches',
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
  let credentials: ConformanceCredentials | undefined =
    options.accessToken === undefined
      ? options.credentials
      : {
          clientId: options.credentials?.clientId ?? PLACEHOLDER_CLIENT_ID,
          ...options.credentials,
          accessToken: options.accessToken,
        };
  let signer = options.signer;
  let signingKey = options.signingKey;
  let receiver: TestDeliveryReceiver | undefined;
  if (baseUrl === undefined) {
    // The embedded mock demands v15 signatures like the API; the run signs with the throwaway
    // tenant key the mock generated, and receives its test deliveries on loopback.
    receiver = await startTestDeliveryReceiver();
    mock = await startMockServer({
      seed: 'documented-examples',
      deliveryTarget: receiver.url,
    }).catch(async (error: unknown) => {
      await receiver?.close();
      throw error;
    });
    baseUrl = mock.url;
    credentials = {
      clientId: mock.credentials.clientId,
      clientSecret: mock.credentials.clientSecret,
    };
    const privateKey = mock.credentials.privateKey;
    signer = privateKey
      ? createUpvestSigner({ keyId: mock.credentials.keyId, privateKey })
      : undefined;
    signingKey = privateKey ? { keyId: mock.credentials.keyId, privateKey } : undefined;
  }
  const preferHeader = options.preferHeader ?? options.specMock ?? false;
  const stateful = options.stateful ?? !preferHeader;
  const secrets = [credentials?.clientSecret, credentials?.accessToken];
  const log = new CheckLog();
  // Set when the time limit cut a profile short: results after it are not reported.
  let stopped: number | undefined;
  const recording = createRecordingFetch(options.fetch ?? globalThis.fetch);
  const exercised = new Set<string>();
  try {
    let prefer: string | undefined;
    const transportFetch: typeof globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      if (preferHeader && prefer) request.headers.set('prefer', prefer);
      // The signal goes along by itself: one that only follows a collectable request is lost.
      return recording.fetch(request, init?.signal ? { signal: init.signal } : undefined);
    };
    const clientId = credentials?.clientId ?? PLACEHOLDER_CLIENT_ID;
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
      exercised,
      document,
      serverRequestCount: mock ? () => mock.requestCount : undefined,
      stateful,
      preferHeader,
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
      signingKey,
      clientId,
      fuzz: options.fuzz ?? {},
      sendRaw: async (raw) => {
        const url = `${baseUrl.replace(/\/+$/, '')}${raw.path}`;
        const body =
          raw.body === undefined
            ? undefined
            : raw.body instanceof Uint8Array
              ? raw.body
              : new TextEncoder().encode(JSON.stringify(raw.body));
        const headers = new Headers({
          'upvest-client-id': clientId,
          'upvest-api-version': upvestApiVersion,
          accept: 'application/json, application/problem+json',
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...raw.headers,
        });
        const bearer = raw.token === undefined ? token : raw.token;
        if (bearer) headers.set('authorization', `Bearer ${bearer}`);
        const signWith = raw.signWith ?? 'run';
        const sign = signWith === 'none' ? undefined : signWith === 'run' ? signer : signWith;
        if (sign) {
          for (const [name, value] of Object.entries(
            await sign({ method: raw.method, url, headers, body }),
          )) {
            headers.set(name, value);
          }
        }
        const wire = raw.tamper ? raw.tamper({ headers, body }) : { headers, body };
        const mark = recording.mark();
        await recording
          .fetch(url, {
            method: raw.method,
            headers: wire.headers,
            redirect: 'manual',
            ...(wire.body ? { body: wire.body } : {}),
          })
          .then((response) => response.body?.cancel())
          .catch(() => undefined);
        const exchange = recording.since(mark)[0];
        log.about(exchange);
        return exchange;
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
    const deadline = options.timeoutMs === undefined ? undefined : started + options.timeoutMs;
    const skipRest = (from: number, why: string) => {
      for (const profile of profiles.slice(from))
        log.add({
          profile,
          operation: '-',
          case: 'run',
          check: 'profile ran',
          outcome: 'skip',
          detail: why,
        });
    };
    const preflight = await runPreflight(context);
    if (!preflight.ok) {
      skipRest(0, `not run: ${preflight.why}`);
    } else {
      for (const [index, profile] of profiles.entries()) {
        const before = log.results.length;
        // Evidence belongs to the exchange a check is about: none carries over between profiles.
        log.about(undefined);
        const profileStarted = Date.now();
        const left = deadline === undefined ? undefined : deadline - Date.now();
        if (left !== undefined && left <= 0) {
          skipRest(index, `not run: the run's time limit of ${options.timeoutMs} ms passed`);
          break;
        }
        const finished = await Promise.race([
          profileRunners[profile](context).then(() => true),
          ...(left === undefined
            ? []
            : [new Promise<false>((resolve) => setTimeout(() => resolve(false), left).unref())]),
        ]);
        if (!finished) {
          // The profile goes on in the background; what it checks from now on is not reported.
          log.add({
            profile,
            operation: '-',
            case: 'run',
            check: "the profile finished within the run's time limit",
            outcome: 'fail',
            detail: `the run's time limit of ${options.timeoutMs} ms passed during ${profile}; the report holds what was checked until then`,
          });
          skipRest(index + 1, `not run: the run's time limit of ${options.timeoutMs} ms passed`);
          stopped = log.results.length;
          break;
        }
        const results = log.results.slice(before);
        options.onProgress?.({
          profile,
          checks: results.length,
          failed: results.filter((r) => r.outcome === 'fail').length,
          durationMs: Date.now() - profileStarted,
        });
      }
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
  const results = stopped === undefined ? log.results : log.results.slice(0, stopped);
  const all = [...drift, ...results];
  const counts = count(all);
  const name = options.targetName ?? (mock ? 'embedded mock' : undefined);
  // Every string of the report, in every spelling a secret can take: what a server echoed into a
  // detail, an evidence line, a case name. Every report format is written from this one object.
  const report = createRedactor(secrets).value<ConformanceReport>({
    target: name ? `${name} (${baseUrl})` : baseUrl,
    profiles: [...profiles],
    preferHeader,
    stateful,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    drift,
    results,
    coverage: coverageTable(document, recording.exchanges, exercised),
    counts,
    passed: counts.fail === 0,
  });
  if (options.reports) await writeReports(report, options.reports);
  return report;
}
