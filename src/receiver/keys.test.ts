import { describe, expect, it } from 'vitest';
import { VerificationKeysUnavailableError } from '../errors.js';
import type { JsonWebKeySet } from '../types.js';
import { createVerificationKeyProvider, importVerificationKey, keyFromJwks } from './keys.js';
import { generateDeliveryKeyPair } from '../testing/deliveries.js';

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

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'keys'],
    ['an object without keys', {}],
    ['keys that are not a list', { keys: 'none' }],
    ['a list holding null', { keys: [null] }],
    ['a list holding a number', { keys: [1] }],
    ['a list with one good key and one string', { keys: [...pair.jwks.keys, 'x'] }],
  ])('should treat an answer of %s as a failed fetch, not a key set', async (_, answer) => {
    const { keys } = provider([() => Promise.resolve(answer as JsonWebKeySet)]);
    const error: unknown = await Promise.resolve(keys(pair.keyId)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationKeysUnavailableError);
    expect(String((error as Error).cause)).toContain('not a JSON Web Key Set');
    expect((error as VerificationKeysUnavailableError).code).toBe('verification_keys_unavailable');
  });

  it('should take an empty key set as a key set, answering every key id unknown', async () => {
    const { keys } = provider([() => Promise.resolve({ keys: [] })]);
    expect(await keys(pair.keyId)).toBeUndefined();
  });

  it('should use its defaults: a refetch per 60 s, a 5 s pause after a failure', async () => {
    const clock = { now: 0 };
    let fetches = 0;
    const answers = [serve(pair.jwks), fail, serve(rotated.jwks)];
    const keys = createVerificationKeyProvider({
      fetchKeys: () => answers[Math.min(fetches++, answers.length - 1)]!(),
      now: () => clock.now,
    });
    expect(await keys(pair.keyId)).toBeDefined();
    clock.now = 59_999;
    expect(await keys('forged')).toBeUndefined();
    expect(fetches).toBe(1);
    clock.now = 60_000;
    await expect(keys(rotated.keyId)).rejects.toBeInstanceOf(VerificationKeysUnavailableError);
    clock.now = 64_999;
    await expect(keys(rotated.keyId)).rejects.toBeInstanceOf(VerificationKeysUnavailableError);
    expect(fetches).toBe(2);
    clock.now = 65_000;
    expect(await keys(rotated.keyId)).toBeDefined();
  });

  it('should pause after a failure no longer than a shorter refetch interval', async () => {
    const { keys, clock, fetches } = provider([fail, serve(pair.jwks)], 1_000);
    await expect(keys(pair.keyId)).rejects.toBeInstanceOf(VerificationKeysUnavailableError);
    clock.now = 1_000;
    expect(await keys(pair.keyId)).toBeDefined();
    expect(fetches()).toBe(2);
  });

  it('should let a lookup that arrives during a fetch wait for it, not start another', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { keys, fetches } = provider([serve(pair.jwks), () => gate.then(() => rotated.jwks)]);
    expect(await keys(pair.keyId)).toBeDefined();
    const refreshing = keys.refresh();
    const during = keys(rotated.keyId);
    release();
    await refreshing;
    expect(await during).toBeDefined();
    expect(fetches()).toBe(2);
  });

  it('should fetch on refresh() and expose the current set', async () => {
    const { keys, fetches } = provider([serve(pair.jwks)]);
    expect(keys.allKeys()).toBeUndefined();
    await keys.refresh();
    expect(keys.allKeys()).toEqual(pair.jwks);
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
  ])('should find %s', async (_name, jwks, keyId, found) => {
    expect((await keyFromJwks(jwks, keyId)) !== undefined).toBe(found);
  });
});

describe('importVerificationKey', () => {
  const [jwk] = pair.jwks.keys;

  it('should import a P-521 key once per JWK object and give the same public key again', async () => {
    const copy = { ...jwk!, d: 'never passed on' };
    const first = importVerificationKey(copy);
    expect(await first).toEqual({ kty: 'EC', crv: 'P-521', x: jwk!.x, y: jwk!.y });
    expect(importVerificationKey(copy)).toBe(first);
    expect(await importVerificationKey(copy)).toBe(await first);
  });

  it("should read a JWK without kty and crv as Upvest's P-521 key", async () => {
    const { kty: _kty, crv: _crv, ...bare } = jwk!;
    expect(await importVerificationKey(bare)).toMatchObject({ kty: 'EC', crv: 'P-521' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an RSA key', { kty: 'RSA' }],
    ['a P-256 key', { crv: 'P-256' }],
    ['a key without x', { x: undefined }],
    ['a key without y', { y: undefined }],
    ['a point not on the curve', { x: jwk!.y }],
  ])('should skip %s, every time it is asked', async (_, change) => {
    const odd = { ...jwk!, ...change };
    expect(await importVerificationKey(odd)).toBeUndefined();
    expect(await importVerificationKey(odd)).toBeUndefined();
  });
});
