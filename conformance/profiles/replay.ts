import type { OperationId } from '../../generated/constants.js';
import type { WebhookCreateRequest, WebhookUpdateRequest } from '../../src/index.js';
import {
  collectExamples,
  collectReplayCases,
  exampleDrift,
  type ReplayCase,
} from '../cases/spec-examples.js';
import { checkExchange, checkSpecMockAnswer } from '../checks/exchange.js';
import type { ProfileContext } from '../run/context.js';
import type { CheckResult, Exchange } from '../report/results.js';
import { caseKey } from '../report/coverage.js';
import { checkEcho } from '../checks/echo.js';
import { baseExamples } from '../cases/negative.js';

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

function invoke(
  context: ProfileContext,
  replay: ReplayCase,
  ids: Map<string, string>,
): Promise<unknown> {
  const { client } = context;
  const example = replay.pathParams['webhook_id'] ?? '';
  const id = ids.get(example) ?? example;
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
 * against the contract. Stateless: against a spec mock each answer must be the documented example
 * (picked with `Prefer: code=…, example=…`); against a stateful server the answer to a create or
 * update must echo what was sent, a new webhook must be disabled (R8), and whatever the profile
 * created is deleted at the end.
 *
 * @example
 * ```ts
 * await runReplay(context); // one case per request example of context.document
 * ```
 */
export async function runReplay(context: ProfileContext): Promise<void> {
  const cases = collectReplayCases(context.document).sort(
    (a, b) => ORDER.indexOf(a.operationId) - ORDER.indexOf(b.operationId),
  );
  const drifted = driftedExamples(context.document);
  const created: string[] = [];
  const ids = await seedDocumentedWebhook(context, created);
  for (const replay of cases) await replayCase(context, replay, { drifted, ids, created });
  if (context.stateful) await cleanUp(context, created);
}

/** What the cases of a run share. */
interface ReplayState {
  /** The request examples that break their own schema or rules. */
  readonly drifted: Set<string>;
  /** The documented webhook id, mapped to the webhook the run seeded in its place. */
  readonly ids: Map<string, string>;
  /** Every webhook the run created and has not deleted. */
  readonly created: string[];
}

type ReplayWhere = Pick<CheckResult, 'profile' | 'case'> & { operation: OperationId };

/** The request examples that drift, as `<operation> body|param <example name>`. */
function driftedExamples(document: unknown): Set<string> {
  // A request example that breaks its own schema or rules is example drift, reported by the
  // examples checks; replaying it would only make the client refuse it and blame the run.
  return new Set(
    collectExamples(document)
      .filter((e) => e.location === 'request body' || e.location.startsWith('parameter '))
      .filter((e) => exampleDrift(e).length > 0)
      .map((e) => `${e.operationId} ${e.location === 'request body' ? 'body' : 'param'} ${e.name}`),
  );
}

/** Seeds a webhook for the documented id on a stateful server; returns the id mapping. */
async function seedDocumentedWebhook(
  context: ProfileContext,
  created: string[],
): Promise<Map<string, string>> {
  // A stateful server keeps what a run did: the documented webhook a run deleted is gone for
  // the next. So the cases that address it address a webhook the run seeds instead, made from
  // the registration example; the unknown id of the 404 cases stays as it is.
  const ids = new Map<string, string>();
  if (context.stateful && !context.preferHeader) {
    const { body, id: documentedId } = baseExamples(context.document);
    const seeded = await context.client.create(body as WebhookCreateRequest).catch(() => undefined);
    if (seeded) {
      ids.set(documentedId, seeded.id);
      created.push(seeded.id);
    }
  }
  return ids;
}

/** Replays one request example (or records why not) and checks the answer. */
async function replayCase(
  context: ProfileContext,
  replay: ReplayCase,
  { drifted, ids, created }: ReplayState,
): Promise<void> {
  const where = { profile: 'replay' as const, operation: replay.operationId, case: replay.name };
  const skipped = whyNotReplayed(context, replay, drifted);
  if (skipped !== undefined) {
    context.log.add({ ...where, check: 'replayed', outcome: 'skip', detail: skipped });
    return;
  }
  context.setPrefer(
    replay.responseExample
      ? `code=${replay.expectedStatus}, example=${replay.responseExample}`
      : `code=${replay.expectedStatus}`,
  );
  const mark = context.recording.mark();
  const error = await invoke(context, replay, ids).then(
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
    return;
  }
  context.exercised.add(caseKey(replay.operationId, replay.name));
  const body = checkExchange(context.log, where, exchange, replay.expectedStatus);
  checkAnswer(context, where, replay, exchange, body);
  trackCreated(replay, exchange, body, ids, created);
}

/** Why a case is skipped: its example drifts, or it needs a client secret the run lacks. */
function whyNotReplayed(
  context: ProfileContext,
  replay: ReplayCase,
  drifted: Set<string>,
): string | undefined {
  const broken = [
    replay.bodyExample && drifted.has(`${replay.operationId} body ${replay.bodyExample}`)
      ? `request body "${replay.bodyExample}"`
      : undefined,
    replay.paramExample && drifted.has(`${replay.operationId} param ${replay.paramExample}`)
      ? `parameter "${replay.paramExample}"`
      : undefined,
  ].filter((b): b is string => b !== undefined);
  if (broken.length > 0) return `example drift in ${broken.join(' and ')}: see the examples checks`;
  if (replay.operationId === 'issue_token' && !context.requestToken)
    return 'no client secret for this run (a given access token is used as is)';
  return undefined;
}

/** The case-specific checks: the mock's example, the echo of a write, and R8 on a create. */
function checkAnswer(
  context: ProfileContext,
  where: ReplayWhere,
  replay: ReplayCase,
  exchange: Exchange,
  body: unknown,
): void {
  if (context.preferHeader) {
    checkSpecMockAnswer(
      context.log,
      where,
      exchange,
      body,
      exchange.status === replay.expectedStatus ? replay.expectedBody : undefined,
    );
  }
  const writes = replay.operationId === 'create_webhook' || replay.operationId === 'update_webhook';
  if (context.stateful && writes && exchange.status < 300 && replay.body !== undefined) {
    checkEcho(context.log, where, replay.body, body);
  }
  if (context.stateful && replay.operationId === 'create_webhook' && exchange.status === 201) {
    const enabled = (body as { enabled?: unknown } | undefined)?.enabled;
    context.log.expect(
      where,
      'a new webhook is disabled (R8)',
      enabled === false,
      `enabled is ${String(enabled)}`,
    );
  }
}

/** Keeps `created` to what the run made and has not deleted yet. */
function trackCreated(
  replay: ReplayCase,
  exchange: Exchange,
  body: unknown,
  ids: Map<string, string>,
  created: string[],
): void {
  // A delete case that removed a seeded webhook leaves nothing to clean up.
  const deleted = ids.get(replay.pathParams['webhook_id'] ?? '');
  if (replay.operationId === 'delete_webhook' && exchange.status === 204 && deleted)
    created.splice(created.indexOf(deleted), 1);
  const id = (body as { id?: unknown } | undefined)?.id;
  if (replay.operationId === 'create_webhook' && exchange.status === 201 && typeof id === 'string')
    created.push(id);
}

/** Deletes what the run created on a stateful server. */
async function cleanUp(context: ProfileContext, created: readonly string[]): Promise<void> {
  for (const id of created) {
    const removed = await context.client.delete(id).then(
      () => true,
      () => false,
    );
    context.log.expect(
      { profile: 'replay', operation: 'delete_webhook', case: 'cleanup' },
      'what the run created is removed',
      removed,
      removed ? `deleted ${id}` : `could not delete ${id}: remove it by hand`,
    );
  }
}
