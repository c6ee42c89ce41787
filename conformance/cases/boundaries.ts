/**
 * Boundary cases derived from the spec and the rule table, in both directions: the valid values
 * at each edge must be accepted, the invalid ones just past it refused with 400. A constraint
 * added to `spec/openapi.yaml` (a `maxLength`, a `maximum`, an enum member, a required property)
 * brings its cases with it; only the business rules the schema cannot state (R1, R2, R5, R7) are
 * listed here, with their R-numbers.
 */
import type { OperationId } from '../../generated/constants.js';
import { webhookLimits } from '../../generated/constants.js';
import { resolve } from './spec-examples.js';

type Node = Record<string, unknown>;
type Body = Record<string, unknown>;

/**
 * One request body, or one list query, and whether the server must accept it.
 *
 * @example
 * ```ts
 * const atMax: BoundaryCase = { name: 'title of 100 characters', operation: 'create_webhook', accept: true, body: { … } };
 * ```
 */
export interface BoundaryCase {
  readonly name: string;
  readonly operation: OperationId;
  /** `true`: the server must accept it (201 / 200); `false`: refuse it with 400. */
  readonly accept: boolean;
  /** A create or update body. */
  readonly body?: unknown;
  /** A list query string, without `?`. */
  readonly query?: string;
  /** Where the case comes from: the schema keyword or the rule. */
  readonly source: string;
}

/** A string of `length` code points that is valid wherever the schema only bounds the length. */
function textOf(length: number): string {
  return 'b'.repeat(length);
}

/** A URL of exactly `length` code points, valid under R1 and R2. */
function urlOf(length: number): string {
  const base = 'https://tenant.tld/';
  return `${base}${'p'.repeat(Math.max(0, length - base.length))}`;
}

function valueOfLength(schema: Node, length: number): string {
  return schema['format'] === 'uri' ? urlOf(length) : textOf(length);
}

/** Sets `value` at `path` in a copy of `body` (`undefined` removes it). */
function withValue(body: Body, path: readonly string[], value: unknown): Body {
  const [head, ...rest] = path;
  if (head === undefined) return body;
  const copy: Body = { ...body };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  copy[head] = withValue((body[head] ?? {}) as Body, rest, value);
  return copy;
}

/** One edge of one property: where, what value (or an unknown member added), and the verdict owed. */
interface Edge {
  readonly path: readonly string[];
  /** The value to set, or {@link UNKNOWN_MEMBER} to add a member the schema does not know. */
  readonly value: unknown;
  readonly accept: boolean;
  readonly source: string;
  readonly what: string;
}

const UNKNOWN_MEMBER = Symbol('an unknown member');

/** The edges of one property, from its schema keywords. */
function edgesOf(document: unknown, schemaNode: unknown, path: readonly string[]): Edge[] {
  const schema = resolve(document, schemaNode);
  const name = path.join('.');
  const out: Edge[] = [];
  const edge = (value: unknown, accept: boolean, source: string, what: string) =>
    out.push({ path, value, accept, source, what });
  const type = schema['type'];
  if (type === 'string') {
    if (typeof schema['maxLength'] === 'number') {
      const max = schema['maxLength'];
      edge(valueOfLength(schema, max), true, 'maxLength', `${name} of exactly ${max} characters`);
      edge(valueOfLength(schema, max + 1), false, 'maxLength', `${name} of ${max + 1} characters`);
    }
    if (typeof schema['minLength'] === 'number' && schema['minLength'] > 0) {
      const min = schema['minLength'];
      edge(valueOfLength(schema, min), true, 'minLength', `${name} of exactly ${min} characters`);
      edge(valueOfLength(schema, min - 1), false, 'minLength', `${name} of ${min - 1} characters`);
    }
    if (schema['format'] === 'uri') edge('not a url', false, 'format', `${name} that is not a URI`);
    if (typeof schema['pattern'] === 'string')
      edge('', false, 'pattern', `${name} that breaks its pattern`);
    if (Array.isArray(schema['enum'])) {
      for (const member of schema['enum']) edge(member, true, 'enum', `${name} ${String(member)}`);
      edge('NOT_A_MEMBER', false, 'enum', `${name} outside the enum`);
    }
    edge(1, false, 'type', `${name} that is a number`);
  }
  if (type === 'integer') {
    const min = schema['minimum'];
    const max = schema['maximum'];
    if (typeof min === 'number') {
      edge(min, true, 'minimum', `${name} at its minimum ${min}`);
      edge(min - 1, false, 'minimum', `${name} of ${min - 1}, below its minimum`);
    }
    if (typeof max === 'number') {
      edge(max, true, 'maximum', `${name} at its maximum ${max}`);
      edge(max + 1, false, 'maximum', `${name} of ${max + 1}, above its maximum`);
    }
    const low = typeof min === 'number' ? min : 0;
    edge(low + 0.5, false, 'type', `${name} that is not a whole number`);
    edge(String(low), false, 'type', `${name} written as a string`);
  }
  if (type === 'boolean') {
    edge(true, true, 'type', `${name} true`);
    edge(false, true, 'type', `${name} false`);
    edge('true', false, 'type', `${name} written as a string`);
  }
  if (type === 'array') {
    const items = resolve(document, schema['items']);
    if (Array.isArray(items['enum'])) {
      for (const member of items['enum'])
        edge([member], true, 'items.enum', `${name} [${String(member)}]`);
      edge(['NOT_A_MEMBER'], false, 'items.enum', `${name} with a member outside the enum`);
    }
    edge('ALL', false, 'type', `${name} that is not an array`);
  }
  if (type === 'object') {
    for (const [child, childSchema] of Object.entries((schema['properties'] ?? {}) as Node))
      out.push(...edgesOf(document, childSchema, [...path, child]));
    if (schema['additionalProperties'] === false)
      edge(UNKNOWN_MEMBER, false, 'additionalProperties', `${name} with an unknown member`);
    edge('{}', false, 'type', `${name} that is not an object`);
  }
  return out;
}

function valueAt(body: Body, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Body | undefined)?.[key], body);
}

/**
 * The business rules the schema cannot express, from the rule table (docs/client.md "Validators and
 * rules"), as changes to a valid body: what must be accepted at each edge and refused past it.
 */
function ruleCases(withInSeed: (path: string[], value: unknown) => Body) {
  return [
    {
      name: 'delay 1s, the shortest (R5)',
      accept: true,
      body: withInSeed(['config', 'delay'], '1s'),
    },
    {
      name: `delay ${webhookLimits.delaySeconds.maximum}s, the longest (R5)`,
      accept: true,
      body: withInSeed(['config', 'delay'], `${webhookLimits.delaySeconds.maximum}s`),
    },
    {
      name: `delay ${webhookLimits.delaySeconds.maximum + 1}s, past the longest (R5)`,
      accept: false,
      body: withInSeed(['config', 'delay'], `${webhookLimits.delaySeconds.maximum + 1}s`),
    },
    { name: 'delay 0s (R5, pattern)', accept: false, body: withInSeed(['config', 'delay'], '0s') },
    { name: 'delay in minutes (R5)', accept: false, body: withInSeed(['config', 'delay'], '1m') },
    {
      name: 'an http URL (R1)',
      accept: false,
      body: withInSeed(['url'], 'http://tenant.tld/webhooks/users'),
    },
    {
      name: 'an IP host (R2)',
      accept: false,
      body: withInSeed(['url'], 'https://192.0.2.10/webhooks'),
    },
    {
      name: 'a localhost URL (R2)',
      accept: false,
      body: withInSeed(['url'], 'https://localhost/webhooks'),
    },
    {
      name: 'ALL with another category (R7)',
      accept: false,
      body: withInSeed(['type'], ['ALL', 'USER']),
    },
    {
      name: 'a category listed twice (R7, our rule)',
      accept: false,
      body: withInSeed(['type'], ['USER', 'USER']),
    },
    { name: 'no category at all (R7, our rule)', accept: false, body: withInSeed(['type'], []) },
    {
      name: 'several categories (R7)',
      accept: true,
      body: withInSeed(['type'], ['USER', 'ORDER', 'ACCOUNT']),
    },
    {
      name: 'a URL with a port',
      accept: true,
      body: withInSeed(['url'], 'https://tenant.tld:8443/webhooks/users'),
    },
    {
      name: 'a URL with a query string',
      accept: true,
      body: withInSeed(['url'], 'https://tenant.tld/webhooks?source=upvest&v=1'),
    },
    {
      name: 'a punycode host',
      accept: true,
      body: withInSeed(['url'], 'https://hooks.xn--bcher-kva.tld/upvest'),
    },
    {
      name: 'a non-ASCII title',
      accept: true,
      body: withInSeed(['title'], 'Café ☕ Übersicht 日本'),
    },
    {
      name: 'an empty title (the schema allows it)',
      accept: true,
      body: withInSeed(['title'], ''),
    },
  ];
}

/**
 * Every boundary case of the create and update bodies and the list query, derived from the
 * document: `seed` is a valid create body (the registration example) that each case changes in
 * one place.
 *
 * @example
 * ```ts
 * const cases = boundaryCasesFor(openApiDocument, seed);
 * cases.filter((c) => !c.accept).length; // the refusals the server owes
 * ```
 */
export function boundaryCasesFor(document: unknown, seed: Body): BoundaryCase[] {
  const components = ((document as Node)['components'] ?? {}) as Node;
  const schemas = (components['schemas'] ?? {}) as Node;
  const out: BoundaryCase[] = [];
  for (const [operation, verb, schemaName] of [
    ['create_webhook', 'create', 'WebhookCreateRequest'],
    ['update_webhook', 'update', 'WebhookUpdateRequest'],
  ] as const) {
    const schema = resolve(document, schemas[schemaName]);
    // A create changes the seed in one place; an update sends only the member it changes.
    const base: Body = operation === 'create_webhook' ? seed : {};
    for (const [property, propertySchema] of Object.entries((schema['properties'] ?? {}) as Node)) {
      for (const edge of edgesOf(document, propertySchema, [property])) {
        const start =
          edge.path.length > 1 && operation === 'update_webhook'
            ? { [property]: seed[property] ?? {} }
            : base;
        const value =
          edge.value === UNKNOWN_MEMBER
            ? { ...((valueAt(seed, edge.path) ?? {}) as Body), x_unknown: 1 }
            : edge.value;
        out.push({
          name: `${verb} with ${edge.what}`,
          operation,
          accept: edge.accept,
          body: withValue(start, edge.path, value),
          source: edge.source,
        });
      }
    }
    for (const required of (schema['required'] ?? []) as string[]) {
      out.push({
        name: `${verb} without ${required}`,
        operation,
        accept: false,
        body: withValue(base, [required], undefined),
        source: 'required',
      });
    }
    if (schema['additionalProperties'] === false) {
      out.push({
        name: `${verb} with an unknown property`,
        operation,
        accept: false,
        body: { ...base, x_unknown: 1 },
        source: 'additionalProperties',
      });
    }
  }
  for (const rule of ruleCases((path, value) => withValue(seed, path, value))) {
    out.push({
      name: `create with ${rule.name}`,
      operation: 'create_webhook',
      accept: rule.accept,
      body: rule.body,
      source: 'rule',
    });
  }
  const list = operationsOf(document)['list_webhooks'] ?? {};
  for (const parameter of (list['parameters'] ?? []) as unknown[]) {
    const node = resolve(document, parameter);
    if (node['in'] !== 'query' || typeof node['name'] !== 'string') continue;
    const name = node['name'];
    for (const edge of edgesOf(document, node['schema'], [name])) {
      // Every query value is text: "a number written as a string" is the number itself there.
      if (edge.source === 'type' && typeof edge.value === 'string' && /^\d+$/.test(edge.value))
        continue;
      if (edge.source === 'type' && typeof edge.value === 'number' && Number.isInteger(edge.value))
        continue;
      out.push({
        name: `list with ${edge.what}`,
        operation: 'list_webhooks',
        accept: edge.accept,
        query: `${encodeURIComponent(name)}=${encodeURIComponent(String(edge.value))}`,
        source: edge.source,
      });
    }
  }
  return out;
}

/** Operations of the document by id. */
function operationsOf(document: unknown): Record<string, Node> {
  const byId: Record<string, Node> = {};
  for (const pathItem of Object.values(((document as Node)['paths'] ?? {}) as Node)) {
    for (const operation of Object.values(pathItem as Node)) {
      const id = (operation as Node)?.['operationId'];
      if (typeof id === 'string') byId[id] = operation as Node;
    }
  }
  return byId;
}
