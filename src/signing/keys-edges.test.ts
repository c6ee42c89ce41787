import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UpvestConfigurationError } from '../errors.js';
import { rfcKeys } from './fixtures/rfc9421.js';
import {
  algorithmForKey,
  assertKeyFits,
  keyFits,
  SigningKey,
  toSigningKey,
  type KeyInput,
  type SigningJwk,
} from './keys.js';

// Each test reads keys it made itself: toSigningKey keeps what it read, so a key read by an
// earlier test would answer from that cache instead of being read again.
const pkcs8Pem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();
const privateJwk = (key: KeyObject): SigningJwk => ({ ...key.export({ format: 'jwk' }) });
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const rsaJwk = () => privateJwk(createPrivateKey(rfcKeys.rsaPrivatePem));

/** What a call threw, or a failure if it did not throw. */
function thrownBy(attempt: () => unknown): Error {
  try {
    attempt();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** The thrown error, with the key material of a JWK asserted absent from how it prints. */
function refusal(input: KeyInput, secrets: readonly string[]): Error {
  const error = thrownBy(() => toSigningKey(input));
  expect(error).toBeInstanceOf(UpvestConfigurationError);
  const text = `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: 5 })}`;
  for (const secret of secrets) if (secret) expect(text).not.toContain(secret);
  return error;
}

describe('SigningKey', () => {
  it('should refuse to be made of a public key', () => {
    expect(() => new SigningKey({ type: 'public' }, new Uint8Array(1))).toThrow(
      'a public key cannot sign: pass the private key',
    );
  });

  it('should name a curve only for a key that has one', () => {
    const ed = toSigningKey(pkcs8Pem(generateKeyPairSync('ed25519').privateKey));
    expect(ed.asymmetricKeyType).toBe('ed25519');
    expect(ed.asymmetricKeyDetails).toBeUndefined();
    expect(toSigningKey(pkcs8Pem(p256())).asymmetricKeyDetails).toEqual({
      namedCurve: 'prime256v1',
    });
  });
});

describe('toSigningKey, reading each key once', () => {
  it('should give the same key for each of two PEM texts read in turn', () => {
    const first = pkcs8Pem(p256());
    const second = pkcs8Pem(p256());
    const key = toSigningKey(first);
    expect(toSigningKey(second)).toBe(toSigningKey(second));
    expect(toSigningKey(first)).toBe(key);
  });

  it('should keep the last 32 PEM texts read, and read an older one again', () => {
    const pem = pkcs8Pem(p256());
    // 33 texts of one key: PEM may have white space before it, so each text is another.
    const texts = Array.from({ length: 33 }, (_, i) => `${' '.repeat(i)}${pem}`);
    const first = toSigningKey(texts[0]!);
    for (const text of texts.slice(1, 32)) toSigningKey(text);
    expect(toSigningKey(texts[0]!)).toBe(first); // 32 kept: the first still among them
    toSigningKey(texts[32]!); // the 33rd pushes the oldest out
    const again = toSigningKey(texts[0]!);
    expect(again).not.toBe(first);
    expect(again.export()).toEqual(first.export());
  });

  it('should keep a key object read however many PEM texts are read after it', () => {
    const jwk = privateJwk(p256());
    const key = toSigningKey(jwk);
    const pem = pkcs8Pem(p256());
    for (let i = 0; i < 40; i += 1) toSigningKey(`${'\n'.repeat(i)}${pem}`);
    expect(toSigningKey(jwk)).toBe(key);
  });

  it('should give the same key for the same key object read twice', () => {
    const keyObject = p256();
    expect(toSigningKey(keyObject)).toBe(toSigningKey(keyObject));
  });
});

describe('toSigningKey, keys of kinds no algorithm uses', () => {
  it('should read an X25519 private key as a private key of no known type, and refuse it for every algorithm', () => {
    const key = toSigningKey(pkcs8Pem(generateKeyPairSync('x25519').privateKey));
    expect(key.type).toBe('private');
    expect(key.asymmetricKeyType).toBeUndefined();
    expect(key.asymmetricKeyDetails).toBeUndefined();
    expect(() => algorithmForKey(key)).toThrow(
      'this keys are not supported for HTTP message signatures',
    );
    expect(() => assertKeyFits('ed25519', key)).toThrow(
      'ed25519 cannot be used with a key of type unknown',
    );
  });

  it('should read a P-384 private key as an EC private key on secp384r1', () => {
    const key = toSigningKey(
      pkcs8Pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey),
    );
    expect(key.type).toBe('private');
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails).toEqual({ namedCurve: 'secp384r1' });
  });

  it('should read an EC key on a curve it cannot name, and refuse it as on an unknown curve', () => {
    const key = toSigningKey(
      pkcs8Pem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey),
    );
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails).toBeUndefined();
    expect(() => algorithmForKey(key)).toThrow(
      'EC keys on curve unknown are not supported; use P-521 or P-256',
    );
    expect(keyFits('ecdsa-p256-sha256', key)).toBe(false);
    expect(keyFits('ecdsa-p521-sha512', key)).toBe(false);
    expect(() => assertKeyFits('ecdsa-p256-sha256', key)).toThrow(
      'ecdsa-p256-sha256 cannot be used with a key of type ec',
    );
  });

  it('should not let a curve name alone make a key of another type fit ECDSA', () => {
    const kind = {
      type: 'private',
      asymmetricKeyType: 'ed25519',
      asymmetricKeyDetails: { namedCurve: 'secp521r1' },
    } as const;
    expect(keyFits('ecdsa-p521-sha512', kind)).toBe(false);
  });
});

describe('toSigningKey, PEM it refuses', () => {
  it('should refuse a PKCS#1 RSA public key as unable to sign', () => {
    expect(() => toSigningKey(rfcKeys.rsaPublicPem)).toThrow(/public key cannot sign/);
  });

  it('should refuse a PEM of another kind than a key as unreadable, without its body', () => {
    const body = Buffer.from(pkcs8Pem(p256())).toString('base64').slice(0, 64);
    const text = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
    const error = refusal(text, [body]);
    expect(error.message).toMatch(/private key could not be read/);
  });

  it('should refuse a key object whose PKCS#8 is framed wrong', () => {
    const bytes = Uint8Array.of(0x30, 3, 0x04, 1, 0x2a);
    const error = refusal({ type: 'private', asymmetricKeyType: 'ec', export: () => bytes }, [
      Buffer.from(bytes).toString('base64'),
    ]);
    expect(error.message).toMatch(/private key could not be read/);
  });
});

describe('toSigningKey, private JWKs', () => {
  it.each<[string, () => SigningJwk, string]>([
    ['a P-256 JWK', () => privateJwk(p256()), 'ecdsa-p256-sha256'],
    [
      'a P-521 JWK',
      () => privateJwk(generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey),
      'ecdsa-p521-sha512',
    ],
    ['an Ed25519 JWK', () => privateJwk(generateKeyPairSync('ed25519').privateKey), 'ed25519'],
    ['an RSA JWK', rsaJwk, 'rsa-v1_5-sha256'],
  ])('should read %s into the PKCS#8 key Node reads back', (_name, make, algorithm) => {
    const jwk = make();
    const key = toSigningKey(jwk);
    expect(algorithmForKey(key)).toBe(algorithm);
    const back = createPrivateKey({ key: Buffer.from(key.export()), format: 'der', type: 'pkcs8' });
    expect(back.export({ format: 'jwk' }).d).toBe(jwk.d);
  });

  it.each<[string, () => SigningJwk]>([
    ['an EC JWK with an empty x', () => ({ ...privateJwk(p256()), x: '' })],
    ['an EC JWK with an empty d', () => ({ ...privateJwk(p256()), d: '' })],
    ['a P-256 JWK whose kty says OKP', () => ({ ...privateJwk(p256()), kty: 'OKP' })],
    [
      'an Ed25519 JWK whose kty says EC',
      () => ({ ...privateJwk(generateKeyPairSync('ed25519').privateKey), kty: 'EC' }),
    ],
    ['an Ed448 JWK', () => privateJwk(generateKeyPairSync('ed448').privateKey)],
    ['an RSA JWK whose kty is unknown', () => ({ ...rsaJwk(), kty: 'XYZ' })],
    ['an RSA JWK with an empty modulus', () => ({ ...rsaJwk(), n: '' })],
  ])('should refuse %s as unreadable, naming none of its members', (_name, make) => {
    const jwk = make();
    const secrets = ['d', 'x', 'y', 'n', 'p', 'q'].map((name) => {
      const value = jwk[name];
      return typeof value === 'string' ? value : '';
    });
    const error = refusal(jwk, secrets);
    expect(error.message).toBe(
      'the private key could not be read (expected PEM, a JWK, a KeyObject or secret bytes)',
    );
  });
});
