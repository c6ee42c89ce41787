import { randomUUID } from 'node:crypto';
import type { OperationId } from '../../generated/constants.js';
import { checkExchange } from '../checks/exchange.js';
import type { ProfileContext, RawRequest } from '../run/context.js';
import { createdId, deleteAll, sendScratch } from './scratch.js';

/** The registration example of the seed document, which the body cases break once each. */
const seed = {
  title: 'conformance enforcement',
  url: 'https://tenant.tld/webhooks/users',
  type: ['USER'],
  config: { delay: '2s', max_package_size: 51200 },
};

interface EnforcementCase {
  readonly name: string;
  readonly operation: OperationId;
  readonly expectedStatus: number;
  /** `target`: a webhook of the run's, for cases that must reach an existing one. */
  readonly request: (readToken: string | undefined, target: string) => RawRequest | undefined;
}

/**
 * What the server must refuse when a client does not stop it: requests without or with a wrong
 * token, a token without the needed scope, an `accept` it cannot serve, and bodies that break a
 * rule. Each must be answered with the documented error and a problem document; a body case the
 * server accepts is reported (it tells which documented rule the server does not enforce) and the
 * webhook it created is deleted.
 */
const cases: readonly EnforcementCase[] = [
  {
    name: 'no token',
    operation: 'list_webhooks',
    expectedStatus: 401,
    request: () => ({ method: 'GET', path: '/webhooks', token: null }),
  },
  {
    name: 'unknown token',
    operation: 'list_webhooks',
    expectedStatus: 401,
    request: () => ({ method: 'GET', path: '/webhooks', token: 'bm90LWEtdG9rZW4' }),
  },
  {
    name: 'read-only token on a delete',
    operation: 'delete_webhook',
    expectedStatus: 403,
    request: (readToken) =>
      readToken
        ? { method: 'DELETE', path: `/webhooks/${randomUUID()}`, token: readToken }
        : undefined,
  },
  {
    name: 'accept without JSON',
    operation: 'list_webhooks',
    expectedStatus: 406,
    request: () => ({ method: 'GET', path: '/webhooks', headers: { accept: 'application/pdf' } }),
  },
  ...(['*/*', 'application/*'] as const).map((accept): EnforcementCase => ({
    name: `accept ${accept}, which JSON satisfies`,
    operation: 'list_webhooks',
    expectedStatus: 200,
    request: () => ({ method: 'GET', path: '/webhooks?limit=1', headers: { accept } }),
  })),
  {
    name: 'limit above 1000',
    operation: 'list_webhooks',
    expectedStatus: 400,
    request: () => ({ method: 'GET', path: '/webhooks?limit=1001' }),
  },
  {
    name: 'an order in lower case (desc; the enum is ASC, DESC)',
    operation: 'list_webhooks',
    expectedStatus: 400,
    request: () => ({ method: 'GET', path: '/webhooks?sort=title&order=desc' }),
  },
  {
    name: 'a JSON body sent as text/plain',
    operation: 'create_webhook',
    expectedStatus: 400,
    request: () => ({
      method: 'POST',
      path: '/webhooks',
      body: new TextEncoder().encode(JSON.stringify(seed)),
      headers: { 'content-type': 'text/plain' },
    }),
  },
  {
    // The docs' PATCH example sends them; the update schema refuses them (facts §3.3).
    name: 'an update naming id, created_at and updated_at',
    operation: 'update_webhook',
    expectedStatus: 400,
    request: (_token, target) => ({
      method: 'PATCH',
      path: `/webhooks/${target}`,
      body: {
        id: target,
        created_at: '2021-07-21T14:10:00.00Z',
        updated_at: '2021-07-21T14:10:00.00Z',
        title: 'conformance enforcement renamed',
      },
    }),
  },
  ...(
    [
      ['http URL (R1)', { url: 'http://tenant.tld/webhooks/users' }],
      ['IP host (R2)', { url: 'https://192.168.0.1/webhooks' }],
      ['delay 31s (R5)', { config: { delay: '31s' } }],
      ['enabled on create (R8)', { enabled: true }],
      ['unknown category (R7)', { type: ['USERS'] }],
    ] as const
  ).map(([name, change]): EnforcementCase => ({
    name,
    operation: 'create_webhook',
    expectedStatus: 400,
    request: () => ({ method: 'POST', path: '/webhooks', body: { ...seed, ...change } }),
  })),
];

/**
 * `enforcement`: the server refuses what it must, whatever a client sends.
 *
 * @example
 * ```ts
 * await runEnforcement(context); // records into context.log
 * ```
 */
export async function runEnforcement(context: ProfileContext): Promise<void> {
  const readToken = await context.readOnlyToken?.();
  const created: string[] = [];
  try {
    const made = await context.sendRaw({ method: 'POST', path: '/webhooks', body: seed });
    const target = createdId(made);
    if (target) created.push(target);
    for (const each of cases)
      await enforce(context, each, readToken, target ?? randomUUID(), created);
  } finally {
    await deleteAll(context, created);
  }
}

async function enforce(
  context: ProfileContext,
  each: EnforcementCase,
  readToken: string | undefined,
  target: string,
  created: string[],
): Promise<void> {
  const where = { profile: 'enforcement' as const, operation: each.operation, case: each.name };
  const request = each.request(readToken, target);
  if (!request) {
    context.log.add({
      ...where,
      check: 'sent',
      outcome: 'skip',
      detail: 'needs a client secret to obtain a read-only token',
    });
    return;
  }
  // A create the server should have refused is deleted again, whatever the verdict.
  const exchange = await sendScratch(context, where, request, created);
  if (exchange) checkExchange(context.log, where, exchange, each.expectedStatus);
}
