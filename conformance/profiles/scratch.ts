import type { ProfileContext } from '../run/context.js';
import type { Exchange } from '../report/results.js';

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
