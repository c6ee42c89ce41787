import { operations, type OperationId } from '../generated/constants.js';
import { validateCreateWebhook, validateUpdateWebhook } from '../src/validation/webhook.js';
import type { ValidationResult } from '../src/validation/issue.js';
import { schemaValidator } from './schemas.js';

type Node = Record<string, unknown>;

/** A named example of the spec, with where it sits. */
export interface SpecExample {
  readonly operationId: OperationId;
  readonly name: string;
  /** `request body`, `parameter webhook_id`, or `response 201`. */
  readonly location: string;
  /** The schema component the example documents, when it has one. */
  readonly schema: string | undefined;
  readonly value: unknown;
}

/** A request example paired by name with the response it should produce. */
export interface ReplayCase {
  readonly operationId: OperationId;
  readonly name: string;
  readonly body: unknown;
  readonly pathParams: Readonly<Record<string, string>>;
  readonly expectedStatus: number;
  /** The documented response body, when the spec gives one. */
  readonly expectedBody: unknown;
  /** The response example's name, for a spec mock's `Prefer` header; absent for body-less responses. */
  readonly responseExample: string | undefined;
}

function resolve(document: Node, value: unknown): Node {
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

/**
 * Every named example of every operation: request bodies, path parameters and responses.
 * Adding an example to the spec adds an entry here, and so a case.
 */
export function collectExamples(document: unknown): SpecExample[] {
  const doc = document as Node;
  const found: SpecExample[] = [];
  for (const operationId of Object.keys(operations) as OperationId[]) {
    const { operation, pathItem } = operationNode(doc, operationId);
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
    const firstBody = bodies.values().next().value;
    const firstParam = params[0];
    const pathFor = (name: string): Record<string, string> => {
      const param = params.find((e) => e.name === name) ?? firstParam;
      return param ? { [param.location.slice('parameter '.length)]: String(param.value) } : {};
    };

    const names =
      requestNames.size > 0
        ? [...requestNames]
        : responses.filter((r) => statusOf(r) < 300).map((r) => r.name);
    for (const name of names) {
      const response = responses.find((r) => r.name === name);
      cases.push({
        operationId,
        name,
        body: bodies.get(name) ?? (bodies.size > 0 ? firstBody : undefined),
        pathParams: pathFor(name),
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

/** Why an example disagrees with its own schema or the business rules; empty when it agrees. */
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
  const rules = example.location === 'request body' ? requestRules[example.operationId] : undefined;
  const result = rules?.(example.value);
  if (result && !result.ok)
    problems.push(...result.issues.map((issue) => `${issue.path || '/'} ${issue.code}`));
  return problems;
}
