import { describe, expect, it } from 'vitest';
import { signBase } from './algorithms.js';
import { buildSignatureBase } from './base.js';
import {
  generatedP521Vector,
  rfcKeys,
  rfcTransformations,
  rfcVectors,
  type RfcKeyName,
  type RfcVector,
} from './fixtures/rfc9421.js';
import { toSigningKey, type KeyInput } from './keys.js';
import type { HttpMessage } from './message.js';
import { parseSignatureField, parseSignatureInput, type SignatureInput } from './params.js';
import { signRequest } from './sign.js';
import { verifyRequestSignature } from './verify.js';

/**
 * The published vectors, end to end: RFC 9421 (and draft-15, whose wire format Upvest's v15
 * is) as a second implementation would check this one.
 */
const secret = Buffer.from(rfcKeys.sharedSecretBase64, 'base64');
const publicKeys: Record<RfcKeyName, KeyInput> = {
  rsa: rfcKeys.rsaPublicPem,
  'rsa-pss': rfcKeys.rsaPssPublicPem,
  p256: rfcKeys.p256PublicPem,
  ed25519: rfcKeys.ed25519PublicPem,
  'shared-secret': secret,
};
const privateKeys: Record<RfcKeyName, KeyInput> = {
  rsa: rfcKeys.rsaPrivatePem,
  'rsa-pss': rfcKeys.rsaPssPrivatePem,
  p256: rfcKeys.p256PrivatePem,
  ed25519: rfcKeys.ed25519PrivatePem,
  'shared-secret': secret,
};

function published(vector: RfcVector): { input: SignatureInput; signature: Uint8Array } {
  const inputs = parseSignatureInput(vector.signatureInput);
  const signatures = parseSignatureField(vector.signature);
  const input = inputs.ok ? inputs.value.get(vector.label) : undefined;
  const signature = signatures.ok ? signatures.value.get(vector.label) : undefined;
  if (!input?.ok || !signature?.ok) throw new Error(`${vector.id} does not parse`);
  return { input: input.value, signature: signature.value };
}

function signed(vector: RfcVector, message: HttpMessage = vector.message): HttpMessage {
  return {
    ...message,
    headers: {
      ...(message.headers as Record<string, string>),
      'signature-input': vector.signatureInput,
      signature: vector.signature,
    },
  };
}

const at = (vector: RfcVector) => () => published(vector).input.params.created ?? 0;

describe('RFC 9421 and draft-15 published signatures', () => {
  it.each(rfcVectors.map((v) => [v.id, v.alg, v] as const))(
    'should verify %s (%s) with the published key',
    async (_id, alg, vector) => {
      const verdict = await verifyRequestSignature(signed(vector), {
        keys: publicKeys[vector.key],
        label: vector.label,
        now: at(vector),
        // The RSA-PSS public key of B.1.2 is a plain RSA key: the algorithm is configured.
        ...(vector.key === 'rsa-pss' ? { algorithm: 'rsa-pss-sha512' as const } : {}),
      });
      expect(verdict).toMatchObject({
        ok: true,
        label: vector.label,
        algorithm: alg,
        coveredComponents: published(vector).input.components,
      });
      if (alg.startsWith('ecdsa-')) expect(verdict).toMatchObject({ ecdsaEncoding: 'ieee-p1363' });
    },
  );

  it.each(rfcVectors.filter((v) => v.deterministic).map((v) => [v.id, v.alg, v] as const))(
    'should reproduce the deterministic signature of %s (%s) byte for byte',
    async (_id, alg, vector) => {
      const { input, signature } = published(vector);
      const base = buildSignatureBase(vector.message, input.items, input.signatureParams);
      const again = await signBase(alg, toSigningKey(privateKeys[vector.key]), Buffer.from(base));
      expect(Buffer.from(again).toString('base64')).toBe(Buffer.from(signature).toString('base64'));
    },
  );

  it.each(['B.2.5', 'B.2.6', 'B.4', 'd15-4.3-proxy_sig'])(
    'should produce the exact published fields of %s through signRequest',
    async (id) => {
      const vector = rfcVectors.find((v) => v.id === id) as RfcVector;
      const { input } = published(vector);
      const { created, expires, keyid, alg } = input.params;
      const result = await signRequest(vector.message, {
        keyId: keyid ?? '',
        privateKey: privateKeys[vector.key],
        algorithm: vector.alg,
        label: vector.label,
        components: input.components,
        ...(created !== undefined ? { created } : {}),
        ...(expires !== undefined ? { expires } : {}),
        includeAlg: alg !== undefined,
      });
      expect(result.signatureBase).toBe(vector.signatureBase);
      expect(result.headers).toEqual({
        'signature-input': `${vector.label}=${input.signatureParams}`,
        signature: vector.signature.split(', ').find((m) => m.startsWith(`${vector.label}=`)),
      });
    },
  );

  it.each(
    rfcVectors
      .filter((v) => !v.deterministic && v.key !== 'shared-secret')
      .map((v) => [v.id, v.alg, v] as const),
  )(
    'should sign the %s base again (%s) so that the published key verifies it',
    async (_id, alg, vector) => {
      const { input } = published(vector);
      const base = buildSignatureBase(vector.message, input.items, input.signatureParams);
      const again = await signBase(
        alg,
        toSigningKey(privateKeys[vector.key]),
        Buffer.from(base),
        'ieee-p1363',
      );
      const message = signed(vector);
      const verdict = await verifyRequestSignature(
        {
          ...message,
          headers: {
            ...(message.headers as Record<string, string>),
            'signature-input': `${vector.label}=${input.signatureParams}`,
            signature: `${vector.label}=:${Buffer.from(again).toString('base64')}:`,
          },
        },
        {
          keys: publicKeys[vector.key],
          now: at(vector),
          algorithm: alg,
          ecdsaEncoding: 'ieee-p1363',
        },
      );
      expect(verdict).toMatchObject({ ok: true });
    },
  );
});

describe('RFC 9421 Appendix B.4 transformations', () => {
  const vector = rfcVectors.find((v) => v.id === 'B.4') as RfcVector;

  it.each(rfcTransformations.map((t) => [t.verifies ? 'survive' : 'break', t.change, t] as const))(
    'should %s %s',
    async (_verb, _change, transformation) => {
      const verdict = await verifyRequestSignature(signed(vector, transformation.message), {
        keys: publicKeys.ed25519,
        now: at(vector),
      });
      expect(verdict).toMatchObject(
        transformation.verifies ? { ok: true } : { ok: false, reason: 'bad_signature' },
      );
    },
  );
});

describe('the generated ecdsa-p521-sha512 vector (not from an RFC)', () => {
  const v = generatedP521Vector;
  const message = (signature: string): HttpMessage => ({
    ...v.message,
    headers: { ...v.message.headers, 'signature-input': v.signatureInput, signature },
  });
  const der = `sig1=:${v.derSignatureBase64}:`;

  it('should rebuild its base', () => {
    const { input } = published({ ...v, id: 'p521', label: 'sig1' } as unknown as RfcVector);
    expect(buildSignatureBase(v.message, input.items, input.signatureParams)).toBe(v.signatureBase);
  });

  it.each([
    ['accept', 'raw r||s', 'either', v.signature, true],
    ['accept', 'raw r||s', 'ieee-p1363', v.signature, true],
    ['refuse', 'raw r||s', 'der', v.signature, false],
    ['accept', 'DER', 'either', der, true],
    ['accept', 'DER', 'der', der, true],
    ['refuse', 'DER', 'ieee-p1363', der, false],
  ] as const)(
    'should %s its %s signature when accepting %s',
    async (_verb, _name, encoding, signature, valid) => {
      const verdict = await verifyRequestSignature(message(signature), {
        keys: v.publicJwk,
        now: () => 1618884473,
        ecdsaEncoding: encoding,
      });
      expect(verdict.ok).toBe(valid);
      if (verdict.ok) expect(verdict.algorithm).toBe('ecdsa-p521-sha512');
    },
  );

  it('should sign with its private JWK what its public JWK verifies', async () => {
    const result = await signRequest(v.message, {
      keyId: 'test-key-ecc-p521',
      privateKey: v.privateJwk,
      created: 1618884473,
      components: ['@method', '@target-uri', 'content-digest', 'content-type'],
    });
    expect(result.signatureBase).toBe(v.signatureBase);
    const verdict = await verifyRequestSignature(
      { ...v.message, headers: { ...v.message.headers, ...result.headers } },
      { keys: v.publicJwk, now: () => 1618884473 },
    );
    expect(verdict).toMatchObject({ ok: true, ecdsaEncoding: 'der' });
  });
});
