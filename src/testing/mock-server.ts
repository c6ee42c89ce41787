import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operations, type OperationId } from '../../generated/constants.js';
import { matchOperation } from '../spec/match-operation.js';
import * as validators from '../../generated/validators.js';
import type { SchemaValidator } from '../../generated/validators.js';
import type { JsonWebKeySet, Webhook } from '../types.js';
import { schemaIssues } from '../validation/schema-issues.js';
import type { ValidationIssue } from '../validation/issue.js';
import {
  validateCreateWebhook,
  validateListQuery,
  validateUpdateWebhook,
  type RuleOptions,
} from '../validation/webhook.js';
import { verifyUpvestRequest } from '../signing/upvest-profile.js';
import type { KeyInput } from '../signing/keys.js';
import { generateDeliveryKeyPair, signDelivery } from '../deliveries/testing.js';
import { documentedVerificationKeys, documentedWebhook } from './documented-examples.js';
import { MockState } from './mock-state.js';

/** What a request verifier sees: the request exactly as it arrived. */
export interface MockIncomingRequest {
  readonly method: string;
  /** The absolute URL the client addressed (`http://127.0.0.1:<port>/webhooks?...`). */
  readonly url: string;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** The verdict of {@link MockServerOptions.verifyRequest}. */
export type MockVerification =
  | { readonly valid: true }
  | { readonly valid: false; readonly reason: string; readonly message: string };

/**
 * Options of {@link startMockServer}. Everything is optional.
 *
 * @example
 * ```ts
 * const mock = await startMockServer({ seed: 'documented-examples', tokenLifetimeSeconds: 60 });
 * ```
 */
export interface MockServerOptions {
  /** The tenant's client id; a random UUID by default. */
  readonly clientId?: string;
  /** The tenant's client secret for `POST /auth/token`; random by default. */
  readonly clientSecret?: string;
  /** Webhooks present from the start: a list, or the webhook of the spec's examples. */
  readonly seed?: readonly Webhook[] | 'documented-examples';
  /** Lifetime of issued tokens (default 3600 s). */
  readonly tokenLifetimeSeconds?: number;
  /** The clock; inject one to test token expiry. */
  readonly now?: () => Date;
  /** Interface to listen on; 127.0.0.1 by default. */
  readonly host?: string;
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
  readonly deliveryTarget?: string | ((webhook: Webhook) => string);
  /** The `type` of the test event (default `WEBHOOK.TEST`: Upvest does not document it). */
  readonly testEventType?: string;
  /**
   * Whether requests must carry a valid HTTP message signature under Upvest's v15 profile, as
   * the API demands (default `required`). The mock then generates a P-521 key pair for the
   * tenant (see `credentials.keyId` and `credentials.privateKey`) unless `signingKey` is given.
   * `off` accepts unsigned requests, for tests that are not about signing.
   */
  readonly requestSignatures?: 'required' | 'off';
  /** The tenant's signing key the mock verifies with: its id and public key. */
  readonly signingKey?: { readonly keyId: string; readonly publicKey: KeyInput };
  /**
   * A custom signature check that replaces the v15 profile's. Failures answer 401 problem+json
   * (`detail: "Signature is incorrect: …"`), as the API does.
   */
  readonly verifyRequest?: (
    request: MockIncomingRequest,
  ) => MockVerification | Promise<MockVerification>;
  /** Called after `POST /webhooks/{id}/test` was accepted (202). */
  readonly onTestRequested?: (webhook: Webhook) => void | Promise<void>;
  /** Business-rule choices, the same as the client's. */
  readonly rules?: RuleOptions;
  /** Largest request body accepted (default 1 MiB); larger ones answer 413. */
  readonly maxBodyBytes?: number;
}

/** One test delivery the mock sent. */
export interface MockDeliveryRecord {
  readonly webhookId: string;
  readonly eventId: string;
  readonly target: string;
  /** The receiver's HTTP status, or undefined when the request failed. */
  readonly status: number | undefined;
  readonly error: string | undefined;
}

/** One request the mock received. */
export interface MockRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly operationId: OperationId | undefined;
}

/**
 * A running mock of the webhook subscriptions API.
 *
 * @example
 * ```ts
 * const mock = await startMockServer();
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
  /** How many HTTP requests arrived, rejected ones included. */
  readonly requestCount: number;
  /** Every request that arrived, in order. */
  readonly requests: readonly MockRequestRecord[];
  /** A snapshot of the stored webhooks. */
  webhooks(): Webhook[];
  /** A valid bearer token for these scopes, without the OAuth round trip. */
  issueToken(scopes: readonly string[]): string;
  /** Forgets webhooks, tokens and recorded requests (seeded webhooks come back). */
  reset(): void;
  /** Test deliveries sent so far: the webhook, the target, and its answer or the error. */
  readonly deliveries: readonly MockDeliveryRecord[];
  /** Resolves when every test delivery under way has been answered. */
  deliveriesSettled(): Promise<void>;
  /** Stops listening and closes every connection. Safe to call twice. */
  close(): Promise<void>;
}

const PROBLEM_BASE = 'https://docs.upvest.co/errors/';
const KNOWN_SCOPES = new Set(['webhooks:read', 'webhooks:admin']);
const TRANSPORT_SIGNATURE_HEADERS = new Set(['/signature', '/signature-input']);

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly details?: readonly ValidationIssue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

const badRequest = (detail: string, issues?: readonly ValidationIssue[]) =>
  new HttpProblem(400, 'invalid_request', 'Invalid request', detail, issues);
const unauthorised = (detail: string) =>
  new HttpProblem(401, 'unauthorised', 'Unauthorised', detail);

function validatorFor(name: string): SchemaValidator<Record<string, unknown>> {
  const validator = (
    validators as unknown as Record<string, SchemaValidator<Record<string, unknown>>>
  )[name];
  if (!validator) throw new Error(`no generated validator ${name}`);
  return validator;
}

function pascal(operationId: string): string {
  return operationId.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new HttpProblem(
        413,
        'payload_too_large',
        'Payload too large',
        `the body exceeds ${limit} bytes`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `accept` allows JSON when absent, `*\/*`, `application/*`, or a JSON media type. */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const type = part.split(';')[0]?.trim().toLowerCase() ?? '';
    return ['*/*', 'application/*', 'application/json', 'application/problem+json'].includes(type);
  });
}

function parseJsonBody(headers: Record<string, string>, body: Uint8Array): unknown {
  const type = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw badRequest(`the body must be application/json, got ${type ?? 'no content-type'}`);
  }
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    throw badRequest('the body is not valid JSON');
  }
}

function parseQuery(url: URL): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(query, key)) throw badRequest(`the query parameter ${key} is repeated`);
    if (value === '') continue; // allowEmptyValue: `?limit=` means "not given"
    query[key] =
      (key === 'offset' || key === 'limit') && /^\d{1,10}$/.test(value) ? Number(value) : value;
  }
  return query;
}

/**
 * Starts an in-memory mock of the webhook subscriptions API on 127.0.0.1 with an ephemeral port.
 * It enforces the contract of the spec and the business rules: required headers, bearer tokens
 * and scopes, request validation (400 problem+json with `details`), 404 for unknown ids, webhooks
 * created disabled (R8), paging and sorting, and an `upvest-request-id` on every response.
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
  const now = options.now ?? (() => new Date());
  const clientId = options.clientId ?? randomUUID();
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const tokenLifetime = options.tokenLifetimeSeconds ?? 3600;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const seed =
    options.seed === 'documented-examples' ? [documentedWebhook()] : (options.seed ?? []);
  const state = new MockState(seed, now);
  const tokens = new Map<string, { scopes: ReadonlySet<string>; expiresAt: number }>();
  const records: MockRequestRecord[] = [];
  const deliveries: MockDeliveryRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  const deliveryKeys = generateDeliveryKeyPair();
  let baseUrl = '';
  const signatures = options.requestSignatures ?? 'required';
  const generated =
    signatures === 'required' && !options.signingKey && !options.verifyRequest
      ? generateKeyPairSync('ec', { namedCurve: 'P-521' })
      : undefined;
  const keyId = options.signingKey?.keyId ?? randomUUID();
  const publicKey = options.signingKey?.publicKey ?? generated?.publicKey;
  const verifyRequest: MockServerOptions['verifyRequest'] =
    options.verifyRequest ??
    (signatures === 'required' && publicKey !== undefined
      ? async (request) => {
          const verdict = await verifyUpvestRequest(request, {
            keys: (id) => (id === keyId ? publicKey : undefined),
            now: () => Math.floor(now().getTime() / 1000),
          });
          return verdict.valid
            ? { valid: true }
            : { valid: false, reason: verdict.reason, message: verdict.message };
        }
      : undefined);

  function issueToken(scopes: readonly string[]): string {
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, {
      scopes: new Set(scopes),
      expiresAt: now().getTime() + tokenLifetime * 1000,
    });
    return token;
  }

  function checkHeaders(operationId: OperationId, headers: Record<string, string>): void {
    const clientHeader = headers['upvest-client-id'];
    if (clientHeader === undefined) {
      throw new HttpProblem(
        400,
        'missing_client_id',
        'Missing Client ID',
        'the upvest-client-id header is required',
      );
    }
    const validate = validatorFor(`validate${pascal(operationId)}Headers`);
    if (!validate(headers)) {
      const issues = schemaIssues(validate.errors).filter(
        (issue) => verifyRequest !== undefined || !TRANSPORT_SIGNATURE_HEADERS.has(issue.path),
      );
      const auth = issues.find((issue) => issue.path === '/authorization');
      if (auth) throw unauthorised('a bearer token is required (authorization: Bearer <token>)');
      const signature = issues.find((issue) => TRANSPORT_SIGNATURE_HEADERS.has(issue.path));
      if (signature)
        throw unauthorised(
          'the request is not signed (signature and signature-input are required)',
        );
      if (issues.length > 0) throw badRequest('a request header is invalid', issues);
    }
    if (clientHeader !== clientId) throw unauthorised('the upvest-client-id is not known');
  }

  function checkToken(operationId: OperationId, headers: Record<string, string>): void {
    const token = /^Bearer (.+)$/.exec(headers['authorization'] ?? '')?.[1];
    const grant = token === undefined ? undefined : tokens.get(token);
    if (!grant || grant.expiresAt <= now().getTime())
      throw unauthorised('the access token is unknown or expired');
    const accepted = operations[operationId].scopes.map((requirement) => requirement[0]);
    if (!accepted.some((scope) => scope !== undefined && grant.scopes.has(scope))) {
      throw new HttpProblem(
        403,
        'forbidden',
        'Forbidden',
        `the token lacks a scope for this operation (${accepted.join(' or ')})`,
      );
    }
  }

  function issueTokenFromForm(headers: Record<string, string>, body: Uint8Array) {
    const type = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      throw badRequest('the token request must be application/x-www-form-urlencoded');
    }
    const form: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(Buffer.from(body).toString('utf8'))) {
      if (Object.hasOwn(form, key)) throw badRequest(`the form field ${key} is repeated`);
      form[key] = value;
    }
    if (!validators.validateTokenRequest(form)) {
      throw badRequest(
        'the token request is invalid',
        schemaIssues(validators.validateTokenRequest.errors),
      );
    }
    if (
      form['client_id'] !== clientId ||
      headers['upvest-client-id'] !== clientId ||
      form['client_secret'] !== clientSecret
    ) {
      throw unauthorised('the client credentials are wrong');
    }
    const scopes = (form['scope'] ?? '').split(' ').filter(Boolean);
    const unknown = scopes.filter((scope) => !KNOWN_SCOPES.has(scope));
    if (scopes.length === 0 || unknown.length > 0) {
      throw badRequest(`unknown scope ${unknown.join(' ') || '(none)'}`);
    }
    return {
      access_token: issueToken(scopes),
      expires_in: tokenLifetime,
      token_type: 'bearer',
      scope: scopes.join(' '),
    };
  }

  async function handle(
    operationId: OperationId,
    params: readonly string[],
    url: URL,
    headers: Record<string, string>,
    body: Uint8Array,
  ) {
    const id = params[0] ?? '';
    switch (operationId) {
      case 'issue_token':
        return { status: 200, body: issueTokenFromForm(headers, body) };
      case 'get_jwks':
        return {
          status: 200,
          body:
            options.verifyKeys === 'documented-example'
              ? documentedVerificationKeys()
              : (options.verifyKeys ?? deliveryKeys.jwks),
        };
      case 'list_webhooks': {
        const query = validateListQuery(parseQuery(url));
        if (!query.ok) throw badRequest('the query is invalid', query.issues);
        return { status: 200, body: state.list(query.value) };
      }
      case 'create_webhook': {
        const input = validateCreateWebhook(parseJsonBody(headers, body), options.rules);
        if (!input.ok) throw badRequest('the webhook is invalid', input.issues);
        return { status: 201, body: state.create(input.value) };
      }
      case 'retrieve_webhook':
        return { status: 200, body: state.get(id) ?? notFound(id) };
      case 'update_webhook': {
        const input = validateUpdateWebhook(parseJsonBody(headers, body), options.rules);
        if (!input.ok) throw badRequest('the webhook update is invalid', input.issues);
        return { status: 200, body: state.update(id, input.value) ?? notFound(id) };
      }
      case 'delete_webhook':
        if (!state.delete(id)) notFound(id);
        return { status: 204 };
      case 'test_webhook': {
        const webhook = state.get(id) ?? notFound(id);
        await options.onTestRequested?.(webhook);
        deliverTest(webhook);
        return { status: 202 };
      }
    }
  }

  /** Sends a signed test event to the delivery target, after the 202 (the API is asynchronous). */
  function deliverTest(webhook: Webhook): void {
    const target =
      typeof options.deliveryTarget === 'function'
        ? options.deliveryTarget(webhook)
        : options.deliveryTarget;
    if (target === undefined) return;
    const event = {
      id: randomUUID(),
      created_at: now().toISOString(),
      type: options.testEventType ?? 'WEBHOOK.TEST',
      object: { webhook_id: webhook.id, title: webhook.title },
      webhook_id: webhook.id,
    };
    const signed = signDelivery([event], {
      keyId: deliveryKeys.keyId,
      privateKey: deliveryKeys.privateKey,
      url: target,
      now: Math.floor(now().getTime() / 1000),
    });
    const sending = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() =>
        fetch(target, {
          method: 'POST',
          headers: signed.headers,
          body: signed.body,
          redirect: 'manual',
        }),
      )
      .then(
        async (response) => {
          await response.body?.cancel();
          deliveries.push({
            webhookId: webhook.id,
            eventId: event.id,
            target,
            status: response.status,
            error: undefined,
          });
        },
        (error: unknown) => {
          deliveries.push({
            webhookId: webhook.id,
            eventId: event.id,
            target,
            status: undefined,
            error: error instanceof Error ? error.message : String(error),
          });
        },
      )
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }

  function notFound(id: string): never {
    throw new HttpProblem(
      404,
      'not_found',
      'Not found',
      `no webhook has the id ${id.slice(0, 64)}`,
    );
  }

  function send(
    response: ServerResponse,
    status: number,
    body?: unknown,
    contentType = 'application/json',
    extra: Record<string, string> = {},
  ) {
    const requestId = randomUUID();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    response.writeHead(status, {
      'upvest-request-id': requestId,
      ...(payload === undefined
        ? {}
        : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
      ...extra,
    });
    response.end(payload);
    return requestId;
  }

  function sendProblem(response: ServerResponse, problem: HttpProblem) {
    const requestId = randomUUID();
    const body = {
      type: `${PROBLEM_BASE}${problem.slug}`,
      status: problem.status,
      title: problem.title,
      detail: problem.detail,
      request_id: requestId,
      ...(problem.details
        ? {
            details: problem.details.map(({ path, code, message }) => ({
              pointer: path,
              code,
              message,
            })),
          }
        : {}),
    };
    const payload = JSON.stringify(body);
    response.writeHead(problem.status, {
      'upvest-request-id': requestId,
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(payload),
      ...problem.headers,
    });
    response.end(payload);
  }

  async function serve(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<MockRequestRecord> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', baseUrl);
    const headers = flattenHeaders(request);
    let operationId: OperationId | undefined;
    try {
      const body = await readBody(request, maxBodyBytes);
      const match = matchOperation(method, url.pathname);
      if (match.kind === 'unknown_path')
        throw new HttpProblem(404, 'not_found', 'Not found', `no operation at ${url.pathname}`);
      if (match.kind === 'wrong_method') {
        throw new HttpProblem(
          405,
          'method_not_allowed',
          'Method not allowed',
          `${method} is not allowed here`,
          undefined,
          {
            allow: match.allowed.join(', '),
          },
        );
      }
      operationId = match.operationId;
      checkHeaders(operationId, headers);
      if (operationId !== 'delete_webhook' && !acceptsJson(headers['accept'])) {
        throw new HttpProblem(
          406,
          'not_acceptable',
          'Not acceptable',
          'this operation answers application/json only',
        );
      }
      if (verifyRequest) {
        const verdict = await verifyRequest({ method, url: url.href, headers, body });
        if (!verdict.valid) throw unauthorised(`Signature is incorrect: ${verdict.message}`);
      }
      if (operationId !== 'issue_token') checkToken(operationId, headers);
      const result = await handle(operationId, match.pathParams, url, headers, body);
      send(response, result.status, 'body' in result ? result.body : undefined);
      return { method, path: url.pathname, status: result.status, operationId };
    } catch (error) {
      const problem =
        error instanceof HttpProblem
          ? error
          : new HttpProblem(
              500,
              'internal_server_error',
              'Internal server error',
              'the mock failed unexpectedly',
            );
      if (!response.headersSent) sendProblem(response, problem);
      else response.destroy();
      return {
        method,
        path: url.pathname,
        status: problem.status,
        operationId,
      };
    }
  }

  const server = createServer((request, response) => {
    // Counted on arrival, so a caller that got its response always sees its request counted.
    const index =
      records.push({
        method: request.method ?? '',
        path: request.url ?? '',
        status: 0,
        operationId: undefined,
      }) - 1;
    void serve(request, response).then((record) => {
      records[index] = record;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  baseUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url: baseUrl,
    credentials: { clientId, clientSecret, keyId, privateKey: generated?.privateKey },
    get requestCount() {
      return records.length;
    },
    get requests() {
      return [...records];
    },
    webhooks: () => state.all(),
    get deliveries() {
      return [...deliveries];
    },
    async deliveriesSettled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    issueToken,
    reset() {
      state.reset();
      tokens.clear();
      records.length = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
