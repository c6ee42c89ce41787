import { describe, expect, it } from 'vitest';
import { VerificationKeysUnavailableError } from '../errors.js';
import type { JsonWebKeySet } from '../types.js';
import { createVerificationKeyProvider, keyFromJwks } from './keys.js';
import { generateDeliveryKeyPair } from './testing.js';

const pair = generateDeliveryKeyPair();
const rotated = generateDeliveryKeyPair();

/** A provider over a scripted fetch, with a clock the test moves. */
function provider(answers: (() => Promise<JsonWebKeySet>)[], intervalMs = 60_000) {
  const clock = { now: 0 };
  let fetches = 0;
  const keys = createVerificationKeyProvider({
    fetchKeys: () => {
      const answer = answers[Math.min(fetches, answers.length - 1)]!;
      fetches += 1;
      return answer();
    },
    minRefetchIntervalMs: intervalMs,
    retryAfterFailureMs: 5_000,
    now: () => clock.now,
  });
  return { keys, clock, fetches: () => fetches };
}

const serve = (jwks: JsonWebKeySet) => () => Promise.resolve(jwks);
const fail = () => Promise.reject(new Error('ECONNRESET'));

describe('createVerificationKeyProvider', () => {
  it('should fetch on first use and answer known key ids from the cache', async () => {
    const { keys, fetches } = provider([serve(pair.jwks)]);
    expect(await keys(pair.keyId)).toBeDefined();
    expect(await keys(pair.keyId)).toBeDefined();
    expect(fetches()).toBe(1);
  });

  it('should refetch for an unknown keyid at most once per interval', async () => {
    const { keys, clock, fetches } = provider([serve(pair.jwks)]);
    expect(await keys(pair.keyId)).toBeDefined();
    expect(await keys('forged-1')).toBeUndefined();
    clock.now = 59_999;
    expect(await keys('forged-2')).toBeUndefined();
    expect(fetches()).toBe(1);
    clock.now = 60_000;
    expect(await keys('forged-3')).toBeUndefined();
    expect(await keys('forged-4')).toBeUndefined();
    expect(fetches()).toBe(2);
  });

  it('should find a rotated key once the interval has passed', async () => {
    const { keys, clock } = provider([serve(pair.jwks), serve(rotated.jwks)]);
    expect(await keys(pair.keyId)).toBeDefined();
    clock.now = 60_000;
    expect(await keys(rotated.keyId)).toBeDefined();
  });

  it('should share one fetch between concurrent misses', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { keys, fetches } = provider([() => gate.then(() => pair.jwks)]);
    const lookups = Promise.all([keys(pair.keyId), keys(pair.keyId), keys('forged')]);
    release();
    const [a, b, c] = await lookups;
    expect([a, b, c].map(Boolean)).toEqual([true, true, false]);
    expect(fetches()).toBe(1);
  });

  it('should throw a typed error when the keys cannot be fetched, and pause before trying again', async () => {
    const { keys, clock, fetches } = provider([fail, fail, serve(pair.jwks)]);
    await expect(keys(pair.keyId)).rejects.toBeInstanceOf(VerificationKeysUnavailableError);
    clock.now = 4_999;
    await expect(keys(pair.keyId)).rejects.toThrow(/could not be fetched/);
    expect(fetches()).toBe(1);
    clock.now = 5_000;
    await expect(keys(pair.keyId)).rejects.toBeInstanceOf(VerificationKeysUnavailableError);
    clock.now = 10_000;
    expect(await keys(pair.keyId)).toBeDefined();
    expect(fetches()).toBe(3);
  });

  it('should keep answering cached keys while a refetch fails', async () => {
    const { keys, clock } = provider([serve(pair.jwks), fail]);
    expect(await keys(pair.keyId)).toBeDefined();
    clock.now = 60_000;
    await expect(keys(rotated.keyId)).rejects.toBeInstanceOf(VerificationKeysUnavailableError);
    expect(await keys(pair.keyId)).toBeDefined();
  });

  it('should treat an answer that is not a JWKS as a failed fetch', async () => {
    const { keys } = provider([
      () => Promise.resolve({ keys: 'none' } as unknown as JsonWebKeySet),
    ]);
    await expect(keys(pair.keyId)).rejects.toBeInstanceOf(VerificationKeysUnavailableError);
  });

  it('should fetch on refresh() and expose the current set', async () => {
    const { keys, fetches } = provider([serve(pair.jwks)]);
    expect(keys.current).toBeUndefined();
    await keys.refresh();
    expect(keys.current).toEqual(pair.jwks);
    expect(await keys(pair.keyId)).toBeDefined();
    expect(fetches()).toBe(1);
  });
});

describe('keyFromJwks', () => {
  it.each<[string, JsonWebKeySet, string | undefined, boolean]>([
    [
      'the key whose kid is the keyid',
      { keys: [rotated.publicJwk, pair.publicJwk] },
      pair.keyId,
      true,
    ],
    ['no key for an unknown keyid', pair.jwks, 'unknown', false],
    ['the only key for a signature without keyid', pair.jwks, undefined, true],
    [
      'no key without keyid when there are several',
      { keys: [pair.publicJwk, rotated.publicJwk] },
      undefined,
      false,
    ],
    ['no key for a JWK without coordinates', { keys: [{ kid: pair.keyId }] }, pair.keyId, false],
    [
      'no key for a point off the curve',
      { keys: [{ ...pair.publicJwk, x: rotated.publicJwk.x! }] },
      pair.keyId,
      false,
    ],
    [
      'the next key of that kid when the first is unusable',
      { keys: [{ kid: pair.keyId }, pair.publicJwk] },
      pair.keyId,
      true,
    ],
  ])('should find %s', (_name, jwks, keyId, found) => {
    expect(keyFromJwks(jwks, keyId) !== undefined).toBe(found);
  });
});
