import { randomUUID } from 'node:crypto';
import type { OperationId } from '../../generated/constants.js';
import { checkExchange } from '../checks/exchange.js';
import type { ProfileContext, RawRequest } from '../run/context.js';

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
  readonly request: (readToken: string | undefined) => RawRequest | undefined;
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
  {
    name: 'limit above 1000',
    operation: 'list_webhooks',
    expectedStatus: 400,
    request: () => ({ method: 'GET', path: '/webhooks?limit=1001' }),
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
  for (const each of cases) {
    const where = { profile: 'enforcement' as const, operation: each.operation, case: each.name };
    const request = each.request(readToken);
    if (!request) {
      context.log.add({
        ...where,
        check: 'sent',
        outcome: 'skip',
        detail: 'needs a client secret to obtain a read-only token',
      });
      continue;
    }
    const exchange = await context.sendRaw(request);
    if (!exchange) {
      context.log.add({
        ...where,
        check: 'request was sent',
        outcome: 'fail',
        detail: 'no answer',
      });
      continue;
    }
    const body = checkExchange(context.log, where, exchange, each.expectedStatus);
    const id = (body as { id?: unknown } | undefined)?.id;
    if (each.operation === 'create_webhook' && exchange.status === 201 && typeof id === 'string') {
      await context.client.delete(id).catch(() => undefined);
    }
  }
}
