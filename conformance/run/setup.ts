import { createWebhooksClient, type WebhooksClientOptions } from '../../src/index.js';
import type { CheckLog } from '../report/results.js';
import type { ProfileContext } from './context.js';
import type { ConformanceOptions } from './options.js';
import { createRawSender } from './raw-sender.js';
import type { RecordingFetch } from './recording-fetch.js';
import { PLACEHOLDER_CLIENT_ID, type Target } from './target.js';
import { fetchAccessToken, sendTokenRequest, type TokenOutcome } from './token.js';

/** Why a run has no token. */
export type TokenFailure = Exclude<TokenOutcome, { token: string }>;

/** The `access_token` of a token answer, if it is one. */
function tokenIn(body: string | undefined): string | undefined {
  try {
    const token = (JSON.parse(body ?? '') as { access_token?: unknown }).access_token;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}

/** Everything a run checks with. */
export interface RunSetup {
  readonly context: ProfileContext;
  /** Whether the run has a token to send (else the first check says why not). */
  /** Why the run has no token (none given, or the token request failed); undefined with one. */
  readonly noToken: TokenFailure | undefined;
}

/**
 * Fetches the run's token (when it has a client secret), builds the client under test on the
 * recording `fetch` (with the `Prefer` header a spec mock picks examples by), the raw sender,
 * and the context every profile gets. Every secret it uses or fetches goes into `secrets`, so
 * the report can be scrubbed of all of them.
 *
 * @example
 * ```ts
 * const { context } = await setUpRun(options, target, document, log, recording, secrets);
 * ```
 */
export async function setUpRun(
  options: ConformanceOptions,
  target: Target,
  document: unknown,
  log: CheckLog,
  recording: RecordingFetch,
  secrets: (string | undefined)[],
): Promise<RunSetup> {
  const { baseUrl, credentials, signer, mock, receiver } = target;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const preferHeader = options.preferHeader ?? options.specMock ?? false;
  secrets.push(credentials?.clientSecret, credentials?.accessToken);
  let prefer: string | undefined;
  const transportFetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input, init);
    if (preferHeader && prefer) request.headers.set('prefer', prefer);
    // The signal goes along by itself: one that only follows a collectable request is lost.
    return recording.fetch(request, init?.signal ? { signal: init.signal } : undefined);
  };
  const clientId = credentials?.clientId ?? PLACEHOLDER_CLIENT_ID;
  const { exchange, tokenFor, token, noToken } = await runToken(
    target,
    clientId,
    baseFetch,
    secrets,
  );
  const clientOptions: WebhooksClientOptions = {
    baseUrl,
    clientId,
    accessToken: token ?? 'bm8tdG9rZW4',
    fetch: transportFetch,
    responseValidation: 'off',
    ...(signer ? { signer } : {}),
  };
  // The receiver verifies deliveries with the keys the API publishes, fetched like a tenant
  // would, by a client of its own: its requests must not mix with the exchanges under test.
  const keysClient = createWebhooksClient({ ...clientOptions, fetch: baseFetch });
  receiver?.setKeySource(() => keysClient.verificationKeys());
  const context: ProfileContext = {
    log,
    client: (options.clientFactory ?? createWebhooksClient)(clientOptions),
    recording,
    exercised: new Set(),
    document,
    serverRequestCount: mock ? () => mock.requestCount : undefined,
    stateful: options.stateful ?? !preferHeader,
    preferHeader,
    setPrefer: (value) => {
      prefer = value;
    },
    awaitTestDelivery: testDeliveryWaiter(target, options),
    deliveryUrl: mock ? undefined : options.deliveries?.registerUrl,
    signingKey: target.signingKey,
    clientId,
    fuzz: options.fuzz ?? {},
    bodyLimitBytes:
      options.bodyLimitBytes === 0 ? undefined : (options.bodyLimitBytes ?? 1_048_576),
    sendRaw: createRawSender({ baseUrl, clientId, token: () => token, signer, recording, log }),
    readOnlyToken: exchange ? () => tokenFor(baseFetch, 'webhooks:read') : undefined,
    clientSecret: credentials?.clientSecret,
    sendTokenRequest: exchange
      ? tokenRequestSender(target, exchange, log, recording, secrets)
      : undefined,
    requestToken: exchange ? async () => void (await tokenFor(transportFetch)) : undefined,
  };
  return { context, noToken };
}

/**
 * The run's token: the one given, or one fetched with the client secret (and `tokenFor`, which
 * fetches more); without one, why not, for the report.
 */
async function runToken(
  { baseUrl, credentials, signer }: Target,
  clientId: string,
  baseFetch: typeof globalThis.fetch,
  secrets: (string | undefined)[],
) {
  const exchange =
    credentials?.clientSecret !== undefined
      ? { clientId, clientSecret: credentials.clientSecret }
      : undefined;
  // Why the first token request gave no token, for the report.
  let tokenFailure: TokenFailure | undefined;
  const tokenFor = async (fetch: typeof globalThis.fetch, scope?: string) => {
    if (!exchange) return undefined;
    const outcome = await fetchAccessToken(fetch, baseUrl, exchange, signer, scope);
    secrets.push(outcome.token);
    if (outcome.token === undefined) tokenFailure ??= outcome;
    return outcome.token;
  };
  const token = credentials?.accessToken ?? (exchange ? await tokenFor(baseFetch) : undefined);
  const noToken: TokenFailure | undefined =
    token !== undefined
      ? undefined
      : (tokenFailure ?? {
          reason:
            'no credentials: set UPVEST_ACCESS_TOKEN, or UPVEST_CLIENT_ID and UPVEST_CLIENT_SECRET',
          answered: true,
        });
  return { exchange, tokenFor, token, noToken };
}

/** Waits for a webhook's test delivery at the run's receiver; undefined when there is none. */
function testDeliveryWaiter(
  { mock, receiver }: Target,
  options: ConformanceOptions,
): ProfileContext['awaitTestDelivery'] {
  return receiver
    ? async (webhookId) => {
        if (!mock) return receiver.waitFor(webhookId, options.deliveries?.waitMs ?? 15_000);
        await mock.deliveriesSettled();
        return receiver.verdictFor(webhookId);
      }
    : undefined;
}

/** Sends a changed token request with the run's credentials, recorded. */
function tokenRequestSender(
  { baseUrl, signer }: Target,
  exchange: { clientId: string; clientSecret: string },
  log: CheckLog,
  recording: RecordingFetch,
  secrets: (string | undefined)[],
): NonNullable<ProfileContext['sendTokenRequest']> {
  return async (change) => {
    const response = await sendTokenRequest(
      recording.fetch,
      baseUrl,
      exchange,
      signer,
      change,
    ).catch(() => undefined);
    await response?.body?.cancel().catch(() => undefined);
    const recorded = response && recording.exchangeOf(response);
    // A server that wrongly grants the attack still hands out a token: keep it secret.
    secrets.push(tokenIn(recorded?.responseBody));
    log.about(recorded);
    return recorded;
  };
}
