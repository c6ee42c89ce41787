import { validateCreateWebhook, validateUpdateWebhook } from '../../src/index.js';
import { sendableRuleCases, type RuleCase } from '../../src/testing/index.js';
import { baseExamples } from '../cases/negative.js';
import { checkExchange } from '../checks/exchange.js';
import type { ProfileContext, RawRequest } from '../run/context.js';
import { createdId, deleteAll, sendScratch } from './scratch.js';
import { WebhookModel } from '../model/webhooks.js';

type Body = Record<string, unknown>;

/** `body` with `field` (`config.delay` names a member of `config`) set to `value`. */
function withField(body: Body, field: RuleCase['field'], value: unknown): Body {
  if (!field.startsWith('config.')) return { ...body, [field]: value };
  const member = field.slice('config.'.length);
  return { ...body, config: { ...((body['config'] ?? {}) as Body), [member]: value } };
}

/** Runs `work` on every item, at most `width` at once. */
async function inParallel<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

/** The case name a row is reported under, for create and for update. */
export const ruleCaseName = (row: RuleCase, operation: 'create' | 'update') =>
  `${row.field}: ${row.name} (${operation})`;

/**
 * `rules`: every row of the rule tables a JSON body can carry (src/testing/rule-cases.ts, the
 * tables the validators' unit tests run) sent to the server, in a create and in an update: every
 * URL spelling, every delay, size, title and category at and past each edge. The server must
 * answer what the client's validators say of the whole body: 201 or 200 where they accept it,
 * 400 where they refuse it. Also the body's media type as every client may write it. Every
 * webhook a case creates is deleted again.
 *
 * @example
 * ```ts
 * await runRules(context); // records into context.log
 * ```
 */
export async function runRules(context: ProfileContext): Promise<void> {
  const seed = baseExamples(context.document).body;
  const created: string[] = [];
  const target = createdId(
    await context.sendRaw({ method: 'POST', path: '/webhooks', body: seed }),
  );
  if (target) created.push(target);
  const send = async (
    name: string,
    request: RawRequest,
    owed: number,
    operation: 'create_webhook' | 'update_webhook',
  ) => {
    const where = { profile: 'rules' as const, operation, case: name };
    const exchange = await sendScratch(context, where, request, created);
    if (!exchange) return;
    const answer = checkExchange(context.log, where, exchange, owed);
    // An accepted spelling is stored as written: the answer echoes it, and everything else the
    // model expects of a new webhook.
    if (owed === 201 && exchange.status === 201) {
      const differences = new WebhookModel().judgeCreate(request.body as Body, answer);
      context.log.expect(
        where,
        'the answer agrees with the model',
        differences.length === 0,
        differences.join('; ') || 'every field as expected',
      );
    }
  };
  try {
    // Four at a time: the cases are independent, and a server answers them in any order.
    await inParallel(sendableRuleCases(), 4, async (row) => {
      const body = withField(seed, row.field, row.value);
      await send(
        ruleCaseName(row, 'create'),
        { method: 'POST', path: '/webhooks', body },
        validateCreateWebhook(body).ok ? 201 : 400,
        'create_webhook',
      );
      if (!target) return;
      const patch = withField({}, row.field, row.value);
      await send(
        ruleCaseName(row, 'update'),
        { method: 'PATCH', path: `/webhooks/${target}`, body: patch },
        validateUpdateWebhook(patch).ok ? 200 : 400,
        'update_webhook',
      );
    });
    for (const type of [
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/json;charset=UTF-8',
    ]) {
      await send(
        `content-type ${type}`,
        { method: 'POST', path: '/webhooks', body: seed, headers: { 'content-type': type } },
        201,
        'create_webhook',
      );
    }
  } finally {
    await deleteAll(context, created);
  }
}
