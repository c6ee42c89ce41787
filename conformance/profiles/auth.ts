import { randomUUID } from 'node:crypto';
import type { OperationId } from '../../generated/constants.js';
import {
  type RequestSigner,
  createUpvestSigner,
  UPVEST_SIGNATURE_VERSION,
} from '../../src/index.js';
import { contentDigest } from '../../src/signing/index.js';
import { signRequest } from '../../src/signing/index.js';
import { checkExchange } from '../checks/exchange.js';
import { createdId, deleteAll } from './scratch.js';
import type { ProfileContext, RawRequest, WireRequest } from '../run/context.js';
import { baseExamples } from '../cases/negative.js';

type Key = NonNullable<ProfileContext['signingKey']>;

/** One attack: the request, and the status the API documents for refusing it. */
interface Attack {
  readonly name: string;
  readonly operation: OperationId;
  /** The documented refusal (facts: 400 "Missing Client ID", 401 unauthorised, 403 forbidden). */
  readonly documented: number;
  /** Undefined when the run lacks what the attack needs; `skip` says what. */
  readonly request: (inputs: AttackInputs) => RawRequest | undefined;
  readonly skip?: string;
}

interface AttackInputs {
  readonly seed: Record<string, unknown>;
  readonly key: Key | undefined;
  readonly readToken: string | undefined;
  readonly webhookId: string;
}

const now = () => Math.floor(Date.now() / 1000);

/** A v15 signer whose clock is `offset` seconds off. */
const signerAt = (key: Key, offset: number): RequestSigner =>
  createUpvestSigner({ ...key, now: () => now() + offset });

/** A signer that covers only `components`, leaving out what the v15 profile requires. */
const signerCovering =
  (key: Key, components: string[]): RequestSigner =>
  ({ method, url, headers, body }) => {
    const created = now();
    const signed = signRequest(
      { method, url, headers, body },
      { ...key, created, expires: created + 10, nonce: randomUUID(), components },
    );
    return { ...signed.headers, 'upvest-signature-version': UPVEST_SIGNATURE_VERSION };
  };

const drop =
  (...names: string[]) =>
  (wire: WireRequest): WireRequest => {
    for (const name of names) wire.headers.delete(name);
    return wire;
  };

const list: RawRequest = { method: 'GET', path: '/webhooks' };

const attacks: readonly Attack[] = [
  {
    name: 'no signature at all',
    operation: 'list_webhooks',
    documented: 401,
    request: () => ({ ...list, signWith: 'none' }),
  },
  {
    name: 'signature-input without signature',
    operation: 'list_webhooks',
    documented: 401,
    request: () => ({ ...list, tamper: drop('signature') }),
  },
  {
    name: 'signature without signature-input',
    operation: 'list_webhooks',
    documented: 401,
    request: () => ({ ...list, tamper: drop('signature-input') }),
  },
  {
    name: 'a garbled signature',
    operation: 'list_webhooks',
    documented: 401,
    request: () => ({
      ...list,
      tamper: (wire) => {
        const value = wire.headers.get('signature') ?? '';
        // Same label and length, other bytes: the structure parses, the signature cannot verify.
        wire.headers.set(
          'signature',
          value.replace(/:([A-Za-z0-9+/])/, (_, c: string) => `:${c === 'A' ? 'B' : 'A'}`),
        );
        return wire;
      },
    }),
  },
  {
    name: 'a body changed after signing',
    operation: 'create_webhook',
    documented: 401,
    request: ({ seed }) => ({
      method: 'POST',
      path: '/webhooks',
      body: seed,
      // The same length (content-length is signed too), other bytes.
      tamper: (wire) => ({
        headers: wire.headers,
        body: new TextEncoder().encode(
          JSON.stringify({ ...seed, title: String(seed['title']).toUpperCase() }),
        ),
      }),
    }),
  },
  {
    name: 'a content-digest that does not match the body',
    operation: 'create_webhook',
    documented: 401,
    request: ({ seed }) => ({
      method: 'POST',
      path: '/webhooks',
      body: seed,
      tamper: (wire) => {
        wire.headers.set('content-digest', contentDigest('{}'));
        return wire;
      },
    }),
  },
  {
    name: 'no upvest-signature-version',
    operation: 'list_webhooks',
    documented: 401,
    request: () => ({ ...list, tamper: drop('upvest-signature-version') }),
  },
  {
    name: 'a signature that expired an hour ago',
    operation: 'list_webhooks',
    documented: 401,
    skip: 'needs the signing key (signingKey) to sign with another clock',
    request: ({ key }) => (key ? { ...list, signWith: signerAt(key, -3600) } : undefined),
  },
  {
    name: 'a signature created an hour from now',
    operation: 'list_webhooks',
    documented: 401,
    skip: 'needs the signing key (signingKey) to sign with another clock',
    request: ({ key }) => (key ? { ...list, signWith: signerAt(key, 3600) } : undefined),
  },
  {
    name: 'a signature under an unknown key id',
    operation: 'list_webhooks',
    documented: 401,
    skip: 'needs the signing key (signingKey)',
    request: ({ key }) =>
      key
        ? { ...list, signWith: createUpvestSigner({ ...key, keyId: 'conformance-unknown-key' }) }
        : undefined,
  },
  {
    name: 'a signature that does not cover @path or authorization',
    operation: 'list_webhooks',
    documented: 401,
    skip: 'needs the signing key (signingKey)',
    request: ({ key }) =>
      key ? { ...list, signWith: signerCovering(key, ['@method', 'upvest-client-id']) } : undefined,
  },
  {
    name: 'a signature that does not cover content-digest',
    operation: 'create_webhook',
    documented: 401,
    skip: 'needs the signing key (signingKey)',
    request: ({ key, seed }) =>
      key
        ? {
            method: 'POST',
            path: '/webhooks',
            body: seed,
            signWith: signerCovering(key, [
              '@method',
              '@path',
              'authorization',
              'upvest-client-id',
            ]),
          }
        : undefined,
  },
  {
    name: 'no upvest-client-id',
    operation: 'list_webhooks',
    documented: 400,
    request: () => ({ ...list, tamper: drop('upvest-client-id') }),
  },
  {
    name: 'no authorization header',
    operation: 'list_webhooks',
    documented: 401,
    request: () => ({ ...list, token: null }),
  },
  {
    name: 'upvest-api-version 2, which the API does not offer',
    operation: 'list_webhooks',
    documented: 400,
    request: () => ({ ...list, headers: { 'upvest-api-version': '2' } }),
  },
  ...(
    [
      ['create_webhook', 'POST', '/webhooks', true],
      ['update_webhook', 'PATCH', '/webhooks/{id}', true],
      ['test_webhook', 'POST', '/webhooks/{id}/test', false],
      ['delete_webhook', 'DELETE', '/webhooks/{id}', false],
    ] as const
  ).map(([operation, method, path, hasBody]): Attack => ({
    name: `a read-only token on ${operation}`,
    operation,
    documented: 403,
    skip: 'needs a client secret to obtain a read-only token',
    request: ({ readToken, seed, webhookId }) =>
      readToken
        ? {
            method,
            path: path.replace('{id}', webhookId),
            token: readToken,
            ...(hasBody
              ? { body: operation === 'create_webhook' ? seed : { title: 'read-only' } }
              : {}),
          }
        : undefined,
  })),
];

/**
 * `auth`: what no generic API tester can send: signatures missing, garbled, expired, from the
 * future, under an unknown key, not covering what the v15 profile requires, over a body changed
 * after signing or a digest that does not match; requests without `upvest-client-id` or a token,
 * an unsupported `upvest-api-version`, and a read-only token on every write. Each must be
 * refused (4xx), and with the status the API documents; a server that answers another 4xx is
 * told which one is documented. Anything an attack managed to create is deleted.
 *
 * @example
 * ```ts
 * await runAuth(context); // records into context.log
 * ```
 */
export async function runAuth(context: ProfileContext): Promise<void> {
  const seed = { ...baseExamples(context.document).body, title: 'conformance auth attack' };
  const readToken = await context.readOnlyToken?.().catch(() => undefined);
  const created: string[] = [];
  // A webhook of the run's own, so write attacks aim at something that exists.
  const target = await context.sendRaw({ method: 'POST', path: '/webhooks', body: seed });
  const webhookId = createdId(target) ?? randomUUID();
  if (createdId(target)) created.push(webhookId);
  try {
    for (const attack of attacks) {
      const where = { profile: 'auth' as const, operation: attack.operation, case: attack.name };
      const request = attack.request({ seed, key: context.signingKey, readToken, webhookId });
      if (!request) {
        context.log.add({
          ...where,
          check: 'sent',
          outcome: 'skip',
          detail: attack.skip ?? 'cannot be sent',
        });
        continue;
      }
      const exchange = await context.sendRaw(request);
      if (!exchange) {
        context.log.add({ ...where, check: 'answered', outcome: 'fail', detail: 'no answer' });
        continue;
      }
      const id = createdId(exchange);
      if (id) created.push(id);
      const refused = exchange.status >= 400 && exchange.status < 500;
      context.log.expect(
        where,
        'the attack is refused',
        refused,
        refused
          ? `HTTP ${exchange.status}`
          : `HTTP ${exchange.status}: the server accepted ${attack.name}; it must refuse it (${attack.documented})`,
      );
      if (refused) {
        context.log.expect(
          where,
          `refused with the documented ${attack.documented}`,
          exchange.status === attack.documented,
          exchange.status === attack.documented
            ? `HTTP ${exchange.status}`
            : `HTTP ${exchange.status}; the API documents ${attack.documented} for this`,
        );
      }
      checkExchange(context.log, where, exchange);
    }
  } finally {
    await deleteAll(context, created);
  }
}
