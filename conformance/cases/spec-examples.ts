import { operations, type OperationId } from '../../generated/constants.js';
import {
  validateCreateWebhook,
  validateUpdateWebhook,
  validateWebhookId,
  type ValidationResult,
} from '../../src/index.js';
import { echoMismatches } from '../checks/echo.js';
import { schemaValidator } from './schemas.js';

type Node = Record<string, unknown>;

/**
 * The registration example of Upvest's guide, in the spec as the create request (and 201
 * response) example of this name: the webhook the lifecycle creates and the negative cases break.
 *
 * @example
 * ```ts
 * const body = collectExamples(openApiDocument).find((e) => e.name === REGISTRATION_EXAMPLE)?.value;
 * ```
 */
export const REGISTRATION_EXAMPLE = 'user_webhook_docs';

/**
 * A named example of the spec, with where it sits.
 *
 * @example
 * ```ts
 * const example: SpecExample = {
 *   operationId: 'retrieve_webhook',
 *   name: 'unknown_webhook',
 *   location: 'parameter webhook_id',
 *   schema: undefined,
 *   value: '00000000-0000-4000-8000-000000000000',
 * };
 * ```
 */
export interface SpecExample {
  /** An API operation, or the operationId of a spec webhook (`receive_delivery`). */
  readonly operationId: OperationId | (string & Record<never, never>);
  readonly name: string;
  /** `request body`, `parameter webhook_id`, or `response 201`. */
  readonly location: string;
  /** The schema component the example documents, when it has one. */
  readonly schema: string | undefined;
  readonly value: unknown;
}

/**
 * A request example paired by name with the response it should produce.
 *
 * @example
 * ```ts
 * const replay = collectReplayCases(openApiDocument).find((c) => c.name === 'unknown_webhook');
 * // { operationId: 'retrieve_webhook', pathParams: { webhook_id: '0000…' }, expectedStatus: 404, … }
 * ```
 */
export interface ReplayCase {
  readonly operationId: OperationId;
  readonly name: string;
  readonly body: unknown;
  /**
   * The name of the request-body example sent: this case's own, or the operation's first when the
   * case is a path-parameter example without a body of its name; undefined without a body.
   */
  readonly bodyExample: string | undefined;
  readonly pathParams: Readonly<Record<string, string>>;
  /** The name of the path-parameter example sent, chosen like `bodyExample`. */
  readonly paramExample: string | undefined;
  readonly expectedStatus: number;
  /** The documented response body, when the spec gives one. */
  readonly expectedBody: unknown;
  /** The response example's name, for a spec mock's `Prefer` header; absent for body-less responses. */
  readonly responseExample: string | undefined;
}

/**
 * Follows local `$ref`s (`#/components/…`) until a node that is not one.
 *
 * @example
 * ```ts
 * resolve(openApiDocument, { $ref: '#/components/schemas/WebhookTitle' }); // { type: 'string', maxLength: 100, … }
 * ```
 */
export function resolve(document: unknown, value: unknown): Node {
  const node = (value ?? {}) as Node;
  const ref = node['$ref'];
  if (typeof ref !== 'string') return node;
  const target = ref
    .slice(2)
    .split('/')
    .reduce<unknown>((current, token) => (current as Node | undefined)?.[token], document);
  return resolve(document, target);
}

function schemaOf(media: Node): string | undefined {
  const ref = (media['schema'] as Node | undefined)?.['$ref'];
  return typeof ref === 'string' ? ref.replace('#/components/schemas/', '') : undefined;
}

function examplesOf(node: Node): [string, unknown][] {
  return Object.entries((node['examples'] ?? {}) as Node).map(([name, example]) => [
    name,
    (example as Node)['value'],
  ]);
}

function operationNode(
  document: Node,
  operationId: OperationId,
): { operation: Node; pathItem: Node } {
  const { path, method } = operations[operationId];
  const pathItem = ((document['paths'] as Node)[path] ?? {}) as Node;
  return { operation: (pathItem[method.toLowerCase()] ?? {}) as Node, pathItem };
}

function examplesOfOperation(
  doc: Node,
  operationId: SpecExample['operationId'],
  operation: Node,
  pathItem: Node,
): SpecExample[] {
  const found: SpecExample[] = [];
  const requestBody = resolve(doc, operation['requestBody']);
  for (const media of Object.values((requestBody['content'] ?? {}) as Node)) {
    for (const [name, value] of examplesOf(media as Node)) {
      found.push({
        operationId,
        name,
        location: 'request body',
        schema: schemaOf(media as Node),
        value,
      });
    }
  }
  const parameters = [
    ...((pathItem['parameters'] ?? []) as unknown[]),
    ...((operation['parameters'] ?? []) as unknown[]),
  ].map((parameter) => resolve(doc, parameter));
  for (const parameter of parameters) {
    if (parameter['in'] !== 'path') continue;
    for (const [name, value] of examplesOf(parameter)) {
      found.push({
        operationId,
        name,
        location: `parameter ${String(parameter['name'])}`,
        schema: undefined,
        value,
      });
    }
  }
  for (const [status, response] of Object.entries((operation['responses'] ?? {}) as Node)) {
    for (const media of Object.values((resolve(doc, response)['content'] ?? {}) as Node)) {
      for (const [name, value] of examplesOf(media as Node)) {
        found.push({
          operationId,
          name,
          location: `response ${status}`,
          schema: schemaOf(media as Node),
          value,
        });
      }
    }
  }
  return found;
}

/**
 * Every named example of every operation (request bodies, path parameters and responses), and of
 * the spec's `webhooks` (the deliveries Upvest sends). Adding an example to the spec adds an
 * entry here, and so a case.
 *
 * @example
 * ```ts
 * collectExamples(openApiDocument).filter((e) => e.location === 'request body').length; // 5
 * ```
 */
export function collectExamples(document: unknown): SpecExample[] {
  const doc = document as Node;
  const found: SpecExample[] = [];
  for (const operationId of Object.keys(operations) as OperationId[]) {
    const { operation, pathItem } = operationNode(doc, operationId);
    found.push(...examplesOfOperation(doc, operationId, operation, pathItem));
  }
  for (const [name, pathItem] of Object.entries((doc['webhooks'] ?? {}) as Node)) {
    for (const [method, operation] of Object.entries(resolve(doc, pathItem))) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation))
        continue;
      const id = (operation as Node)['operationId'];
      found.push(
        ...examplesOfOperation(
          doc,
          typeof id === 'string' ? id : `webhook ${name} ${method}`,
          operation,
          pathItem as Node,
        ),
      );
    }
  }
  return found;
}

function successStatus(operationId: OperationId): number {
  return operations[operationId].responses.find((response) => response.status < 300)?.status ?? 200;
}

/**
 * Pairs request examples with response examples by name. A request-side example (body or path
 * parameter) named like a response example expects that response; one without a namesake expects
 * the operation's documented success (a 204 or 202 has no body to carry an example). Operations
 * without request-side examples replay each of their success examples with an empty request.
 *
 * @example
 * ```ts
 * for (const replay of collectReplayCases(openApiDocument)) {
 *   console.log(replay.operationId, replay.name, '->', replay.expectedStatus);
 * }
 * ```
 */
export function collectReplayCases(document: unknown): ReplayCase[] {
  const examples = collectExamples(document);
  const cases: ReplayCase[] = [];
  for (const operationId of Object.keys(operations) as OperationId[]) {
    const mine = examples.filter((example) => example.operationId === operationId);
    const bodies = new Map(
      mine.filter((e) => e.location === 'request body').map((e) => [e.name, e.value]),
    );
    const params = mine.filter((e) => e.location.startsWith('parameter '));
    const paramValues = new Map(params.map((e) => [e.name, e.value]));
    const responses = mine.filter((e) => e.location.startsWith('response '));
    const requestNames = new Set([...bodies.keys(), ...paramValues.keys()]);
    const firstBodyName = bodies.keys().next().value;
    const firstParam = params[0];
    const paramFor = (name: string) => params.find((e) => e.name === name) ?? firstParam;

    const names =
      requestNames.size > 0
        ? [...requestNames]
        : responses.filter((r) => statusOf(r) < 300).map((r) => r.name);
    for (const name of names) {
      const response = responses.find((r) => r.name === name);
      const bodyExample = bodies.has(name) ? name : firstBodyName;
      const param = paramFor(name);
      cases.push({
        operationId,
        name,
        body: bodyExample === undefined ? undefined : bodies.get(bodyExample),
        bodyExample,
        pathParams: param
          ? { [param.location.slice('parameter '.length)]: String(param.value) }
          : {},
        paramExample: param?.name,
        expectedStatus: response ? statusOf(response) : successStatus(operationId),
        expectedBody: response?.value,
        responseExample: response?.name,
      });
    }
  }
  return cases;
}

function statusOf(example: SpecExample): number {
  return Number(example.location.slice('response '.length));
}

/** The business rules that apply to a request example, beyond its schema. */
const requestRules: Partial<Record<OperationId, (value: unknown) => ValidationResult<unknown>>> = {
  create_webhook: validateCreateWebhook,
  update_webhook: validateUpdateWebhook,
};

/** What a path parameter's example must satisfy: the client's own check before sending. */
const parameterRules: Partial<Record<string, (value: unknown) => ValidationResult<unknown>>> = {
  webhook_id: validateWebhookId,
};

/**
 * Why an example disagrees with its own schema or the business rules; empty when it agrees.
 *
 * @example
 * ```ts
 * for (const example of collectExamples(document)) {
 *   const problems = exampleDrift(example);
 *   if (problems.length > 0) console.log(example.name, problems);
 * }
 * ```
 */
export function exampleDrift(example: SpecExample): string[] {
  const problems: string[] = [];
  if (example.schema !== undefined) {
    const validate = schemaValidator(example.schema);
    if (!validate) problems.push(`no generated validator for schema ${example.schema}`);
    else if (!validate(example.value)) {
      problems.push(
        ...(validate.errors ?? []).map(
          (error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`,
        ),
      );
    }
  }
  const rules =
    example.location === 'request body'
      ? requestRules[example.operationId as OperationId]
      : example.location.startsWith('parameter ')
        ? parameterRules[example.location.slice('parameter '.length)]
        : undefined;
  const result = rules?.(example.value);
  if (result && !result.ok)
    problems.push(...result.issues.map((issue) => `${issue.path || '/'} ${issue.code}`));
  return problems;
}

/**
 * Why a request example and the response example of the same name disagree with each other:
 * the documented answer to a create or update must echo what the request sent, and the documented
 * answer to a create must be disabled (R8). Empty when they agree; undefined when the case is not
 * such a pair (not a create or update, an error answer, or no body of the same name).
 *
 * @example
 * ```ts
 * for (const replay of collectReplayCases(document)) console.log(replay.name, pairDrift(replay));
 * ```
 */
export function pairDrift(replay: ReplayCase): string[] | undefined {
  if (replay.operationId !== 'create_webhook' && replay.operationId !== 'update_webhook')
    return undefined;
  if (replay.responseExample === undefined || replay.expectedStatus >= 300) return undefined;
  // Only a body of the same name is documented as producing this response.
  if (replay.body === undefined || replay.bodyExample !== replay.responseExample) return undefined;
  const problems = echoMismatches(replay.body, replay.expectedBody);
  const enabled = (replay.expectedBody as { enabled?: unknown } | null | undefined)?.enabled;
  if (replay.operationId === 'create_webhook' && enabled !== false)
    problems.push(`the created webhook is not disabled (R8): enabled is ${String(enabled)}`);
  return problems;
}
