import { isDeepStrictEqual } from 'node:util';
import { operations, type OperationId } from '../../generated/constants.js';
import type { CheckLog, CheckResult, Exchange } from '../report/results.js';
import { schemaValidator } from '../cases/schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function mediaType(exchange: Exchange): string {
  return (exchange.responseHeaders['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The contract checks every exchange must pass: the status is documented (and the expected one,
 * when the case expects one), the media type fits the status, `upvest-request-id` is a UUID,
 * the body matches the documented schema, 202 and 204 carry no body, and a problem's `status`
 * repeats the HTTP status. Returns the parsed body for further, case-specific checks.
 *
 * @example
 * ```ts
 * const log = new CheckLog();
 * const [exchange] = recording.since(mark);
 * const body = checkExchange(log, { profile: 'replay', operation: 'retrieve_webhook', case: 'x' }, exchange, 200);
 * ```
 */
export function checkExchange(
  log: CheckLog,
  where: Pick<CheckResult, 'profile' | 'case'> & { operation: OperationId },
  exchange: Exchange,
  expectedStatus?: number,
): unknown {
  // Failures from here on carry this exchange as their evidence.
  log.about(exchange);
  const response = checkStatus(log, where, exchange, expectedStatus);
  const requestId = checkRequestId(log, where, exchange);
  if (!response) return undefined;

  if (response.contentType === null) {
    checkNoBody(log, where, exchange);
    return undefined;
  }
  const type = mediaType(exchange);
  if (
    !log.expect(
      where,
      'content-type is the documented one',
      type === response.contentType,
      `expected ${response.contentType}, got ${type || 'none'}`,
    )
  ) {
    return undefined;
  }
  const parsed = parseJson(exchange.responseBody);
  if (!log.expect(where, 'body is JSON', parsed.ok, parsed.ok ? 'parsed' : parsed.error))
    return undefined;
  const body = parsed.ok ? parsed.value : undefined;
  if (response.schema !== null) checkBodySchema(log, where, response.schema, body);
  if (response.contentType === 'application/problem+json')
    checkProblem(log, where, exchange, body, requestId);
  return body;
}

/** Where an exchange's checks are recorded: the profile, the case and the operation. */
type ExchangeWhere = Pick<CheckResult, 'profile' | 'case'> & { operation: OperationId };

/** A response the spec documents for an operation. */
type DocumentedResponse = (typeof operations)[OperationId]['responses'][number];

/** Checks the status is documented (and the expected one); returns its documented response. */
function checkStatus(
  log: CheckLog,
  where: ExchangeWhere,
  exchange: Exchange,
  expectedStatus: number | undefined,
): DocumentedResponse | undefined {
  const documented: readonly DocumentedResponse[] = operations[where.operation].responses;
  const response = documented.find((r) => r.status === exchange.status);
  log.expect(
    where,
    'status is documented',
    response !== undefined,
    `HTTP ${exchange.status}; the spec documents ${documented.map((r) => r.status).join(', ')}`,
  );
  if (expectedStatus !== undefined) {
    log.expect(
      where,
      'status is the expected one',
      exchange.status === expectedStatus,
      `expected ${expectedStatus}, got ${exchange.status}`,
    );
  }
  return response;
}

/** Checks `upvest-request-id` is a UUID not seen before; returns it. */
function checkRequestId(
  log: CheckLog,
  where: ExchangeWhere,
  exchange: Exchange,
): string | undefined {
  const requestId = exchange.responseHeaders['upvest-request-id'];
  log.expect(
    where,
    'upvest-request-id header is a UUID',
    requestId !== undefined && UUID.test(requestId),
    requestId === undefined
      ? 'the header is missing'
      : `got ${JSON.stringify(requestId.slice(0, 80))}`,
  );
  if (requestId !== undefined) {
    const earlier = log.earlierWithRequestId(requestId, exchange);
    log.expect(
      where,
      'upvest-request-id is new for each request',
      earlier === undefined,
      earlier === undefined
        ? 'not seen before'
        : `${requestId} was already the id of ${earlier.method} ${new URL(earlier.url).pathname}`,
    );
  }
  return requestId;
}

/** Checks an answer documented without a body (202, 204) has none. */
function checkNoBody(log: CheckLog, where: ExchangeWhere, exchange: Exchange): void {
  // fetch never reads the body of a 204, so a server that sends one is seen by the length it
  // announces (RFC 9110 §8.6 forbids content-length on a 204, and a body on 202 is undocumented).
  const announced = exchange.responseHeaders['content-length'];
  const chunked = exchange.responseHeaders['transfer-encoding'];
  const problems = [
    exchange.responseBody.length > 0 ? `got ${exchange.responseBody.length} bytes` : undefined,
    announced !== undefined && announced.trim() !== '0'
      ? `content-length announces ${announced} bytes`
      : undefined,
    chunked !== undefined && exchange.responseBody.length > 0
      ? `transfer-encoding ${chunked}`
      : undefined,
  ].filter((p): p is string => p !== undefined);
  log.expect(
    where,
    `HTTP ${exchange.status} has no body`,
    problems.length === 0,
    problems.join('; ') || 'empty',
  );
}

/** Checks the body against its documented schema, telling breaches from undocumented drift. */
function checkBodySchema(log: CheckLog, where: ExchangeWhere, schema: string, body: unknown): void {
  const validate = schemaValidator(schema);
  if (!validate) return;
  validate(body);
  const errors = validate.errors ?? [];
  // A property the spec does not document is drift, not a breach: a tolerant client ignores
  // it (Upvest may add fields). Everything else the schema says must hold.
  const unknown = errors.filter((e) => e.keyword === 'additionalProperties');
  const breaches = errors.filter((e) => e.keyword !== 'additionalProperties');
  log.expect(
    where,
    `body matches schema ${schema}`,
    breaches.length === 0,
    breaches.length === 0
      ? 'valid'
      : breaches.map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; '),
  );
  const secretive = unknown.filter((e) => looksSecret(e, body));
  log.expect(
    where,
    'no undocumented property holds something secret-looking',
    secretive.length === 0,
    secretive.length === 0
      ? 'none'
      : `${secretive.map((e) => `${e.instancePath}/${String(e.params['additionalProperty'])}`).join(', ')}: named or shaped like a secret, and the spec does not document it`,
  );
  log.note(
    where,
    'body has only documented properties',
    unknown.length === 0,
    unknown.length === 0
      ? 'none undocumented'
      : `undocumented (spec drift): ${unknown
          .map((e) => `${e.instancePath}/${String(e.params['additionalProperty'])}`)
          .join(', ')}`,
  );
}

/** Checks a problem document repeats the HTTP status and the `upvest-request-id` header. */
function checkProblem(
  log: CheckLog,
  where: ExchangeWhere,
  exchange: Exchange,
  body: unknown,
  requestId: string | undefined,
): void {
  const problem = body as { status?: unknown; request_id?: unknown } | null;
  log.expect(
    where,
    'problem status equals the HTTP status',
    problem?.status === exchange.status,
    `problem says ${String(problem?.status)}, HTTP says ${exchange.status}`,
  );
  if (problem?.request_id !== undefined) {
    log.expect(
      where,
      "the problem's request_id is the upvest-request-id header",
      problem.request_id === requestId,
      `request_id ${JSON.stringify(problem.request_id)}, header ${String(requestId)}`,
    );
  }
}

const SECRET_NAME = /secret|token|passw|private|api[_-]?key|credential|signing[_-]?key/i;
const SECRET_SHAPE = /-----BEGIN [A-Z ]*KEY-----|^eyJ[\w-]+\.[\w-]+\.|^[A-Za-z0-9+/_-]{40,}={0,2}$/;

/**
 * Whether a property the schema does not document is named like a secret (`signing_secret`,
 * `api_key`, `token`) or holds one's shape (a PEM key, a JWT, a long base64 run): a server that
 * leaks one fails, where other undocumented properties are only drift.
 */
function looksSecret(
  error: { instancePath: string; params: Record<string, unknown> },
  body: unknown,
): boolean {
  const name = String(error.params['additionalProperty']);
  if (SECRET_NAME.test(name)) return true;
  let node: unknown = body;
  for (const part of error.instancePath.split('/').slice(1)) {
    node = (node as Record<string, unknown> | undefined)?.[
      part.replaceAll('~1', '/').replaceAll('~0', '~')
    ];
  }
  const value = (node as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && SECRET_SHAPE.test(value);
}

/**
 * Where two JSON values differ, as JSON Pointers with both values; at most `limit` of them.
 *
 * @example
 * ```ts
 * jsonDifferences({ title: 'a' }, { title: 'b' }); // ['/title: expected "a", got "b"']
 * ```
 */
export function jsonDifferences(expected: unknown, actual: unknown, limit = 5): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (out.length >= limit || isDeepStrictEqual(a, b)) return;
    const bothObjects =
      typeof a === 'object' &&
      a !== null &&
      typeof b === 'object' &&
      b !== null &&
      Array.isArray(a) === Array.isArray(b);
    if (!bothObjects) {
      out.push(`${path || '/'}: expected ${JSON.stringify(a)}, got ${JSON.stringify(b)}`);
      return;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys)
      walk(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      );
  };
  walk(expected, actual, '');
  return out;
}

/**
 * Checks made only against a spec mock (Prism) that was asked for an example with `Prefer`: the
 * answer is that very example, and the mock found nothing wrong with the request (Prism lists
 * what breaks the spec in an `sl-violations` header, warnings included, which `--errors` alone
 * would not turn into an error status).
 *
 * @example
 * ```ts
 * checkSpecMockAnswer(log, where, exchange, body, replay.expectedBody);
 * ```
 */
export function checkSpecMockAnswer(
  log: CheckLog,
  where: Pick<CheckResult, 'profile' | 'operation' | 'case'>,
  exchange: Exchange,
  body: unknown,
  expectedBody: unknown,
): void {
  const violations = exchange.responseHeaders['sl-violations'];
  log.expect(
    where,
    'the spec mock found no violation in the request',
    violations === undefined,
    violations === undefined ? 'none reported' : violations.slice(0, 500),
  );
  if (expectedBody === undefined) return;
  const differences = jsonDifferences(expectedBody, body);
  log.expect(
    where,
    'body is the documented example',
    differences.length === 0,
    differences.join('; ') || 'equal',
  );
}
