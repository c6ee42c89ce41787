import type { JsonWebKeySet } from '../types.js';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { KeyInput } from '../signing/keys.js';
import type { KeyLookup } from '../signing/verify.js';

/**
 * Finds a key of a JWKS by its `kid` (the delivery's `keyid`) as a JWK node:crypto reads. A set
 * of one key also answers a signature without `keyid`.
 */
export function keyFromJwks(jwks: JsonWebKeySet, keyId: string | undefined): KeyInput | undefined {
  const key =
    jwks.keys.find((candidate) => candidate.kid === keyId) ??
    (keyId === undefined && jwks.keys.length === 1 ? jwks.keys[0] : undefined);
  if (!key?.x || !key.y) return undefined;
  // Importing a P-521 point validates it and costs about as much as a verification: import
  // each key of a set once.
  let imported = importedKeys.get(key);
  if (!imported) {
    try {
      imported = createPublicKey({
        key: { kty: key.kty ?? 'EC', crv: key.crv ?? 'P-521', x: key.x, y: key.y },
        format: 'jwk',
      });
    } catch {
      return undefined;
    }
    importedKeys.set(key, imported);
  }
  return imported;
}

const importedKeys = new WeakMap<object, KeyObject>();

/**
 * Options of {@link createVerificationKeyProvider}.
 *
 * @example
 * ```ts
 * const options: VerificationKeyProviderOptions = { fetchKeys: () => client.verificationKeys() };
 * ```
 */
export interface VerificationKeyProviderOptions {
  /** Fetches the JWKS, typically `() => client.verificationKeys()` (`GET /auth/verify_keys`). */
  readonly fetchKeys: () => Promise<JsonWebKeySet>;
  /** At most one refetch per this interval when a `keyid` is unknown (default 60 s). */
  readonly minRefetchIntervalMs?: number;
  /** The clock in milliseconds; inject for tests. */
  readonly now?: () => number;
}

/**
 * A key lookup for {@link verifyDelivery} that caches Upvest's verification keys and refetches
 * them when a delivery names an unknown `keyid` (Upvest rotated its keys), at most once per
 * interval, so forged key ids cannot make it hammer the API. Concurrent misses share one fetch.
 *
 * @example
 * ```ts
 * const keys = createVerificationKeyProvider({ fetchKeys: () => client.verificationKeys() });
 * const result = await verifyDelivery(request, { keys });
 * ```
 */
export function createVerificationKeyProvider(options: VerificationKeyProviderOptions): KeyLookup {
  const interval = options.minRefetchIntervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  let jwks: JsonWebKeySet | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<JsonWebKeySet> | undefined;

  const refresh = () => {
    pending ??= options
      .fetchKeys()
      .then((fresh) => {
        jwks = fresh;
        return fresh;
      })
      .finally(() => {
        fetchedAt = now();
        pending = undefined;
      });
    return pending;
  };

  return async (keyId) => {
    if (jwks === undefined) await refresh();
    const known = jwks ? keyFromJwks(jwks, keyId) : undefined;
    if (known || now() - fetchedAt < interval) return known;
    const fresh = await refresh();
    return keyFromJwks(fresh, keyId);
  };
}
