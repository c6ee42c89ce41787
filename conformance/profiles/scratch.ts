import type { ProfileContext } from '../run/context.js';
import type { CheckResult, Exchange } from '../report/results.js';

/**
 * The id of the webhook an exchange created (a 201 with an `id`), if it created one: what a
 * profile must delete again, whatever the verdict of its case.
 *
 * @example
 * ```ts
 * const id = createdId(await context.sendRaw({ method: 'POST', path: '/webhooks', body }));
 * ```
 */
export function createdId(exchange: Exchange | undefined): string | undefined {
  if (exchange?.status !== 201) return undefined;
  try {
    const id = (JSON.parse(exchange.responseBody) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Deletes the webhooks a profile created, ignoring failures (the server may have deleted some).
 *
 * @example
 * ```ts
 * try { … } finally { await deleteAll(context, created); }
 * ```
 */
export async function deleteAll(context: ProfileContext, ids: readonly string[]): Promise<void> {
  for (const id of ids)
    await context.sendRaw({ method: 'DELETE', path: `/webhooks/${id}` }).catch(() => undefined);
}

/**
 * Sends a raw request for a case, keeps the id of a webhook it created for {@link deleteAll},
 * and logs a failure when there was no answer at all.
 *
 * @example
 * ```ts
 * const exchange = await sendScratch(context, where, { method: 'POST', path: '/webhooks', body }, created);
 * if (exchange) checkExchange(context.log, where, exchange, 201);
 * ```
 */
export async function sendScratch(
  context: ProfileContext,
  where: Pick<CheckResult, 'profile' | 'operation' | 'case'>,
  request: Parameters<ProfileContext['sendRaw']>[0],
  created: string[],
): Promise<Exchange | undefined> {
  const exchange = await context.sendRaw(request);
  const id = createdId(exchange);
  if (id) created.push(id);
  if (!exchange)
    context.log.add({ ...where, check: 'answered', outcome: 'fail', detail: 'no answer' });
  return exchange;
}
