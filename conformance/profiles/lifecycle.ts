import { isDeepStrictEqual } from 'node:util';
import type { OperationId } from '../../generated/constants.js';
import type { Webhook, WebhookCreateRequest } from '../../src/index.js';
import { collectExamples, REGISTRATION_EXAMPLE } from '../cases/spec-examples.js';
import { checkExchange } from '../checks/exchange.js';
import type { ProfileContext } from '../run/context.js';
import type { CheckLog } from '../report/results.js';
import { checkEcho } from '../checks/echo.js';

/** Raised to stop the lifecycle after a step got the wrong answer. */
class StepFailed extends Error {}

const base = { profile: 'lifecycle' as const };
const createWhere = { ...base, operation: 'create_webhook' as const, case: 'create' };

/**
 * `lifecycle`: create -> retrieve -> list (walking pages) -> update -> enable -> test ->
 * disable -> delete -> retrieve gives 404. Whatever fails, the webhook it created is deleted, so
 * the profile is safe against a shared sandbox.
 *
 * @example
 * ```ts
 * await runLifecycle(context); // records into context.log; deletes what it created
 * ```
 */
export async function runLifecycle(context: ProfileContext): Promise<void> {
  const { client, log } = context;
  const input = registrationInput(context);
  if (!input) return;
  const { step, must } = stepsOf(context);

  let created: Webhook | undefined;
  let deleted = false;
  try {
    const create = await step('create_webhook', 'create', 201, () => client.create(input));
    created = create.body as Webhook | undefined;
    if (!create.ok || !created) return;
    checkCreated(log, input, created);
    const id = created.id;
    const lifecycle: Lifecycle = { context, step, must, id };

    await retrieveAndList(lifecycle, created);
    await updateAndEnable(lifecycle, input.title);
    await sendTest(lifecycle);
    await disable(lifecycle);

    const removal = await step('delete_webhook', 'delete', 204, () => client.delete(id));
    deleted = removal.ok;
    await step('retrieve_webhook', 'retrieve after delete', 404, () => client.retrieve(id));
  } catch (error) {
    // A failed step is already recorded; anything else is a defect of the run itself.
    if (!(error instanceof StepFailed)) throw error;
  } finally {
    if (created && !deleted) await cleanUp(context, created.id);
  }
}

/** The registration example to create with, or undefined (recorded as a failure) without one. */
function registrationInput(context: ProfileContext) {
  const example = collectExamples(context.document).find(
    (e) =>
      e.operationId === 'create_webhook' &&
      e.location === 'request body' &&
      e.name === REGISTRATION_EXAMPLE,
  );
  if (!example) {
    context.log.add({
      ...base,
      operation: 'create_webhook',
      case: 'create',
      check: 'example exists',
      outcome: 'fail',
      detail: `the spec has no create example ${REGISTRATION_EXAMPLE}`,
    });
    return undefined;
  }
  return {
    ...(example.value as WebhookCreateRequest),
    title: `conformance ${new Date().toISOString()}`,
    // Registered where the suite receives, so the test delivery can be checked.
    ...(context.deliveryUrl ? { url: context.deliveryUrl } : {}),
  };
}

/** Runs one step of the lifecycle, checking its exchanges. */
type Step = (
  operation: OperationId,
  name: string,
  expectedStatus: number,
  action: () => Promise<unknown>,
) => Promise<{ ok: boolean; body: unknown }>;

/** What the phases after the create share: the run, its steps, and the created webhook's id. */
interface Lifecycle {
  readonly context: ProfileContext;
  readonly step: Step;
  /** Like `step`, but stops the lifecycle when the step did not get its expected status. */
  readonly must: Step;
  readonly id: string;
}

/** The steps of a run: each records its exchanges' checks under the lifecycle profile. */
function stepsOf(context: ProfileContext): { step: Step; must: Step } {
  const { log, recording } = context;

  /** Runs one step, checks its single exchange, and returns the parsed body (or undefined). */
  async function step(
    operation: OperationId,
    name: string,
    expectedStatus: number,
    action: () => Promise<unknown>,
  ) {
    const where = { ...base, operation, case: name };
    const mark = recording.mark();
    const error = await action().then(
      () => undefined,
      (e: unknown) => e,
    );
    const exchanges = recording.since(mark);
    const last = exchanges.at(-1);
    if (!last) {
      log.add({
        ...where,
        check: 'request was sent',
        outcome: 'fail',
        detail: error instanceof Error ? error.message : String(error),
      });
      return { ok: false, body: undefined };
    }
    let body: unknown;
    for (const exchange of exchanges) body = checkExchange(log, where, exchange, expectedStatus);
    return { ok: last.status === expectedStatus, body };
  }

  /** Like `step`, but stops the lifecycle when the step did not get its expected status. */
  async function must(
    operation: OperationId,
    name: string,
    expectedStatus: number,
    action: () => Promise<unknown>,
  ) {
    const result = await step(operation, name, expectedStatus, action);
    if (!result.ok) throw new StepFailed();
    return result;
  }

  return { step, must };
}

/** The create's own checks: it echoes what was sent, and the new webhook is disabled. */
function checkCreated(log: CheckLog, input: WebhookCreateRequest, created: Webhook): void {
  checkEcho(log, createWhere, input, created);
  log.expect(
    createWhere,
    'a new webhook is disabled (R8)',
    created.enabled === false,
    `enabled is ${String(created.enabled)}`,
  );
}

/** Retrieve gives what create gave; walking the list pages finds it once. */
async function retrieveAndList({ context, must, id }: Lifecycle, created: Webhook) {
  const { client, log } = context;
  const retrieved = await must('retrieve_webhook', 'retrieve', 200, () => client.retrieve(id));
  log.expect(
    { ...base, operation: 'retrieve_webhook', case: 'retrieve' },
    'retrieve returns what create returned',
    isDeepStrictEqual(retrieved.body, created),
    'compared field by field',
  );

  const seen: string[] = [];
  await must('list_webhooks', 'list all pages', 200, async () => {
    for await (const webhook of client.listAll({ limit: 2 })) seen.push(webhook.id);
  });
  log.expect(
    { ...base, operation: 'list_webhooks', case: 'list all pages' },
    'the created webhook is listed',
    seen.includes(id),
    `${seen.length} webhooks listed`,
  );
  log.expect(
    { ...base, operation: 'list_webhooks', case: 'list all pages' },
    'no webhook is listed twice across pages',
    new Set(seen).size === seen.length,
    `${seen.length} listed, ${new Set(seen).size} distinct`,
  );
}

/** An update echoes its patch; enable sets `enabled`. */
async function updateAndEnable({ context, must, id }: Lifecycle, title: string) {
  const { client, log } = context;
  const patch = { title: `${title} (updated)` };
  const updated = await must('update_webhook', 'update', 200, () => client.update(id, patch));
  checkEcho(log, { ...base, operation: 'update_webhook', case: 'update' }, patch, updated.body);

  const enabled = await must('update_webhook', 'enable', 200, () => client.enable(id));
  log.expect(
    { ...base, operation: 'update_webhook', case: 'enable' },
    'enable sets enabled',
    (enabled.body as Webhook | undefined)?.enabled === true,
    'after PATCH enabled: true',
  );
}

/** A test is accepted, and its delivery checked when the suite can receive it. */
async function sendTest({ context, must, id }: Lifecycle) {
  const { client, log } = context;
  await must('test_webhook', 'test', 202, () => client.test(id));
  const testWhere = { ...base, operation: 'test_webhook' as const, case: 'test' };
  if (context.awaitTestDelivery) {
    const delivery = await context.awaitTestDelivery(id);
    log.expect(
      testWhere,
      'the test delivery arrives, signed with a key of /auth/verify_keys, and is a valid delivery',
      delivery.ok,
      delivery.detail,
    );
  } else {
    log.add({
      ...testWhere,
      check:
        'the test delivery arrives, signed with a key of /auth/verify_keys, and is a valid delivery',
      outcome: 'skip',
      detail:
        'the server cannot reach the suite: give a public HTTPS URL that forwards to a local port (--delivery-url and --delivery-port) to check deliveries',
    });
  }
}

/** Disable clears `enabled`. */
async function disable({ context, must, id }: Lifecycle) {
  const disabled = await must('update_webhook', 'disable', 200, () => context.client.disable(id));
  context.log.expect(
    { ...base, operation: 'update_webhook', case: 'disable' },
    'disable clears enabled',
    (disabled.body as Webhook | undefined)?.enabled === false,
    'after PATCH enabled: false',
  );
}

/** Deletes what the run created when the lifecycle stopped before its own delete. */
async function cleanUp({ client, log }: ProfileContext, id: string) {
  const cleaned = await client.delete(id).then(
    () => true,
    () => false,
  );
  log.expect(
    { ...base, operation: 'delete_webhook', case: 'cleanup' },
    'what the run created is removed',
    cleaned,
    cleaned ? `deleted ${id}` : `could not delete ${id}: remove it by hand`,
  );
}
