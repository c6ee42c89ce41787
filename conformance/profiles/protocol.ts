import { operations, type OperationId } from '../../generated/constants.js';
import { checkExchange } from '../checks/exchange.js';
import { createdId, deleteAll } from './scratch.js';
import type { ProfileContext, RawRequest } from '../run/context.js';
import type { Exchange } from '../report/results.js';
import { baseExamples } from '../cases/negative.js';

/** The documented methods of each path of the spec, from the generated operations table. */
function methodsByPath(): Map<string, Set<string>> {
  const byPath = new Map<string, Set<string>>();
  for (const operation of Object.values(operations)) {
    const methods = byPath.get(operation.path) ?? new Set<string>();
    methods.add(operation.method);
    byPath.set(operation.path, methods);
  }
  return byPath;
}

const CANDIDATES = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * `protocol`: HTTP itself. Every method a path does not document is answered 405 with an `allow`
 * header naming only documented methods; an `accept` the server cannot serve is answered 406 by
 * every operation that declares 406 and by no other (they answer without a body); a body on an
 * operation that takes none is refused with 400, and nothing happens; a path the API does not have is a 404 problem. Every answer carries
 * `upvest-request-id` and the documented media type (the contract checks of each exchange).
 *
 * @example
 * ```ts
 * await runProtocol(context); // records into context.log
 * ```
 */
export async function runProtocol(context: ProfileContext): Promise<void> {
  const seed = { ...baseExamples(context.document).body, title: 'conformance protocol' };
  const created: string[] = [];
  const made = await context.sendRaw({ method: 'POST', path: '/webhooks', body: seed });
  const id = createdId(made);
  if (id) created.push(id);
  const concrete = (path: string) =>
    path.replace('{webhook_id}', id ?? '00000000-0000-4000-8000-000000000000');
  const protocol: Protocol = {
    context,
    seed,
    created,
    id,
    concrete,
    probe: proberFor(context, created),
  };

  try {
    await probeUndocumentedMethods(protocol);
    await probeUnservableAccept(protocol);
    await probeAcceptWithoutBody(protocol);
    await probeUnknownPathAndBody(protocol);
    await probeBodyLimit(protocol);
  } finally {
    await deleteAll(context, created);
  }
}

type Judge = (exchange: Exchange) => [check: string, ok: boolean, detail: string][];

/** Sends one request and records the judge's checks and the contract checks of its answer. */
type Probe = (
  operation: OperationId | '-',
  name: string,
  request: RawRequest,
  judge: Judge,
) => Promise<void>;

/** What the probes share: the run, the seed body, what was created, and the webhook to probe. */
interface Protocol {
  readonly context: ProfileContext;
  readonly seed: Record<string, unknown>;
  /** Every webhook the run created, deleted at the end. */
  readonly created: string[];
  readonly id: string | undefined;
  /** The path with the probed webhook's id (or a made-up one) for `{webhook_id}`. */
  readonly concrete: (path: string) => string;
  readonly probe: Probe;
}

/** The probe of a run: what a request creates is added to `created`, to be deleted. */
function proberFor(context: ProfileContext, created: string[]): Probe {
  return async function probe(operation, name, request, judge) {
    const where = { profile: 'protocol' as const, operation, case: name };
    const exchange = await context.sendRaw(request);
    const madeId = createdId(exchange);
    if (madeId) created.push(madeId);
    if (!exchange) {
      context.log.add({ ...where, check: 'answered', outcome: 'fail', detail: 'no answer' });
      return;
    }
    for (const [check, ok, detail] of judge(exchange)) context.log.expect(where, check, ok, detail);
    if (operation !== '-') checkExchange(context.log, { ...where, operation }, exchange);
  };
}

/** Every method a path does not document: 405 with an `allow` of documented methods. */
async function probeUndocumentedMethods({ probe, concrete }: Protocol): Promise<void> {
  for (const [path, documented] of methodsByPath()) {
    for (const method of CANDIDATES.filter((m) => !documented.has(m))) {
      await probe(
        '-',
        `${method} ${path}`,
        { method, path: concrete(path), ...(method === 'GET' ? {} : { body: {} }) },
        (exchange) => {
          const allow = (exchange.responseHeaders['allow'] ?? '')
            .split(',')
            .map((m) => m.trim())
            .filter(Boolean);
          return [
            [
              'an undocumented method is answered 405',
              exchange.status === 405,
              `HTTP ${exchange.status} to ${method} ${path}`,
            ],
            [
              'allow names the documented methods',
              allow.length > 0 &&
                allow.every((m) => documented.has(m) || m === 'HEAD' || m === 'OPTIONS'),
              `allow: ${exchange.responseHeaders['allow'] ?? '(missing)'}; documented: ${[...documented].join(', ')}`,
            ],
          ];
        },
      );
    }
  }
}

/** A GET that declares 406, asked for what it cannot serve. */
async function probeUnservableAccept({ probe, concrete }: Protocol): Promise<void> {
  for (const operation of Object.values(operations)) {
    const declares406 = operation.responses.some((r) => r.status === 406);
    if (!declares406 || operation.method !== 'GET') continue;
    await probe(
      operation.operationId,
      'accept: application/pdf',
      { method: 'GET', path: concrete(operation.path), headers: { accept: 'application/pdf' } },
      (exchange) => [
        [
          'an accept the server cannot serve is answered 406',
          exchange.status === 406,
          `HTTP ${exchange.status}`,
        ],
      ],
    );
    await probe(
      operation.operationId,
      'accept: application/problem+json alone',
      {
        method: 'GET',
        path: concrete(operation.path),
        headers: { accept: 'application/problem+json' },
      },
      (exchange) => [
        [
          'a success cannot be problem+json: 406',
          exchange.status === 406,
          `HTTP ${exchange.status}`,
        ],
      ],
    );
  }
}

/** Every operation that answers without a body, asked for an accept it cannot serve. */
async function probeAcceptWithoutBody({
  context,
  seed,
  created,
  id,
  probe,
}: Protocol): Promise<void> {
  // An operation that declares no 406 answers without a body: there is nothing to negotiate,
  // so an accept the server cannot serve must not turn its documented success into a 406.
  const spare = createdId(
    await context.sendRaw({
      method: 'POST',
      path: '/webhooks',
      body: { ...seed, title: 'conformance protocol spare' },
    }),
  );
  if (spare) created.push(spare);
  for (const operation of Object.values(operations)) {
    const success = operation.responses.find((r) => r.status >= 200 && r.status < 300);
    const declares406 = operation.responses.some((r) => r.status === 406);
    const target = operation.method === 'DELETE' ? spare : id;
    if (declares406 || success?.schema !== null || operation.requestSchema || !target) continue;
    await probe(
      operation.operationId,
      'accept: application/pdf where no 406 is declared',
      {
        method: operation.method,
        path: operation.path.replace('{webhook_id}', target),
        headers: { accept: 'application/pdf' },
      },
      (exchange) => [
        [
          'an answer without a body serves any accept',
          exchange.status === success?.status,
          `HTTP ${exchange.status}, documented ${success?.status}`,
        ],
      ],
    );
  }
}

/** A body on an operation that takes none, and a path the API does not have. */
async function probeUnknownPathAndBody({ id, probe }: Protocol): Promise<void> {
  if (id) {
    await probe(
      'test_webhook',
      'a body on a test',
      { method: 'POST', path: `/webhooks/${id}/test`, body: { note: 'unexpected' } },
      (exchange) => [
        [
          'a body where none is taken is refused with 400',
          exchange.status === 400,
          `HTTP ${exchange.status}`,
        ],
      ],
    );
  }
  await probe(
    '-',
    'a path the API does not have',
    { method: 'GET', path: '/webhooks-and-more' },
    (exchange) => [
      ['an unknown path is a 404', exchange.status === 404, `HTTP ${exchange.status}`],
      [
        'the 404 is a problem document',
        (exchange.responseHeaders['content-type'] ?? '').startsWith('application/problem+json'),
        `content-type ${exchange.responseHeaders['content-type'] ?? '(none)'}`,
      ],
      [
        'the 404 carries upvest-request-id',
        /^[0-9a-f-]{36}$/i.test(exchange.responseHeaders['upvest-request-id'] ?? ''),
        `upvest-request-id ${exchange.responseHeaders['upvest-request-id'] ?? '(none)'}`,
      ],
    ],
  );
}

/** Bodies at the run's body limit and one byte above it, when the run has a limit. */
async function probeBodyLimit({ context, seed, probe }: Protocol): Promise<void> {
  // A body of exactly the limit is read and judged (its title is far too long: 400); one
  // byte more is refused unread (413). The limit is the suite's setting (the mock's default).
  const limit = context.bodyLimitBytes;
  if (limit !== undefined) {
    const padded = (size: number) => {
      const shell = JSON.stringify({ ...seed, title: '' });
      return new TextEncoder().encode(
        shell.replace('"title":""', `"title":"${'x'.repeat(size - shell.length)}"`),
      );
    };
    for (const [name, size, owed] of [
      [`a body of exactly ${limit} bytes, the limit`, limit, 400],
      [`a body of ${limit + 1} bytes, one above the limit`, limit + 1, 413],
    ] as const) {
      await probe(
        'create_webhook',
        name,
        { method: 'POST', path: '/webhooks', body: padded(size) },
        (exchange) => [
          [
            owed === 400
              ? 'a body at the limit is read and judged'
              : 'a body above the limit is refused with 413',
            exchange.status === owed,
            `HTTP ${exchange.status}, expected ${owed}`,
          ],
        ],
      );
    }
  }
}
