import { operations, type OperationId } from '../generated/constants.js';
import type { CheckLog, CheckResult, Exchange } from './model.js';
import { schemaValidator } from './schemas.js';

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
 */
export function checkExchange(
  log: CheckLog,
  where: Pick<CheckResult, 'profile' | 'case'> & { operation: OperationId },
  exchange: Exchange,
  expectedStatus?: number,
): unknown {
  const documented = operations[where.operation].responses;
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
  const requestId = exchange.responseHeaders['upvest-request-id'];
  log.expect(
    where,
    'upvest-request-id header is a UUID',
    requestId !== undefined && UUID.test(requestId),
    requestId === undefined
      ? 'the header is missing'
      : `got ${JSON.stringify(requestId.slice(0, 80))}`,
  );
  if (!response) return undefined;

  if (response.contentType === null) {
    log.expect(
      where,
      `HTTP ${exchange.status} has no body`,
      exchange.responseBody.length === 0,
      exchange.responseBody.length === 0 ? 'empty' : `got ${exchange.responseBody.length} bytes`,
    );
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
  const validate = response.schema === null ? undefined : schemaValidator(response.schema);
  if (validate) {
    const ok = validate(body);
    log.expect(
      where,
      `body matches schema ${response.schema ?? ''}`,
      ok,
      ok
        ? 'valid'
        : (validate.errors ?? [])
            .map(
              (e) =>
                `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params['additionalProperty'])})` : ''}`,
            )
            .join('; '),
    );
  }
  if (response.contentType === 'application/problem+json') {
    const status = (body as { status?: unknown } | null)?.status;
    log.expect(
      where,
      'problem status equals the HTTP status',
      status === exchange.status,
      `problem says ${String(status)}, HTTP says ${exchange.status}`,
    );
  }
  return body;
}
