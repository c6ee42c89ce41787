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

/** A named example of the spec, checked with its schema's validator and copied. */
function validExample<T>(validate: (value: unknown) => value is T, keys: readonly string[]): T {
  const value = example(...keys);
  if (!validate(value))
    throw new Error(`spec: the example at ${keys.join(' > ')} is missing or invalid`);
  return structuredClone(value);
}

/**
 * The webhook of the spec's retrieve example (id a8eb3540-…), as the mock's seed; a fresh copy
 * on every call. Throws when the spec lacks the example or it breaks the `Webhook` schema.
 *
 * @example
 * ```ts
 * documentedWebhook().id; // 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a'
 * ```
 */
export function documentedWebhook(): Webhook {
  return validExample(validateWebhook, [
    'paths',
    '/webhooks/{webhook_id}',
    'get',
    'responses',
    '200',
    'content',
    'application/json',
    'examples',
    'documented_webhook',
  ]);
}

/**
 * The JWKS of the spec's `GET /auth/verify_keys` example: one EC P-521 key; a fresh copy on
 * every call.
 *
 * @example
 * ```ts
 * documentedVerificationKeys().keys[0]?.kid; // '9ed77463-c18e-4794-ab5c-17423f9b801a'
 * ```
 */
export function documentedVerificationKeys(): JsonWebKeySet {
  return validExample(validateJsonWebKeySet, [
    'paths',
    '/auth/verify_keys',
    'get',
    'responses',
    '200',
    'content',
    'application/json',
    'examples',
    'upvest_keys',
  ]);
}
