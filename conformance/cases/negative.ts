import type { OperationId } from '../../generated/constants.js';
import { openApiDocument } from '../../generated/spec.js';
import { type WebhooksClient, type WebhookCreateRequest } from '../../src/index.js';
import { collectExamples, REGISTRATION_EXAMPLE } from './spec-examples.js';

/**
 * An input that breaks one rule, the issue code the client must answer with, and how to send it.
 *
 * @example
 * ```ts
 * const http = negativeCases.find((c) => c.expectedCode === 'url.scheme_not_https');
 * await http?.send(client); // rejects with UpvestValidationError, nothing is sent
 * ```
 */
export interface NegativeCase {
  readonly name: string;
  readonly operation: OperationId;
  readonly expectedCode: string;
  /** What is handed to the client: a body, a list query, or a webhook id. */
  readonly input: unknown;
  /** Makes the call with the client; it must reject before anything is sent. */
  readonly send: (client: WebhooksClient) => Promise<unknown>;
}

type Body = Record<string, unknown>;

/** The examples the cases break: the registration body and the documented webhook id. */
export function baseExamples(document: unknown): { body: Body; id: string } {
  const examples = collectExamples(document);
  const bodies = examples.filter(
    (e) => e.operationId === 'create_webhook' && e.location === 'request body',
  );
  const body = (bodies.find((e) => e.name === REGISTRATION_EXAMPLE) ?? bodies[0])?.value;
  const ids = examples.filter(
    (e) => e.operationId === 'retrieve_webhook' && e.location === 'parameter webhook_id',
  );
  const id = (ids.find((e) => e.name === 'documented_webhook') ?? ids[0])?.value;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error('the spec has no create_webhook request example to derive negative cases from');
  if (typeof id !== 'string')
    throw new Error('the spec has no webhook_id example to derive negative cases from');
  return { body: body as Body, id };
}

/**
 * Every business rule and schema constraint broken once, derived from the spec's own examples:
 * the registration example (`user_webhook_docs`) with one field broken, the documented webhook id
 * for updates. Each must be refused by the client before a single byte is sent. Throws when the
 * document lacks those examples.
 *
 * @example
 * ```ts
 * for (const negative of negativeCasesFor(openApiDocument)) console.log(negative.name, negative.expectedCode);
 * ```
 */
export function negativeCasesFor(document: unknown): NegativeCase[] {
  const build = caseBuilders(baseExamples(document));
  return [
    ...urlCases(build),
    ...fieldCases(build),
    ...schemaCases(build),
    ...webhookIdAndListCases(build),
  ];
}

/** Makes cases from the seed examples, each with one thing broken. */
function caseBuilders({ body: seed, id }: { body: Body; id: string }) {
  const seedConfig = (seed['config'] ?? {}) as Body;

  const create = (name: string, expectedCode: string, change: Body): NegativeCase => {
    const input = { ...seed, ...change };
    return {
      name,
      operation: 'create_webhook',
      expectedCode,
      input,
      send: (client) => client.create(input as WebhookCreateRequest),
    };
  };
  const createWithout = (name: string, field: string): NegativeCase => {
    const input = Object.fromEntries(Object.entries(seed).filter(([key]) => key !== field));
    return {
      name,
      operation: 'create_webhook',
      expectedCode: 'schema.required',
      input,
      send: (client) => client.create(input as WebhookCreateRequest),
    };
  };
  const createConfig = (name: string, expectedCode: string, config: Body) =>
    create(name, expectedCode, { config: { ...seedConfig, ...config } });
  const update = (name: string, expectedCode: string, patch: Body): NegativeCase => ({
    name,
    operation: 'update_webhook',
    expectedCode,
    input: patch,
    send: (client) => client.update(id, patch),
  });
  const list = (name: string, expectedCode: string, query: Body): NegativeCase => ({
    name,
    operation: 'list_webhooks',
    expectedCode,
    input: query,
    send: (client) => client.list(query),
  });
  const webhookId = (
    name: string,
    operation: OperationId,
    value: string,
    send: (client: WebhooksClient) => Promise<unknown>,
  ): NegativeCase => ({
    name,
    operation,
    expectedCode: 'webhook_id.not_a_uuid',
    input: value,
    send,
  });

  return { id, create, createWithout, createConfig, update, list, webhookId };
}

type CaseBuilders = ReturnType<typeof caseBuilders>;

/** The url rules broken on create. */
function urlCases({ create }: CaseBuilders): NegativeCase[] {
  return [
    // url (R1, R2 and the schema's string, URI and length constraints)
    create('http URL (R1)', 'url.scheme_not_https', { url: 'http://tenant.tld/webhooks/users' }),
    create('user info in the URL (R1)', 'url.userinfo', {
      url: 'https://user:pass@tenant.tld/webhooks',
    }),
    create('fragment in the URL (R1)', 'url.fragment', {
      url: 'https://tenant.tld/webhooks#users',
    }),
    create('white space in the URL (R1)', 'url.whitespace_or_control', {
      url: 'https://tenant.tld/web hooks',
    }),
    create('IPv4 host (R2)', 'url.ip_host', { url: 'https://192.168.0.1/webhooks' }),
    create('IPv4 host as one integer (R2)', 'url.ip_host', { url: 'https://3232235521/webhooks' }),
    create('IPv4 host in hex (R2)', 'url.ip_host', { url: 'https://0xC0.0xA8.0.1/webhooks' }),
    create('IPv6 host (R2)', 'url.ip_host', { url: 'https://[::1]/webhooks' }),
    create('IPv4-mapped IPv6 host (R2)', 'url.ip_host', {
      url: 'https://[::ffff:127.0.0.1]/webhooks',
    }),
    create('single-label host (R2)', 'url.single_label_host', {
      url: 'https://localhost/webhooks',
    }),
    create('reserved host name (R2)', 'url.reserved_host', {
      url: 'https://hooks.internal/webhooks',
    }),
    create('malformed host name (R2)', 'url.invalid_host', {
      url: 'https://-tenant.tld/webhooks',
    }),
    create('URL without a host', 'url.malformed', { url: 'https://' }),
    create('URL not a string', 'url.not_a_string', { url: 42 }),
    create('URL over 1000 characters', 'url.too_long', {
      url: `https://tenant.tld/${'u'.repeat(1000)}`,
    }),
  ];
}

/** The title, config and type rules broken on create. */
function fieldCases({ create, createConfig }: CaseBuilders): NegativeCase[] {
  return [
    // title (R9 and the schema)
    create('title over 100 characters (R9)', 'title.too_long', { title: 't'.repeat(101) }),
    create('title not a string (R9)', 'title.not_a_string', { title: 42 }),
    // delay (R5)
    createConfig('delay 0s (R5)', 'delay.malformed', { delay: '0s' }),
    createConfig('delay 31s (R5)', 'delay.above_maximum', { delay: '31s' }),
    createConfig('delay in minutes (R5)', 'delay.minutes_unit', { delay: '1m' }),
    createConfig('delay without unit (R5)', 'delay.malformed', { delay: '5' }),
    createConfig('delay not a string (R5)', 'delay.not_a_string', { delay: 5 }),
    // max_package_size (R6)
    createConfig('max_package_size 99 (R6)', 'max_package_size.below_minimum', {
      max_package_size: 99,
    }),
    createConfig('max_package_size 1048577 (R6)', 'max_package_size.above_maximum', {
      max_package_size: 1048577,
    }),
    createConfig('max_package_size 1.5 (R6)', 'max_package_size.not_an_integer', {
      max_package_size: 1.5,
    }),
    // type (R7)
    create('unknown category (R7)', 'type.unknown_category', { type: ['USERS'] }),
    create('duplicate category (R7)', 'type.duplicate_category', { type: ['USER', 'USER'] }),
    create('empty category list (R7)', 'type.empty', { type: [] }),
    create('ALL with other categories (R7)', 'type.all_with_others', { type: ['ALL', 'USER'] }),
    create('categories not a list (R7)', 'type.not_an_array', { type: 'USER' }),
  ];
}

/** The create and update schemas broken. */
function schemaCases({ id, create, createWithout, update }: CaseBuilders): NegativeCase[] {
  return [
    // the create schema
    create('enabled on create (R8)', 'schema.additionalProperties', { enabled: true }),
    create('extra property', 'schema.additionalProperties', { colour: 'red' }),
    createWithout('missing url', 'url'),
    createWithout('missing title', 'title'),
    // the update schema
    update('id in an update (docs example)', 'schema.additionalProperties', {
      id,
      created_at: '2021-07-21T14:10:00.00Z',
    }),
    update('enabled as a string', 'schema.type', { enabled: 'true' }),
    update('http URL in an update (R1)', 'url.scheme_not_https', { url: 'http://tenant.tld/' }),
    update('delay 31s in an update (R5)', 'delay.above_maximum', { config: { delay: '31s' } }),
  ];
}

/** Bad webhook ids for every operation that takes one, and bad list queries. */
function webhookIdAndListCases({ id, webhookId, list }: CaseBuilders): NegativeCase[] {
  return [
    // the webhook id of every operation that takes one
    webhookId('webhook id with a path', 'retrieve_webhook', '../auth/token', (client) =>
      client.retrieve('../auth/token'),
    ),
    webhookId('webhook id not a UUID in an update', 'update_webhook', 'not-a-uuid', (client) =>
      client.update('not-a-uuid', { enabled: true }),
    ),
    webhookId('webhook id not a UUID in a delete', 'delete_webhook', '', (client) =>
      client.delete(''),
    ),
    webhookId('webhook id not a UUID in a test', 'test_webhook', `${id}x`, (client) =>
      client.test(`${id}x`),
    ),
    // the list query
    list('limit 1001', 'schema.maximum', { limit: 1001 }),
    list('unknown sort field', 'schema.enum', { sort: 'id' }),
    list('unknown order', 'schema.enum', { order: 'UP' }),
    list('negative offset', 'schema.minimum', { offset: -1 }),
  ];
}

/**
 * {@link negativeCasesFor} the package's own spec.
 *
 * @example
 * ```ts
 * console.log(negativeCases.map((c) => `${c.name}: ${c.expectedCode}`).join('\n'));
 * ```
 */
export const negativeCases: readonly NegativeCase[] = negativeCasesFor(openApiDocument);
