import { openApiDocument } from '../../generated/spec.js';
import { validateJsonWebKeySet, validateWebhook } from '../../generated/validators.js';
import type { JsonWebKeySet, Webhook } from '../types.js';

type Node = Record<string, unknown>;

/** Reads one named example out of the spec, by the keys leading to it. */
function example(...keys: string[]): unknown {
  let node: unknown = openApiDocument;
  for (const key of keys) node = (node as Node | undefined)?.[key];
  return (node as Node | undefined)?.['value'];
}

/** The webhook of the spec's retrieve example (id a8eb3540-…), as the mock's seed. */
export function documentedWebhook(): Webhook {
  const value = example(
    'paths',
    '/webhooks/{webhook_id}',
    'get',
    'responses',
    '200',
    'content',
    'application/json',
    'examples',
    'documented_webhook',
  );
  if (!validateWebhook(value))
    throw new Error('spec: the documented_webhook example is missing or invalid');
  return structuredClone(value);
}

/** The JWKS of the spec's `GET /auth/verify_keys` example. */
export function documentedVerificationKeys(): JsonWebKeySet {
  const value = example(
    'paths',
    '/auth/verify_keys',
    'get',
    'responses',
    '200',
    'content',
    'application/json',
    'examples',
    'upvest_keys',
  );
  if (!validateJsonWebKeySet(value))
    throw new Error('spec: the upvest_keys example is missing or invalid');
  return structuredClone(value);
}
