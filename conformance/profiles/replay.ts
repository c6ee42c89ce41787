import type { OperationId } from '../../generated/constants.js';
import type { WebhookCreateRequest, WebhookUpdateRequest } from '../../src/types.js';
import { collectReplayCases, type ReplayCase } from '../cases.js';
import { checkExchange } from '../checks.js';
import type { ProfileContext } from '../context.js';
import { checkEcho } from '../echo.js';

/** Reads first, then writes, deletes last, so a stateful target still has what later cases need. */
const ORDER: OperationId[] = [
  'issue_token',
  'get_jwks',
  'list_webhooks',
  'retrieve_webhook',
  'create_webhook',
  'update_webhook',
  'test_webhook',
  'delete_webhook',
];

function invoke(context: ProfileContext, replay: ReplayCase): Promise<unknown> {
  const { client } = context;
  const id = replay.pathParams['webhook_id'] ?? '';
  switch (replay.operationId) {
    case 'issue_token':
      return context.requestToken ? context.requestToken() : Promise.resolve();
    case 'get_jwks':
      return client.verificationKeys();
    case 'list_webhooks':
      return client.list();
    case 'create_webhook':
      return client.create(replay.body as WebhookCreateRequest);
    case 'retrieve_webhook':
      return client.retrieve(id);
    case 'update_webhook':
      return client.update(id, replay.body as WebhookUpdateRequest);
    case 'delete_webhook':
      return client.delete(id);
    case 'test_webhook':
      return client.test(id);
  }
}

/**
 * `replay`: sends every request example of the spec through our client and checks the answer
 * against the contract. Stateless: against a spec mock each answer is the documented example.
 */
export async function runReplay(context: ProfileContext): Promise<void> {
  const cases = collectReplayCases(context.document).sort(
    (a, b) => ORDER.indexOf(a.operationId) - ORDER.indexOf(b.operationId),
  );
  const created: string[] = [];
  for (const replay of cases) {
    const where = { profile: 'replay' as const, operation: replay.operationId, case: replay.name };
    if (replay.operationId === 'issue_token' && !context.requestToken) {
      context.log.add({
        ...where,
        check: 'replayed',
        outcome: 'skip',
        detail: 'no client credentials for this run',
      });
      continue;
    }
    context.setPrefer(
      replay.responseExample
        ? `code=${replay.expectedStatus}, example=${replay.responseExample}`
        : `code=${replay.expectedStatus}`,
    );
    const mark = context.recording.mark();
    const error = await invoke(context, replay).then(
      () => undefined,
      (e: unknown) => e,
    );
    context.setPrefer(undefined);
    const [exchange] = context.recording.since(mark);
    if (!exchange) {
      context.log.add({
        ...where,
        check: 'request was sent',
        outcome: 'fail',
        detail: `nothing was sent: ${error instanceof Error ? error.message : String(error)}`,
      });
      continue;
    }
    const body = checkExchange(context.log, where, exchange, replay.expectedStatus);
    if (
      exchange.status < 300 &&
      replay.body !== undefined &&
      (replay.operationId === 'create_webhook' || replay.operationId === 'update_webhook')
    ) {
      checkEcho(context.log, where, replay.body, body);
    }
    const id = (body as { id?: unknown } | undefined)?.id;
    if (
      replay.operationId === 'create_webhook' &&
      exchange.status === 201 &&
      typeof id === 'string'
    )
      created.push(id);
  }
  if (context.stateful) {
    for (const id of created) await context.client.delete(id).catch(() => undefined);
  }
}
