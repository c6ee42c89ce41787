// The mock's operations of the API: what each one does and answers once its request has passed
// the checks every request gets (mock-server.ts), and the check that the answer keeps to the
// contract before it is sent.
import { operations, type OperationId } from '../../generated/constants.js';
import { schemaValidators } from '../../generated/validators.js';
import type { JsonWebKeySet, Webhook } from '../types.js';
import {
  validateCreateWebhook,
  validateListQuery,
  validateUpdateWebhook,
  validateWebhookId,
  type RuleOptions,
} from '../validation/webhook.js';
import type { Answer } from './mock-answers.js';
import type { TestDeliveries } from './mock-deliveries.js';
import { problems } from './mock-problem.js';
import { parseFormBody, parseJsonBody, parseListQuery } from './mock-request.js';
import type { MockState } from './mock-state.js';
import { exchangeClientCredentials, type TokenStore } from './mock-tokens.js';

/** What an operation's handler gets: the path's id, the URL, the flattened headers, the body. */
interface OperationRequest {
  readonly id: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/**
 * The part of a running mock its operations act on. The mock's whole context (mock-server.ts)
 * extends it; the options are the caller's own object, read when a request needs them.
 */
export interface OperationContext {
  readonly options: {
    readonly rules?: RuleOptions;
    readonly onTestRequested?: (webhook: Webhook) => void | Promise<void>;
  };
  readonly settings: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly verifyKeys: JsonWebKeySet | undefined;
  };
  readonly state: MockState;
  readonly tokens: TokenStore;
  readonly deliveries: TestDeliveries;
}

/** The id of a path; a malformed one names no webhook, hence 404 (no operation declares 400 for it). */
function existing(context: OperationContext, id: string): Webhook {
  // A malformed id is not echoed: whatever was put in its place (a token?) stays out of answers.
  if (!validateWebhookId(id).ok) throw problems.notFound('the webhook id is not a UUID');
  const webhook = context.state.get(id);
  if (!webhook) throw problems.notFound(`no webhook has the id ${id}`);
  return webhook;
}

// One handler per operation id of the spec: a new operation in spec/openapi.yaml does not
// compile until it has one here.
const handlers: {
  readonly [Id in OperationId]: (
    context: OperationContext,
    request: OperationRequest,
  ) => Answer | Promise<Answer>;
} = {
  issue_token: ({ settings, tokens }, { headers, body }) => {
    const { clientId, clientSecret } = settings;
    const form = parseFormBody(headers, body);
    const answer = exchangeClientCredentials(
      form,
      headers['upvest-client-id'],
      { clientId, clientSecret },
      tokens,
    );
    return { status: 200, body: answer };
  },
  get_jwks: ({ settings, deliveries }) => ({
    status: 200,
    body: settings.verifyKeys ?? deliveries.keys.jwks,
  }),
  list_webhooks: ({ state }, { url }) => {
    const query = validateListQuery(parseListQuery(url));
    if (!query.ok) throw problems.badRequest('the query is invalid', query.issues);
    return { status: 200, body: state.list(query.value) };
  },
  create_webhook: ({ options, state }, { headers, body }) => {
    const input = validateCreateWebhook(parseJsonBody(headers, body), options.rules);
    if (!input.ok) throw problems.badRequest('the webhook is invalid', input.issues);
    return { status: 201, body: state.create(input.value) };
  },
  retrieve_webhook: (context, { id }) => ({ status: 200, body: existing(context, id) }),
  update_webhook: (context, { id, headers, body }) => {
    // The body is judged before the id (400 before 404), as the spec lists them.
    const input = validateUpdateWebhook(parseJsonBody(headers, body), context.options.rules);
    if (!input.ok) throw problems.badRequest('the webhook update is invalid', input.issues);
    existing(context, id);
    return { status: 200, body: context.state.update(id, input.value) };
  },
  delete_webhook: (context, { id }) => {
    existing(context, id);
    context.state.delete(id);
    return { status: 204 };
  },
  test_webhook: async (context, { id }) => {
    const webhook = existing(context, id);
    await context.options.onTestRequested?.(webhook);
    context.deliveries.deliver(webhook);
    return { status: 202 };
  },
};

/** Carries out an operation whose request passed every check; throws a MockProblem to refuse. */
export function answerOperation(
  context: OperationContext,
  operationId: OperationId,
  request: OperationRequest,
): Answer | Promise<Answer> {
  return handlers[operationId](context, request);
}

/**
 * The mock's own answer must be one the operation documents, with a body its schema accepts:
 * a mock that answered outside the contract would let a client's bug pass. A breach is a bug
 * of the mock and answers 500.
 */
export function checkAnswer(operationId: OperationId, answer: Answer): void {
  const documented = operations[operationId].responses.find(
    (response) => response.status === answer.status,
  );
  if (!documented) throw problems.internal(`the mock answered an undocumented ${answer.status}`);
  const schema = documented.schema;
  if (schema === null) {
    if (answer.body !== undefined) throw problems.internal('the mock answered a body with none');
    return;
  }
  if (!schemaValidators[schema](answer.body)) {
    throw problems.internal(`the mock's answer broke the ${schema} schema`);
  }
}
