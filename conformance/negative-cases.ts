import type { OperationId } from '../generated/constants.js';
import type { WebhooksClient } from '../src/client/webhooks-client.js';

/** An input that breaks one rule, the issue code the client must answer with, and how to send it. */
export interface NegativeCase {
  readonly name: string;
  readonly operation: OperationId;
  readonly expectedCode: string;
  readonly send: (client: WebhooksClient) => Promise<unknown>;
}

/** The registration example of the seed document, which every create case breaks once. */
const seed = {
  title: 'User webhook',
  url: 'https://tenant.tld/webhooks/users',
  type: ['USER'],
  config: { delay: '2s', max_package_size: 51200 },
};
const ID = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';

const create = (
  name: string,
  expectedCode: string,
  change: Record<string, unknown>,
): NegativeCase => ({
  name,
  operation: 'create_webhook',
  expectedCode,
  send: (client) => client.create({ ...seed, ...change } as never),
});
const createConfig = (name: string, expectedCode: string, config: Record<string, unknown>) =>
  create(name, expectedCode, { config: { ...seed.config, ...config } });
const update = (
  name: string,
  expectedCode: string,
  patch: Record<string, unknown>,
): NegativeCase => ({
  name,
  operation: 'update_webhook',
  expectedCode,
  send: (client) => client.update(ID, patch),
});

/**
 * Every business rule and schema constraint broken once, derived from the documented examples.
 * Each must be refused by the client before a single byte is sent.
 */
export const negativeCases: readonly NegativeCase[] = [
  create('http URL (R1)', 'url.scheme_not_https', { url: 'http://tenant.tld/webhooks/users' }),
  create('IPv4 host (R2)', 'url.ip_host', { url: 'https://192.168.0.1/webhooks' }),
  create('IPv4 host as one integer (R2)', 'url.ip_host', { url: 'https://3232235521/webhooks' }),
  create('IPv4 host in hex (R2)', 'url.ip_host', { url: 'https://0xC0.0xA8.0.1/webhooks' }),
  create('IPv6 host (R2)', 'url.ip_host', { url: 'https://[::1]/webhooks' }),
  create('IPv4-mapped IPv6 host (R2)', 'url.ip_host', {
    url: 'https://[::ffff:127.0.0.1]/webhooks',
  }),
  create('single-label host (R2)', 'url.single_label_host', { url: 'https://localhost/webhooks' }),
  create('user info in the URL', 'url.userinfo', { url: 'https://user:pass@tenant.tld/webhooks' }),
  create('fragment in the URL', 'url.fragment', { url: 'https://tenant.tld/webhooks#users' }),
  create('URL over 1000 characters', 'url.too_long', {
    url: `https://tenant.tld/${'u'.repeat(1000)}`,
  }),
  create('title over 100 characters (R9)', 'title.too_long', { title: 't'.repeat(101) }),
  createConfig('delay 0s (R5)', 'delay.malformed', { delay: '0s' }),
  createConfig('delay 31s (R5)', 'delay.above_maximum', { delay: '31s' }),
  createConfig('delay in minutes (R5)', 'delay.minutes_unit', { delay: '1m' }),
  createConfig('delay without unit (R5)', 'delay.malformed', { delay: '5' }),
  createConfig('max_package_size 99 (R6)', 'max_package_size.below_minimum', {
    max_package_size: 99,
  }),
  createConfig('max_package_size 1048577 (R6)', 'max_package_size.above_maximum', {
    max_package_size: 1048577,
  }),
  createConfig('max_package_size 1.5 (R6)', 'max_package_size.not_an_integer', {
    max_package_size: 1.5,
  }),
  create('unknown category (R7)', 'type.unknown_category', { type: ['USERS'] }),
  create('duplicate category (R7)', 'type.duplicate_category', { type: ['USER', 'USER'] }),
  create('empty category list (R7)', 'type.empty', { type: [] }),
  create('ALL with other categories (R7)', 'type.all_with_others', { type: ['ALL', 'USER'] }),
  create('enabled on create (R8)', 'schema.additionalProperties', { enabled: true }),
  create('extra property', 'schema.additionalProperties', { colour: 'red' }),
  {
    name: 'missing url',
    operation: 'create_webhook',
    expectedCode: 'schema.required',
    send: (client) => client.create({ title: 'User webhook' } as never),
  },
  {
    name: 'missing title',
    operation: 'create_webhook',
    expectedCode: 'schema.required',
    send: (client) => client.create({ url: seed.url } as never),
  },
  update('id in an update (docs example)', 'schema.additionalProperties', {
    id: ID,
    created_at: '2021-07-21T14:10:00.00Z',
  }),
  update('enabled as a string', 'schema.type', { enabled: 'true' }),
  update('http URL in an update (R1)', 'url.scheme_not_https', { url: 'http://tenant.tld/' }),
  {
    name: 'malformed webhook id',
    operation: 'retrieve_webhook',
    expectedCode: 'webhook_id.not_a_uuid',
    send: (client) => client.retrieve('../auth/token'),
  },
  {
    name: 'limit 1001',
    operation: 'list_webhooks',
    expectedCode: 'schema.maximum',
    send: (client) => client.list({ limit: 1001 }),
  },
  {
    name: 'unknown sort field',
    operation: 'list_webhooks',
    expectedCode: 'schema.enum',
    send: (client) => client.list({ sort: 'id' } as never),
  },
  {
    name: 'negative offset',
    operation: 'list_webhooks',
    expectedCode: 'schema.minimum',
    send: (client) => client.list({ offset: -1 }),
  },
];
