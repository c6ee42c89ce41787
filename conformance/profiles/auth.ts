import { randomUUID } from 'node:crypto';
import type { OperationId } from '../../generated/constants.js';
import {
  type RequestSigner,
  createRedactor,
  createUpvestSigner,
  UPVEST_SIGNATURE_VERSION,
} from '../../src/index.js';
import { contentDigest } from '../../src/signing/index.js';
import { signRequest } from '../../src/signing/index.js';
import { checkExchange } from '../checks/exchange.js';
import { createdId, deleteAll } from './scratch.js';
import type { ProfileContext, RawRequest, WireRequest } from '../run/context.js';
import type { TokenRequestChange } from '../run/token.js';
import type { Exchange } from '../report/results.js';
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

/**
 * A v15 signer that covers only `components` and may leave out one signature parameter: what
 * the profile requires, minus one thing. A body's digest is sent, right, even when not covered:
 * what is missing is the coverage.
 */
const signerCovering =
  (key: Key, components: string[], without?: 'expires' | 'nonce'): RequestSigner =>
  async ({ method, url, headers, body }) => {
    const created = now();
    const signed = await signRequest(
      { method, url, headers, body },
      {
        ...key,
        created,
        components,
        ...(without === 'expires' ? {} : { expires: created + 10 }),
        ...(without === 'nonce' ? {} : { nonce: randomUUID() }),
      },
    );
    const digest = body && body.length > 0 ? { 'content-digest': await contentDigest(body) } : {};
    return { ...digest, ...signed.headers, 'upvest-signature-version': UPVEST_SIGNATURE_VERSION };
  };

/** What a request of each shape must cover under the v15 profile (facts §9.1). */
const COVERED = {
  query: ['@method', '@path', '@query', 'authorization', 'upvest-client-id'],
  body: ['@method', '@path', 'authorization', 'content-digest', 'upvest-client-id'],
};

/** For each component a request must cover, a signature that covers all the others. */
function leaveOneOut(): Attack[] {
  return (['query', 'body'] as const).flatMap((shape) =>
    COVERED[shape].map((component): Attack => ({
      name: `a signature that leaves out ${component} (${shape === 'query' ? 'a list with a query' : 'a create'})`,
      operation: shape === 'query' ? 'list_webhooks' : 'create_webhook',
      documented: 401,
      skip: 'needs the signing key (signingKey)',
      request: ({ key, seed }) => {
        if (!key) return undefined;
        const signWith = signerCovering(
          key,
          COVERED[shape].filter((c) => c !== component),
        );
        return shape === 'query'
          ? { method: 'GET', path: '/webhooks?limit=1', signWith }
          : { method: 'POST', path: '/webhooks', body: seed, signWith };
      },
    })),
  );
}

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
      tamper: async (wire) => {
        wire.headers.set('content-digest', await contentDigest('{}'));
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
    // The header is not signed (facts §9): a v15 signature announced as v6 must not pass.
    name: 'upvest-signature-version 6 on a v15 signature',
    operation: 'list_webhooks',
    documented: 401,
    request: () => ({
      ...list,
      tamper: (wire) => {
        wire.headers.set('upvest-signature-version', '6');
        return wire;
      },
    }),
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
    // Signed as sent: the token is the run's, the client id another tenant's.
    name: "another tenant's upvest-client-id beside the run's token",
    operation: 'list_webhooks',
    documented: 401,
    request: () => ({
      ...list,
      headers: { 'upvest-client-id': '00000000-0000-4000-8000-00000000beef' },
    }),
  },
  {
    name: 'no authorization header',
    operation: 'list_webhooks',
    documented: 401,
    request: () => ({ ...list, token: null }),
  },
  ...['2', '1.0', '01', '1x'].map((version): Attack => ({
    name: `upvest-api-version ${version}, which the API does not offer`,
    operation: 'list_webhooks',
    documented: 400,
    request: () => ({ ...list, headers: { 'upvest-api-version': version } }),
  })),
  ...leaveOneOut(),
  ...(['expires', 'nonce'] as const).map((parameter): Attack => ({
    name: `a signature without ${parameter}`,
    operation: 'list_webhooks',
    documented: 401,
    skip: 'needs the signing key (signingKey)',
    request: ({ key }) =>
      key
        ? {
            method: 'GET',
            path: '/webhooks?limit=1',
            signWith: signerCovering(key, COVERED.query, parameter),
          }
        : undefined,
  })),
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

/** Changes to the token request the token endpoint must refuse, with the documented status. */
const tokenAttacks = (secret: string): [string, TokenRequestChange, number][] => [
  ['an unsigned token request', { signed: false }, 401],
  ['a wrong client secret', { form: { client_secret: `${secret}-wrong` } }, 401],
  [
    'an unknown client id',
    {
      form: { client_id: '00000000-0000-4000-8000-00000000beef' },
      clientIdHeader: '00000000-0000-4000-8000-00000000beef',
    },
    401,
  ],
  ['the grant type password', { form: { grant_type: 'password' } }, 400],
  ['no grant type', { form: { grant_type: undefined } }, 400],
  ['an unknown scope', { form: { scope: 'webhooks:everything' } }, 400],
  [
    'an unknown scope beside a known one',
    { form: { scope: 'webhooks:read webhooks:everything' } },
    400,
  ],
  ['an empty scope', { form: { scope: '' } }, 400],
  ['the form sent as JSON', { json: true }, 400],
];

/**
 * The token endpoint under attack: each changed request refused with the documented status,
 * and no refusal repeating the client secret, in any spelling.
 */
async function attackTokenEndpoint(context: ProfileContext): Promise<void> {
  const { sendTokenRequest, clientSecret } = context;
  for (const [name, change, documented] of tokenAttacks(clientSecret ?? '')) {
    const where = { profile: 'auth' as const, operation: 'issue_token' as const, case: name };
    if (!sendTokenRequest || clientSecret === undefined) {
      context.log.add({
        ...where,
        check: 'sent',
        outcome: 'skip',
        detail: 'needs a client secret',
      });
      continue;
    }
    const exchange = await sendTokenRequest(change);
    if (!exchange) {
      context.log.add({ ...where, check: 'answered', outcome: 'fail', detail: 'no answer' });
      continue;
    }
    judgeRefusal(context, where, exchange, name, documented);
    const echoes =
      createRedactor([clientSecret]).text(exchange.responseBody) !== exchange.responseBody;
    context.log.expect(
      where,
      'the answer does not repeat the client secret',
      !echoes,
      echoes ? 'the answer carries the client secret (in some spelling)' : 'it does not',
    );
  }
}

/** A request must be refused (4xx), with the status the API documents for it. */
function judgeRefusal(
  context: ProfileContext,
  where: { profile: 'auth'; operation: OperationId; case: string },
  exchange: Exchange,
  name: string,
  documented: number,
): void {
  const refused = exchange.status >= 400 && exchange.status < 500;
  context.log.expect(
    where,
    'the attack is refused',
    refused,
    refused
      ? `HTTP ${exchange.status}`
      : `HTTP ${exchange.status}: the server accepted ${name}; it must refuse it (${documented})`,
  );
  if (refused) {
    context.log.expect(
      where,
      `refused with the documented ${documented}`,
      exchange.status === documented,
      exchange.status === documented
        ? `HTTP ${exchange.status}`
        : `HTTP ${exchange.status}; the API documents ${documented} for this`,
    );
  }
  checkExchange(context.log, where, exchange);
}

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
      judgeRefusal(context, where, exchange, attack.name, attack.documented);
    }
    await attackTokenEndpoint(context);
    // The version header is optional (default "1", facts §2.2): a request without it is served.
    const where = {
      profile: 'auth' as const,
      operation: 'list_webhooks' as const,
      case: 'no upvest-api-version',
    };
    const plain = await context.sendRaw({ ...list, omitHeaders: ['upvest-api-version'] });
    if (plain) checkExchange(context.log, where, plain, 200);
  } finally {
    await deleteAll(context, created);
  }
}
