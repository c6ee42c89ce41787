import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derElement, derSequence } from './der.js';
import {
  contains,
  importablePkcs8,
  readPem,
  RSA_ENCRYPTION,
  NULL,
  Unreadable,
} from './key-material.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pkcs8Der = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
const base64 = Buffer.from(pkcs8Der).toString('base64');

describe('readPem, at its edges', () => {
  it('should read a PEM whose base64 runs straight into the END line', () => {
    const text = `-----BEGIN PRIVATE KEY-----\n${base64}-----END PRIVATE KEY-----`;
    expect(readPem(text)).toEqual({ label: 'PRIVATE KEY', der: pkcs8Der });
  });

  it.each<[string, string]>([
    ['text that is no PEM at all', 'not a key'],
    [
      'a PEM whose base64 does not decode',
      '-----BEGIN PRIVATE KEY-----\nA\n-----END PRIVATE KEY-----',
    ],
    [
      'a PEM whose base64 has stray bits in its last character',
      '-----BEGIN PRIVATE KEY-----\nAB==\n-----END PRIVATE KEY-----',
    ],
  ])('should refuse %s as unreadable', (_name, text) => {
    expect(() => readPem(text)).toThrow(Unreadable);
  });

  it('should refuse a PEM with a bad body without putting the body in the error', () => {
    const text = `-----BEGIN PRIVATE KEY-----\n${base64.slice(0, -1)}\n-----END PRIVATE KEY-----`;
    let thrown: unknown;
    try {
      readPem(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Unreadable);
    expect(String(thrown)).not.toContain(base64.slice(0, 40));
  });
});

describe('contains', () => {
  it.each<[string, number[], number[], boolean]>([
    ['a run at the very end', [1, 2, 3], [2, 3], true],
    ['a run that is the whole haystack', [1, 2, 3], [1, 2, 3], true],
    ['a run at the start', [1, 2, 3], [1, 2], true],
    ['a run longer than the haystack', [1, 2], [1, 2, 3], false],
    ['a run cut off by the end', [1, 2, 3], [3, 4], false],
  ])('should answer for %s', (_name, haystack, needle, found) => {
    expect(contains(Uint8Array.from(haystack), Uint8Array.from(needle))).toBe(found);
  });
});

describe('importablePkcs8', () => {
  const version = Uint8Array.of(0x02, 0x01, 0x00);
  const algorithm = derSequence(RSA_ENCRYPTION, NULL);
  const key = derElement(0x04, Uint8Array.of(1, 2, 3));

  it('should give a well-framed PrivateKeyInfo back as it is', () => {
    const der = derSequence(version, algorithm, key);
    expect(importablePkcs8(der, 'RSA')).toBe(der);
    expect(importablePkcs8(pkcs8Der, 'P-256')).toBe(pkcs8Der);
  });

  it.each<[string, Uint8Array]>([
    ['bytes that are no sequence', Uint8Array.of(0x04, 0)],
    ['an empty sequence', Uint8Array.of(0x30, 0)],
    ['a version alone', derSequence(version)],
    ['no key after the algorithm', derSequence(version, algorithm)],
    ['a version that is no integer', derSequence(derElement(0x05), algorithm, key)],
    ['an algorithm that is no sequence', derSequence(version, derElement(0x04), key)],
    ['a key that is no octet string', derSequence(version, algorithm, derElement(0x05))],
  ])('should refuse %s as unreadable', (_name, der) => {
    expect(() => importablePkcs8(der, undefined)).toThrow(Unreadable);
    expect(() => importablePkcs8(der, 'RSA-PSS')).toThrow(Unreadable);
  });
});
