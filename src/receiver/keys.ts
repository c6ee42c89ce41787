import { log, type Logger } from '../wire/logger.js';
import { VerificationKeysUnavailableError } from '../errors.js';
import type { SigningJwk } from '../signing/keys.js';
import type { KeyLookup } from '../signing/verify.js';
import { readVerifyingKey } from '../signing/verifying-key.js';
import type { JsonWebKey, JsonWebKeySet } from '../types.js';

// Importing a P-521 point validates it and costs about as much as a verification: each key
// object of a set is imported once (Web Crypto keeps the key; verifying-key.ts caches it by the
// public JWK made here, which is the same object for the same key object of a set).
const importedKeys = new WeakMap<JsonWebKey, Promise<SigningJwk | undefined>>();

/**
 * Imports one JWK of Upvest's set as a P-521 public key, once per JWK object, and resolves to the
 * public JWK to verify with; undefined for keys of another type or an invalid point. Web Crypto
 * does the import, so this runs on every runtime.
 *
 * @example
 * ```ts
 * const key = await importVerificationKey(jwks.keys[0]!);
 * ```
 */
export function importVerificationKey(jwk: JsonWebKey): Promise<SigningJwk | undefined> {
  let imported = importedKeys.get(jwk);
  if (imported === undefined) {
    imported = publicP521(jwk);
    importedKeys.set(jwk, imported);
  }
  return imported;
}

async function publicP521(jwk: JsonWebKey): Promise<SigningJwk | undefined> {
  const { kty = 'EC', crv = 'P-521', x, y } = jwk;
  if (kty !== 'EC' || crv !== 'P-521' || !x || !y) return undefined;
  const key: SigningJwk = { kty: 'EC', crv: 'P-521', x, y };
  try {
    await (await readVerifyingKey(key)).cryptoKey('ecdsa-p521-sha512');
    return key;
  } catch {
    return undefined;
  }
}

/**
 * Finds the P-521 key of a JWKS whose `kid` is the delivery's `keyid` (Upvest does not document
 * the match, it is implied). A set of one key also answers a signature without `keyid`. Keys of
 * other types, or whose point does not import, are skipped.
 *
 * @example
 * ```ts
 * const key = await keyFromJwks(await client.verificationKeys(), 'c5b1e7a2-…');
 * ```
 */
export async function keyFromJwks(
  jwks: JsonWebKeySet,
  keyId: string | undefined,
): Promise<SigningJwk | undefined> {
  if (keyId === undefined)
    return jwks.keys.length === 1 && jwks.keys[0] ? importVerificationKey(jwks.keys[0]) : undefined;
  for (const candidate of jwks.keys) {
    if (candidate.kid !== keyId) continue;
    const key = await importVerificationKey(candidate);
    if (key) return key;
  }
  return undefined;
}

function isJwks(value: unknown): value is JsonWebKeySet {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { keys?: unknown }).keys) &&
    (value as { keys: unknown[] }).keys.every((key) => typeof key === 'object' && key !== null)
  );
}

/**
 * Options of {@link createVerificationKeyProvider}.
 *
 * @example
 * ```ts
 * const options: VerificationKeyProviderOptions = {
 *   fetchKeys: () => client.verificationKeys(),
 *   minRefetchIntervalMs: 5 * 60_000,
 * };
 * ```
 */
export interface VerificationKeyProviderOptions {
  /** Fetches the JWKS, typically `() => client.verificationKeys()` (`GET /auth/verify_keys`). */
  readonly fetchKeys: () => Promise<JsonWebKeySet>;
  /**
   * At most one refetch per this interval when a delivery names an unknown `keyid` (default
   * 60 s), so forged key ids cannot make the receiver hammer the API.
   */
  readonly minRefetchIntervalMs?: number;
  /**
   * After a failed fetch, how long lookups fail at once (503) before the next fetch is tried
   * (default 5 s, or `minRefetchIntervalMs` when that is shorter).
   */
  readonly retryAfterFailureMs?: number;
  /** The clock in milliseconds; inject for tests. */
  readonly now?: () => number;
  /**
   * Where fetches (info), failed fetches (error) and unknown key ids not refetched yet (warn,
   * with the time left until a refetch) are logged; silent by default.
   */
  readonly logger?: Logger;
}

/**
 * A key lookup that caches Upvest's verification keys; pass it as `keys` to
 * {@link verifyDelivery} or a delivery handler.
 *
 * @example
 * ```ts
 * const keys: VerificationKeyProvider = createVerificationKeyProvider({ fetchKeys });
 * await keys.refresh(); // optional: fetch at start-up instead of on the first delivery
 * ```
 */
export interface VerificationKeyProvider extends KeyLookup {
  /** Fetches the keys now (sharing a fetch under way); rejects when the fetch fails. */
  refresh(): Promise<JsonWebKeySet>;
  /** The keys fetched last, if any: what `keyIdMatch: 'kid-or-any-key'` tries in turn. */
  allKeys(): JsonWebKeySet | undefined;
}

/**
 * Caches Upvest's verification keys and fetches them again when a delivery names an unknown
 * `keyid` (Upvest rotated its keys), at most once per `minRefetchIntervalMs`; concurrent misses
 * share one fetch. A lookup whose fetch fails throws {@link VerificationKeysUnavailableError},
 * which the handlers answer with 503 so Upvest retries; after a failure, fetches pause for
 * `retryAfterFailureMs`.
 *
 * @example
 * ```ts
 * const keys = createVerificationKeyProvider({ fetchKeys: () => client.verificationKeys() });
 * const result = await verifyDelivery(request, { keys });
 * ```
 */
export function createVerificationKeyProvider(
  options: VerificationKeyProviderOptions,
): VerificationKeyProvider {
  const interval = options.minRefetchIntervalMs ?? 60_000;
  const failurePause = Math.min(options.retryAfterFailureMs ?? 5_000, interval);
  const now = options.now ?? Date.now;
  let jwks: JsonWebKeySet | undefined;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let failure: VerificationKeysUnavailableError | undefined;
  let pending: Promise<JsonWebKeySet> | undefined;

  const refresh = (): Promise<JsonWebKeySet> => {
    pending ??= (async () => {
      try {
        const fresh: unknown = await options.fetchKeys();
        if (!isJwks(fresh)) throw new TypeError('the answer is not a JSON Web Key Set');
        jwks = fresh;
        failure = undefined;
        log(options.logger, 'info', 'verification keys fetched', { keys: fresh.keys.length });
        return fresh;
      } catch (error) {
        failure = new VerificationKeysUnavailableError(
          "Upvest's verification keys could not be fetched",
          { cause: error },
        );
        log(options.logger, 'error', "Upvest's verification keys could not be fetched", {
          retryInMs: failurePause,
        });
        throw failure;
      } finally {
        attemptedAt = now();
        pending = undefined;
      }
    })();
    return pending;
  };

  const lookup = async (keyId: string | undefined) => {
    const known = jwks ? await keyFromJwks(jwks, keyId) : undefined;
    if (known) return known;
    if (pending) return keyFromJwks(await pending, keyId);
    const since = now() - attemptedAt;
    if (failure && since < failurePause) throw failure;
    // Keys fetched recently: the `keyid` is unknown, not new.
    if (jwks && !failure && since < interval) {
      log(options.logger, 'warn', 'a delivery names a keyid the keys fetched lately lack', {
        keyId: keyId?.slice(0, 100),
        refetchInMs: Math.ceil(interval - since),
      });
      return undefined;
    }
    return keyFromJwks(await refresh(), keyId);
  };

  return Object.defineProperties(lookup, {
    refresh: { value: refresh },
    allKeys: { value: () => jwks },
  }) as VerificationKeyProvider;
}
