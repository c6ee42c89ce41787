import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientSecretMaxLength, operations, type OperationId } from '../../generated/constants.js';
import { headerValidators, schemaValidators } from '../../generated/validators.js';
import { UpvestConfigurationError } from '../errors.js';
import type { KeyInput } from '../signing/keys.js';
import { matchOperation } from './match-operation.js';
import type { JsonWebKeySet, Webhook } from '../types.js';
import { schemaIssues } from '../validation/schema-issues.js';
import type { ValidationIssue } from '../validation-issue.js';
import type { RuleOptions } from '../validation/webhook.js';
import { documentedVerificationKeys, documentedWebhook } from './documented-examples.js';
import {
  ADMIN_PREFIX,
  adminAccessProblem,
  adminAnswer,
  type AdminAccess,
  eventsOf,
  triggerIssues,
  type MockTriggerRequest,
  type MockTriggerResult,
} from './mock-admin.js';
import { rawProblem, sendAnswer, sendProblem } from './mock-answers.js';
import {
  batchesOf,
  receives,
  TestDeliveries,
  type DeliveryDetail,
  type DeliveryTarget,
  type MockDeliveryRecord,
} from './mock-deliveries.js';
import type { DeliveryEventInput } from './deliveries.js';
import { FaultQueue, faultIssues, type MockFault, type PendingFault } from './mock-faults.js';
import { answerOperation, checkAnswer, type OperationContext } from './mock-operations.js';
import { MockProblem, problems } from './mock-problem.js';
import { acceptsJson, flattenHeaders, readBody, requestTarget } from './mock-request.js';
import {
  HISTORY_LIMIT,
  InspectorFeed,
  type InspectedDelivery,
  type InspectedRequest,
} from './inspector/feed.js';
import { inspectorFile, STREAM_PATH } from './inspector/page.js';
import { InspectorStreams } from './inspector/stream.js';
import { webhookEventTypesByCategory } from '../../generated/constants.js';
import { signatureCheck, type MockRequestVerifier } from './mock-signatures.js';
import { MockState } from './mock-state.js';
import { scopesSatisfy, TokenStore } from './mock-tokens.js';

/**
 * Options of {@link startMockServer}. Everything is optional.
 *
 * @example
 * ```ts
 * const mock = await startMockServer({ seed: 'documented-examples', tokenLifetimeSeconds: 60 });
 * ```
 */
export interface MockServerOptions {
  /** The tenant's client id, a UUID (the header's schema); a random UUID by default. */
  readonly clientId?: string;
  /** The tenant's client secret for `POST /auth/token` (1 character up to the spec's `client_secret` maxLength); random by default. */
  readonly clientSecret?: string;
  /**
   * Webhooks present from the start (and again after `reset()`): a list, each checked against
   * the `Webhook` schema, or `'documented-examples'` for the webhook of the spec's examples
   * (id `a8eb3540-5a84-40f9-b2bb-7f99f282fc5a`, as the retrieve example shows it).
   */
  readonly seed?: readonly Webhook[] | 'documented-examples';
  /** Lifetime of issued tokens in whole seconds (default 3600); `expires_in` says it. */
  readonly tokenLifetimeSeconds?: number;
  /** The clock for timestamps, token expiry and signature windows; inject one to test expiry. */
  readonly now?: () => Date;
  /** Interface to listen on; 127.0.0.1 by default. */
  readonly host?: string;
  /** Port to listen on; an ephemeral one by default (0). */
  readonly port?: number;
  /**
   * The keys served at `GET /auth/verify_keys`. By default the mock's own delivery key (see
   * `deliveryTarget`), so test deliveries verify end to end; `'documented-example'` serves the
   * spec's example key instead.
   */
  readonly verifyKeys?: JsonWebKeySet | 'documented-example';
  /**
   * Where `POST /webhooks/{id}/test` delivers its signed test event. Registered URLs are public
   * HTTPS names a test cannot serve, so deliveries go here instead (e.g. a local handler's
   * `http://127.0.0.1:…` URL, or a function of the webhook). Without it, nothing is delivered.
   */
  readonly deliveryTarget?: DeliveryTarget;
  /** The `type` of the test event (default `WEBHOOK.TEST`: Upvest does not document it). */
  readonly testEventType?: string;
  /**
   * Whether requests must carry a valid HTTP message signature under Upvest's v15 profile, as
   * the API demands (default `required`). The mock then generates a P-521 key pair for the
   * tenant (see `credentials.keyId` and `credentials.privateKey`) unless `signingKey` is given.
   * `off` accepts unsigned requests, for tests that are not about signing.
   */
  readonly requestSignatures?: 'required' | 'off';
  /**
   * Whether API requests must carry a bearer token from `POST /auth/token` (or `issueToken`)
   * whose scopes cover the operation, as the API demands (default `required`). `off` serves
   * them without one, for a caller that only wants to drive the API (`mock --auth none`); the
   * token endpoint keeps working either way.
   */
  readonly accessTokens?: 'required' | 'off';
  /**
   * The kind of tenant key the mock generates when no `signingKey` is given: ECDSA P-521
   * (default, what Upvest's signers use) or Ed25519, the other algorithm Upvest accepts for
   * requests (facts §9.1), which signs and verifies about twenty times faster: for runs of
   * thousands of requests (the conformance self-test) where the signature algorithm is not
   * under test.
   */
  readonly tenantKeyType?: 'p521' | 'ed25519';
  /** The tenant's signing key the mock verifies with: its id and public key. */
  readonly signingKey?: { readonly keyId: string; readonly publicKey: KeyInput };
  /**
   * A custom signature check that replaces the v15 profile's: every routed request, the token
   * request included, is handed to it after its headers are checked and before its token is.
   * A refusal answers 401 problem+json (`detail: "Signature is incorrect: <message>"`), as the
   * API does. `signature` and `signature-input` are then required headers.
   */
  readonly verifyRequest?: MockRequestVerifier;
  /**
   * Called when `POST /webhooks/{id}/test` is accepted, before the 202 is sent; the extension
   * point for tests that want to see test requests without a delivery target. A hook that
   * throws answers 500.
   */
  readonly onTestRequested?: (webhook: Webhook) => void | Promise<void>;
  /** Business-rule choices, the same as the client's (e.g. `delayPolicy`). */
  readonly rules?: RuleOptions;
  /** Largest request body read, in bytes (default 1 MiB); larger ones answer 413. */
  readonly maxBodyBytes?: number;
  /**
   * Host names the admin endpoints (`/__mock/…`) answer besides loopback ones (`localhost`,
   * `127.0.0.0/8`, `[::1]`) and `host` when it names one: e.g. the service name the mock has in
   * a compose file. Requests whose `Host` or `Origin` names another host are refused (403), so a
   * web page cannot reach them through DNS rebinding.
   */
  readonly adminHosts?: readonly string[];
  /** A bearer token every admin request must carry (401 without it); none by default. */
  readonly adminToken?: string;
}

/**
 * One request the mock received. `status` is 0 while the request is still being answered.
 *
 * @example
 * ```ts
 * const refused: MockRequestRecord[] = mock.requests.filter((r) => r.status >= 400);
 * ```
 */
export interface MockRequestRecord {
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  readonly status: number;
  /** The operation the request was routed to; undefined for an unknown path or method. */
  readonly operationId: OperationId | undefined;
  /** The injected fault the request got (see `injectFault`); a `reset` has status 0. */
  readonly fault?: MockFault['kind'];
}

/**
 * A running mock of the webhook subscriptions API.
 *
 * @example
 * ```ts
 * const mock = await startMockServer({ requestSignatures: 'off' });
 * const client = createWebhooksClient({
 *   baseUrl: mock.url,
 *   clientId: mock.credentials.clientId,
 *   accessToken: mock.issueToken(['webhooks:admin']),
 * });
 * await client.create({ title: 'User webhook', url: 'https://tenant.tld/webhooks/users' });
 * await mock.close();
 * ```
 */
export interface MockServer {
  /** `http://127.0.0.1:<port>`, the base URL to give a client. */
  readonly url: string;
  /**
   * Credentials the mock accepts: the client id and secret for `POST /auth/token`, and, when the
   * mock generated the tenant's signing key, its id and private key for a request signer.
   * Keep them out of logs.
   */
  readonly credentials: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly keyId: string;
    readonly privateKey: KeyObject | undefined;
  };
  /** How many HTTP requests arrived, rejected ones included; counted on arrival. */
  readonly requestCount: number;
  /** Every request that arrived since the start or the last `reset()`, in order (copies). */
  readonly requests: readonly MockRequestRecord[];
  /** A snapshot (copies) of the stored webhooks. */
  webhooks(): Webhook[];
  /** A valid bearer token for these scopes, without the OAuth round trip. Any strings are allowed. */
  issueToken(scopes: readonly string[]): string;
  /** Forgets webhooks (the seed comes back), tokens, recorded requests and deliveries. */
  reset(): void;
  /** Test deliveries sent so far: the webhook, the target, and its answer or the error. */
  readonly deliveries: readonly MockDeliveryRecord[];
  /** Resolves when every test delivery under way has been answered. */
  deliveriesSettled(): Promise<void>;
  /**
   * Makes the next API request(s) fail as asked: 429 with `Retry-After`, 503, a delay, or a
   * reset connection (see {@link MockFault}); the same as `POST /__mock/faults`. Throws an
   * `UpvestConfigurationError` naming what is wrong with an invalid fault.
   */
  injectFault(fault: MockFault): void;
  /** The faults still waiting for requests, oldest first (copies). */
  pendingFaults(): PendingFault[];
  /** Drops every waiting fault. */
  clearFaults(): void;
  /**
   * Delivers generated events of a type or category to every enabled webhook subscribed to it
   * (R7), signed as deliveries are, to `deliveryTarget`; the same as `POST /__mock/events`.
   * Returns at once; `deliveriesSettled()` waits for the answers. Throws an
   * `UpvestConfigurationError` for an invalid request or when the mock has no delivery target.
   */
  triggerEvents(request: MockTriggerRequest): MockTriggerResult;
  /** Stops listening and closes every connection, keep-alive ones included. Safe to call twice. */
  close(): Promise<void>;
}

type MutableRecord = { -readonly [K in keyof MockRequestRecord]: MockRequestRecord[K] };

/** A library call with an invalid admin request throws what its HTTP twin answers as a 400. */
function refuseInvalid(what: string, issues: readonly ValidationIssue[]): void {
  if (issues.length === 0) return;
  throw new UpvestConfigurationError(
    `the ${what} is invalid: ${issues.map((issue) => `${issue.path} ${issue.message}`).join('; ')}`,
  );
}

/** Thrown inside the pipeline to end a request with a reset connection instead of an answer. */
class ConnectionReset extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The signature headers: their absence is a 401 (facts §6), not a 400, when signatures are checked. */
const SIGNATURE_HEADERS: ReadonlySet<string> = new Set(['/signature', '/signature-input']);

function resolveOptions(options: MockServerOptions) {
  const clientId = options.clientId ?? randomUUID();
  if (!UUID.test(clientId)) {
    throw new UpvestConfigurationError(
      'clientId must be a UUID (upvest-client-id is format: uuid)',
    );
  }
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  if (clientSecret.length === 0 || clientSecret.length > clientSecretMaxLength) {
    throw new UpvestConfigurationError(
      `clientSecret must have 1 to ${clientSecretMaxLength} characters`,
    );
  }
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;
  if (!Number.isSafeInteger(tokenLifetimeSeconds) || tokenLifetimeSeconds <= 0) {
    throw new UpvestConfigurationError('tokenLifetimeSeconds must be a positive whole number');
  }
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new UpvestConfigurationError('maxBodyBytes must be a positive whole number');
  }
  const verifyKeys =
    options.verifyKeys === 'documented-example'
      ? documentedVerificationKeys()
      : options.verifyKeys && structuredClone(options.verifyKeys);
  if (verifyKeys !== undefined && !schemaValidators.JsonWebKeySet(verifyKeys)) {
    throw new UpvestConfigurationError('verifyKeys is not a valid JSON Web Key Set');
  }
  for (const [name, value] of [
    ['requestSignatures', options.requestSignatures],
    ['accessTokens', options.accessTokens],
  ] as const) {
    if (value !== undefined && value !== 'required' && value !== 'off') {
      throw new UpvestConfigurationError(`${name} must be 'required' or 'off'`);
    }
  }
  const seed =
    options.seed === 'documented-examples' ? [documentedWebhook()] : (options.seed ?? []);
  return { clientId, clientSecret, tokenLifetimeSeconds, maxBodyBytes, verifyKeys, seed };
}

/** The options once checked and completed (see resolveOptions). */
type ResolvedOptions = ReturnType<typeof resolveOptions>;

/**
 * What every part of one running mock shares, made once by {@link createContext}: its options,
 * its state (webhooks, tokens and deliveries, from {@link OperationContext}; faults, requests)
 * and its URL. The request handlers below are module functions that take it, so each can be
 * read and named on its own. `options` is the caller's own object, read when a request needs it.
 */
interface MockContext extends OperationContext {
  readonly options: MockServerOptions;
  readonly settings: ResolvedOptions;
  readonly adminAccess: AdminAccess;
  readonly signatures: ReturnType<typeof signatureCheck>;
  readonly faults: FaultQueue;
  /** Aborts injected delays on close, so a closed mock holds no timer. */
  readonly closed: AbortController;
  readonly records: MutableRecord[];
  /** What the inspector page shows (`/__mock/ui`), and the pages watching it. */
  readonly feed: InspectorFeed;
  readonly streams: InspectorStreams;
  readonly now: () => Date;
  /** How many API requests the inspector was told of: its requests' `seq`. */
  requestSeq: number;
  /** The mock's URL, known once it listens; request targets are resolved against it. */
  baseUrl: string;
}

/** What the inspector shows of a request besides its record: filled in while it is served. */
type RequestDetails = Pick<InspectedRequest, 'signature' | 'scopes'>;

/** Every event type, then every category: what the inspector's trigger control offers. */
const EVENT_NAMES: readonly string[] = [
  ...Object.values(webhookEventTypesByCategory).flat(),
  ...Object.keys(webhookEventTypesByCategory),
];

/** Who may use the admin endpoints besides loopback: see `adminHosts` and `adminToken`. */
function adminAccessOf(options: MockServerOptions): AdminAccess {
  const listening = options.host?.toLowerCase().replace(/^\[|\]$/g, '');
  return {
    hosts: [
      ...(options.adminHosts ?? []).map((host) => host.toLowerCase()),
      // The interface it was told to serve, unless that is every interface.
      ...(listening && !['0.0.0.0', '::'].includes(listening) ? [listening] : []),
    ],
    token: options.adminToken,
  };
}

/** Checks the options (throwing for unusable ones) and builds the mock's parts, in this order. */
function createContext(options: MockServerOptions): MockContext {
  const now = options.now ?? (() => new Date());
  const settings = resolveOptions(options);
  const adminAccess = adminAccessOf(options);
  const state = new MockState(settings.seed, now);
  const faults = new FaultQueue();
  const feed = new InspectorFeed(
    () => ({ webhooks: state.all(), faults: faults.pending() }),
    EVENT_NAMES,
  );
  return {
    options,
    settings,
    adminAccess,
    state,
    tokens: new TokenStore(settings.tokenLifetimeSeconds, now),
    deliveries: new TestDeliveries({
      target: options.deliveryTarget,
      eventType: options.testEventType,
      now,
      onDelivered: (detail) => feed.delivery(inspectedDelivery(detail), detail.events),
    }),
    signatures: signatureCheck(options, now),
    faults,
    closed: new AbortController(),
    records: [],
    feed,
    streams: new InspectorStreams(feed),
    now,
    requestSeq: 0,
    baseUrl: '',
  };
}

/** A delivery as the inspector shows it. */
function inspectedDelivery(detail: DeliveryDetail): InspectedDelivery {
  const { record } = detail;
  return {
    id: record.id,
    at: detail.sentAt.toISOString(),
    webhookId: record.webhookId,
    target: record.target,
    events: detail.events.map(({ id, type }) => ({ id, type })),
    headers: detail.headers,
    status: record.status,
    error: record.error,
    latencyMs: detail.latencyMs,
    redeliveryOf: detail.redeliveryOf,
  };
}

/**
 * Behind `POST /__mock/deliveries/{id}/redeliver`: the events of a delivery the inspector still
 * keeps, signed afresh, to the webhook as it is now. 404 for a delivery it does not know (or no
 * longer keeps), 409 when the webhook is gone or disabled: the API delivers to neither.
 */
function redeliver(context: MockContext, id: string) {
  const kept = context.feed.eventsOf(id);
  if (!kept) {
    throw problems.notFound(
      `no delivery ${id} among the last ${HISTORY_LIMIT} (see GET /__mock/deliveries)`,
    );
  }
  const webhook = context.state.get(kept.webhookId);
  if (!webhook?.enabled) {
    throw new MockProblem(
      409,
      'conflict',
      'Conflict',
      `webhook ${kept.webhookId} is ${webhook ? 'disabled' : 'deleted'}: nothing is delivered to it`,
    );
  }
  const events = kept.events as DeliveryEventInput[];
  context.deliveries.deliverEvents(webhook, events, id);
  return { webhookId: webhook.id, eventIds: events.map((event) => event.id) };
}

/** Behind both `injectFault` and `POST /__mock/faults`: queues a valid fault, throws for another. */
function injectFault(context: MockContext, fault: MockFault): void {
  refuseInvalid('fault', faultIssues(fault));
  context.faults.add(fault);
}

/**
 * Behind both `triggerEvents` and `POST /__mock/events`: the generated events go to every webhook
 * subscribed to their type, in batches of its `max_package_size`.
 */
function triggerEvents(context: MockContext, request: MockTriggerRequest): MockTriggerResult {
  const { state, deliveries } = context;
  refuseInvalid('trigger', triggerIssues(request));
  if (!deliveries.hasTarget) {
    throw new UpvestConfigurationError(
      'the mock has no delivery target: start it with deliveryTarget (upvest-webhooks mock --deliver-to URL)',
    );
  }
  const events = eventsOf(request);
  const sent: { webhookId: string; eventIds: string[] }[] = [];
  for (const webhook of state.all()) {
    const mine = events
      .filter((event) => receives(webhook, event.type))
      .map((event) => ({ ...event, webhook_id: webhook.id }));
    for (const batch of batchesOf(mine, webhook.config.max_package_size)) {
      deliveries.deliverEvents(webhook, batch);
      sent.push({ webhookId: webhook.id, eventIds: batch.map((event) => event.id) });
    }
  }
  return { events: events.map(({ id, type }) => ({ id, type })), deliveries: sent };
}

/** An injected 429 or 503, or the wait of a delay; a reset is the caller's to carry out. */
async function sufferFault(closed: AbortSignal, fault: MockFault): Promise<void> {
  if (fault.kind === 'delay') {
    await sleep(fault.delayMs, undefined, { signal: closed });
    return;
  }
  if (fault.kind === 'reset') return;
  const headers =
    fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
  throw fault.kind === 'rate_limited'
    ? new MockProblem(
        429,
        'too_many_requests',
        'Too many requests',
        'an injected fault',
        undefined,
        headers,
      )
    : new MockProblem(
        503,
        'service_unavailable',
        'Service unavailable',
        'an injected fault',
        undefined,
        headers,
      );
}

/** 400 / 401 from the operation's header schema (facts §2.2), then the tenant's id (401). */
function checkHeaders(
  context: MockContext,
  operationId: OperationId,
  headers: Record<string, string>,
): void {
  const { options, signatures } = context;
  if (headers['upvest-client-id'] === undefined) throw problems.missingClientId();
  const validate = headerValidators[operationId];
  if (!validate({ ...headers })) {
    // What the mock was told not to demand is not missing.
    const issues = schemaIssues(validate.errors)
      .filter((issue) => signatures.verifier !== undefined || !SIGNATURE_HEADERS.has(issue.path))
      .filter((issue) => options.accessTokens !== 'off' || issue.path !== '/authorization');
    if (issues.some((issue) => issue.path === '/authorization')) {
      throw problems.unauthorised('a bearer token is required (authorization: Bearer <token>)');
    }
    if (issues.some((issue) => SIGNATURE_HEADERS.has(issue.path))) {
      throw problems.unauthorised(
        'the request is not signed (signature and signature-input are required)',
      );
    }
    if (issues.length > 0) throw problems.badRequest('a request header is invalid', issues);
  }
  if (headers['upvest-client-id'] !== context.settings.clientId) {
    throw problems.unauthorised('the upvest-client-id is not known');
  }
}

/** 401 for a missing, unknown or expired token; 403 when its scopes miss the operation's. */
function checkToken(
  tokens: TokenStore,
  operationId: OperationId,
  headers: Record<string, string>,
  details: { scopes?: readonly string[] | undefined },
): void {
  const token = /^Bearer (\S+)$/.exec(headers['authorization'] ?? '')?.[1];
  const grant = token === undefined ? undefined : tokens.grant(token);
  if (!grant) throw problems.unauthorised('the access token is unknown or expired');
  details.scopes = [...grant.scopes];
  const requirements = operations[operationId].scopes;
  if (!scopesSatisfy(requirements, grant.scopes)) {
    const needed = requirements.map((requirement) => requirement.join(' and ')).join(' or ');
    throw problems.forbidden(`the token lacks a scope for this operation (${needed})`);
  }
}

/**
 * What a request carries besides its credentials: an `accept` the operation can answer (406)
 * and no body where the operation takes none (400).
 */
function checkContent(
  operationId: OperationId,
  headers: Record<string, string>,
  body: Uint8Array,
): void {
  // 406 only where the operation declares it (DELETE does not: it answers no body).
  const negotiates = operations[operationId].responses.some((r) => r.status === 406);
  if (negotiates && !acceptsJson(headers['accept'])) throw problems.notAcceptable();
  // An operation that takes no body refuses one rather than ignore what the caller meant.
  if (operations[operationId].requestSchema === null && body.byteLength > 0) {
    throw problems.badRequest(`${operationId} takes no request body`);
  }
}

/** Answers one request; resolves with what to record. Never rejects. */
async function serve(
  context: MockContext,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL | undefined,
  details: { -readonly [K in keyof RequestDetails]: RequestDetails[K] },
): Promise<MockRequestRecord> {
  const { options, signatures } = context;
  const method = request.method ?? '';
  const path = url?.pathname ?? request.url ?? '';
  let operationId: OperationId | undefined;
  let fault: MockFault | undefined;
  const faulted = () => (fault ? { fault: fault.kind } : {});
  try {
    const body = await readBody(request, context.settings.maxBodyBytes);
    if (!url) throw problems.notFound('no operation has this request target');
    const match = matchOperation(method, url.pathname);
    if (match.kind === 'unknown_path') {
      throw problems.notFound('no operation has this path');
    }
    if (match.kind === 'wrong_method') throw problems.methodNotAllowed(method, match.allowed);
    operationId = match.operationId;
    fault = context.faults.take(operationId);
    if (fault?.kind === 'reset' && !fault.afterEffect)
      throw new ConnectionReset('an injected reset');
    if (fault) await sufferFault(context.closed.signal, fault);
    const headers = flattenHeaders(request);
    // Checked in the API's order: headers (400/401), signature (401), token (401/403), content.
    checkHeaders(context, operationId, headers);
    if (signatures.verifier) {
      const verdict = await signatures.verifier({ method, url: url.href, headers, body });
      details.signature = verdict.ok
        ? { ok: true }
        : { ok: false, reason: verdict.reason, message: verdict.message };
      if (!verdict.ok) {
        throw problems.unauthorised(`Signature is incorrect: ${verdict.message}`);
      }
    }
    if (operationId !== 'issue_token' && options.accessTokens !== 'off') {
      checkToken(context.tokens, operationId, headers, details);
    }
    checkContent(operationId, headers, body);
    const answer = await answerOperation(context, operationId, {
      id: match.pathParams[0] ?? '',
      url,
      headers,
      body,
    });
    // The operation took effect; its answer is lost on the way (the ambiguous failure).
    if (fault?.kind === 'reset') throw new ConnectionReset('an injected reset');
    checkAnswer(operationId, answer);
    sendAnswer(response, answer);
    return { method, path, status: answer.status, operationId, ...faulted() };
  } catch (error) {
    if (error instanceof ConnectionReset) {
      request.socket.destroy();
      return { method, path, status: 0, operationId, ...faulted() };
    }
    const problem = error instanceof MockProblem ? error : problems.internal();
    sendProblem(response, problem);
    return { method, path, status: problem.status, operationId, ...faulted() };
  }
}

/** Answers an admin request (mock-only, see mock-admin.ts); never rejects. */
async function serveAdmin(
  context: MockContext,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) {
  const { faults, deliveries } = context;
  const method = request.method ?? '';
  try {
    // Refused before the body is read: a request from the wrong place gets nothing. The
    // inspector's files hold no data, so they need no admin token (a browser's address bar
    // cannot send one); the page asks for it and sends it with every request, its stream's too.
    const headers = flattenHeaders(request);
    const misplaced = adminAccessProblem(headers, { ...context.adminAccess, token: undefined });
    if (misplaced) throw misplaced;
    const file = inspectorFile(method, url.pathname);
    if (file) {
      response.writeHead(file.status, file.headers).end(file.body);
      return;
    }
    const refused = adminAccessProblem(headers, context.adminAccess);
    if (refused) throw refused;
    if (url.pathname === STREAM_PATH && method === 'GET') {
      context.streams.serve(response);
      return;
    }
    const body = await readBody(request, context.settings.maxBodyBytes);
    const answer = adminAnswer(method, url.pathname, headers, body, {
      injectFault: (fault) => injectFault(context, fault),
      pendingFaults: () => faults.pending(),
      clearFaults: () => faults.clear(),
      triggerEvents: (trigger) => triggerEvents(context, trigger),
      deliveries: () => deliveries.records,
      redeliver: (id) => redeliver(context, id),
    });
    context.feed.stateChanged();
    sendAnswer(response, answer);
  } catch (error) {
    sendProblem(response, error instanceof MockProblem ? error : problems.internal());
  }
}

/** Routes a request the server got: an admin request, or an API request counted and recorded. */
function handleRequest(
  context: MockContext,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const url = requestTarget(request.url, context.baseUrl);
  // Admin requests are the test's own, not the API's: neither counted nor faulted.
  if (url?.pathname === ADMIN_PREFIX || url?.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
    void serveAdmin(context, request, response, url);
    return;
  }
  // Counted on arrival, so a caller that got its answer always sees its request counted.
  const record: MutableRecord = {
    method: request.method ?? '',
    path: url?.pathname ?? request.url ?? '',
    status: 0,
    operationId: undefined,
  };
  context.records.push(record);
  const seq = ++context.requestSeq;
  const at = context.now().toISOString();
  const details: { -readonly [K in keyof RequestDetails]: RequestDetails[K] } = {};
  void serve(context, request, response, url, details)
    .catch(() => ({ ...record, status: 500 }))
    .then((outcome) => {
      Object.assign(record, outcome);
      context.feed.request({ seq, at, ...outcome, ...details });
    });
}

/** Answers a message node could not parse (see the `clientError` listener). */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    rawProblem(
      socket,
      new MockProblem(
        431,
        'invalid_request',
        'Request header fields too large',
        'the headers are too large',
      ),
      'Request Header Fields Too Large',
    );
  } else {
    rawProblem(socket, problems.badRequest('the request is not valid HTTP/1.1'), 'Bad Request');
  }
}

/** The HTTP server of the mock, not yet listening. */
function createMockHttpServer(context: MockContext): Server {
  const server = createServer((request, response) => handleRequest(context, request, response));
  // Idle keep-alive connections stay open longer than any common client pool keeps them (undici
  // drops one after about 4 s, Node's agent after 5 s), so the client closes first. With Node's
  // default of 5 s, a request sent on a connection the mock was closing at that instant failed
  // with ECONNRESET: seen once in mock-server.test.ts's robustness property, on a loaded machine.
  server.keepAliveTimeout = 65_000;
  // A message node cannot parse is no request to route or count; it still gets a problem answer.
  server.on('clientError', answerClientError);
  // CONNECT asks for a tunnel, which Node hands to this event instead of the request handler;
  // without a listener the socket would just close. The API tunnels nothing.
  server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    rawProblem(socket, problems.methodNotAllowed('CONNECT', []), 'Method Not Allowed');
  });
  return server;
}

/** Listens on `port` and `host` (an ephemeral port on 127.0.0.1 by default); resolves with the URL. */
async function listen(server: Server, options: MockServerOptions): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** The running mock as its caller sees it: a view of the context, and the way to stop it. */
function mockServerOf(context: MockContext, server: Server): MockServer {
  const { settings, signatures, state, tokens, deliveries, faults, closed, records } = context;
  let closing: Promise<void> | undefined;
  return {
    url: context.baseUrl,
    credentials: {
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      keyId: signatures.keyId,
      privateKey: signatures.privateKey,
    },
    get requestCount() {
      return records.length;
    },
    get requests() {
      return records.map((record) => ({ ...record }));
    },
    webhooks: () => state.all(),
    get deliveries() {
      return deliveries.records;
    },
    deliveriesSettled: () => deliveries.settled(),
    injectFault: (fault) => {
      injectFault(context, fault);
      context.feed.stateChanged();
    },
    pendingFaults: () => faults.pending(),
    clearFaults: () => {
      faults.clear();
      context.feed.stateChanged();
    },
    triggerEvents: (request) => triggerEvents(context, request),
    issueToken: (scopes) => tokens.issue(scopes),
    reset() {
      state.reset();
      tokens.clear();
      deliveries.clear();
      faults.clear();
      // Requests still under way finish into their own records, which are no longer listed.
      records.length = 0;
      context.feed.reset();
    },
    close() {
      closed.abort();
      // Open inspector streams would keep their connections; they end first.
      context.streams.closeAll();
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * Starts an in-memory mock of the webhook subscriptions API over real HTTP (node:http) on
 * 127.0.0.1 with an ephemeral port. It enforces the contract the API enforces, so a test that
 * passes against it does not pass by accident: routing from the spec's operations (404, 405 with
 * `allow`), the headers of each operation (400 without `upvest-client-id`, 401 for an unknown
 * one, 400 for an `upvest-api-version` other than `1`), signatures (v15 by default), bearer
 * tokens and their scopes (401, 403), `accept` (406), request bodies and queries through the
 * same validators and business rules as the client (400 with `details`), 404 for unknown ids,
 * 413 above the body limit, webhooks created disabled (R8) with `type` defaulting to `ALL` (R7),
 * and a fresh `upvest-request-id` on every answer. Every body it sends is checked against the
 * operation's documented response schema first. Throws an `UpvestConfigurationError` for
 * unusable options (a client id that is not a UUID, an invalid seed, …).
 *
 * @example
 * ```ts
 * import { startMockServer } from 'upvest-webhooks/testing';
 *
 * const mock = await startMockServer({ seed: 'documented-examples' });
 * console.log(mock.url, mock.webhooks().length); // http://127.0.0.1:53012 1
 * await mock.close();
 * ```
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const context = createContext(options);
  const server = createMockHttpServer(context);
  context.baseUrl = await listen(server, options);
  return mockServerOf(context, server);
}
