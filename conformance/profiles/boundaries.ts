import { boundaryCasesFor, type BoundaryCase } from '../cases/boundaries.js';
import { checkExchange } from '../checks/exchange.js';
import { createdId, deleteAll, sendScratch } from './scratch.js';
import type { ProfileContext } from '../run/context.js';
import { baseExamples } from '../cases/negative.js';

const OWED: Record<string, number> = {
  create_webhook: 201,
  update_webhook: 200,
  list_webhooks: 200,
};

/**
 * `boundaries`: every edge of every constraint of the create and update bodies and the list
 * query, sent to the server around the client (which would refuse the invalid half). The valid
 * value at an edge must be accepted, the invalid one just past it refused with 400; unusual but
 * valid input (a port, a query string, Punycode, a non-ASCII title, every category) must not
 * fail. Cases come from the spec and the rule table (see `boundary-cases.ts`); every webhook a
 * case creates is deleted, whatever the case's verdict.
 *
 * @example
 * ```ts
 * await runBoundaries(context); // records into context.log
 * ```
 */
export async function runBoundaries(context: ProfileContext): Promise<void> {
  const seed = baseExamples(context.document).body;
  const cases = boundaryCasesFor(context.document, seed);
  const created: string[] = [];
  // The webhook the update cases change; one of the run's own, deleted at the end.
  const target = await context.sendRaw({ method: 'POST', path: '/webhooks', body: seed });
  const targetId = createdId(target);
  if (targetId) created.push(targetId);
  try {
    for (const each of cases) await runCase(context, each, targetId, created);
  } finally {
    await deleteAll(context, created);
  }
}

async function runCase(
  context: ProfileContext,
  each: BoundaryCase,
  targetId: string | undefined,
  created: string[],
): Promise<void> {
  const where = { profile: 'boundaries' as const, operation: each.operation, case: each.name };
  if (each.operation === 'update_webhook' && !targetId) {
    context.log.add({
      ...where,
      check: 'sent',
      outcome: 'skip',
      detail: 'no webhook to update: creating the seed webhook failed',
    });
    return;
  }
  const exchange = await sendScratch(
    context,
    where,
    each.operation === 'create_webhook'
      ? { method: 'POST', path: '/webhooks', body: each.body }
      : each.operation === 'update_webhook'
        ? { method: 'PATCH', path: `/webhooks/${targetId ?? ''}`, body: each.body }
        : { method: 'GET', path: `/webhooks?${each.query ?? ''}` },
    created,
  );
  if (!exchange) return;
  const owed = each.accept ? (OWED[each.operation] ?? 200) : 400;
  context.log.expect(
    where,
    each.accept
      ? 'valid input at the edge is accepted'
      : 'invalid input past the edge is refused with 400',
    exchange.status === owed,
    exchange.status === owed
      ? `HTTP ${exchange.status}`
      : each.accept
        ? `HTTP ${exchange.status}: the server refuses valid input (${each.source}); the spec allows it`
        : `HTTP ${exchange.status}: the server accepts what ${each.source === 'rule' ? 'a business rule' : `the schema's ${each.source}`} forbids`,
  );
  // The contract of whatever came back: documented status, media type, request id, schema.
  checkExchange(context.log, where, exchange);
}
