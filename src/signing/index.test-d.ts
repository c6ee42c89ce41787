import { createPrivateKey, type KeyObject } from 'node:crypto';
import { describe, expectTypeOf, it } from 'vitest';
import { componentValue } from './components.js';
import { parseSignatureInput } from './params.js';
import {
  createUpvestSigner,
  upvestSignatureHeaders,
  verifyUpvestRequest,
} from './upvest-profile.js';
import type * as entry from './index.js';
import {
  contentDigest,
  signRequest,
  verifyContentDigest,
  verifyRequestSignature,
  type BaseFormat,
  type DigestCheck,
  type EcdsaEncoding,
  type HttpMessage,
  type KeyInput,
  type NodeKeyObjectLike,
  type SigningJwk,
  type SignatureAlgorithm,
  type SignatureFailureReason,
  type SignatureVerification,
  type SignedRequest,
  type VerifySignatureOptions,
} from './index.js';

const request: HttpMessage = { method: 'GET', url: 'https://x.tld/', headers: {} };

describe('the signing module types', () => {
  it('should keep the building blocks out of upvest-webhooks/signing', () => {
    expectTypeOf<typeof entry>().toHaveProperty('signRequest');
    expectTypeOf<typeof entry>().not.toHaveProperty('componentValue');
    expectTypeOf<typeof entry>().not.toHaveProperty('parseSignatureInput');
    expectTypeOf<typeof entry>().not.toHaveProperty('signBase');
    // Upvest's profile is the main entry's, not a second export of the same name here.
    expectTypeOf<typeof entry>().not.toHaveProperty('createUpvestSigner');
  });

  it('should take the documented inputs and give back headers as a plain record', () => {
    expectTypeOf(signRequest).parameter(0).toEqualTypeOf<HttpMessage>();
    expectTypeOf(signRequest).returns.resolves.toEqualTypeOf<SignedRequest>();
    expectTypeOf<SignedRequest['headers']>().toEqualTypeOf<Record<string, string>>();
    expectTypeOf(upvestSignatureHeaders).returns.resolves.toEqualTypeOf<Record<string, string>>();
    expectTypeOf<KeyObject>().toExtend<KeyInput>();
    expectTypeOf<Uint8Array>().toExtend<KeyInput>();
    expectTypeOf<Headers>().toExtend<HttpMessage['headers']>();
    expectTypeOf<{ accept: string[] }>().toExtend<HttpMessage['headers']>();
  });

  it("should take node:crypto's KeyObject without naming it: keys are typed by their shape", () => {
    // A real KeyObject, of each kind, is a NodeKeyObjectLike, hence a KeyInput.
    expectTypeOf(createPrivateKey('pem')).toExtend<NodeKeyObjectLike>();
    expectTypeOf<KeyObject>().toExtend<NodeKeyObjectLike>();
    expectTypeOf<NodeKeyObjectLike>().toExtend<KeyInput>();
    expectTypeOf(signRequest)
      .parameter(1)
      .toHaveProperty('privateKey')
      .toEqualTypeOf<string | SigningJwk | NodeKeyObjectLike | Uint8Array>();
    // Not anything with an export method: the kind of key is part of the shape.
    expectTypeOf<{ export(): Uint8Array }>().not.toExtend<NodeKeyObjectLike>();
  });

  it('should narrow the verdict on valid, with a reason only on failures', async () => {
    const verdict = await verifyRequestSignature(request, { keys: 'pem' });
    expectTypeOf(verdict).toEqualTypeOf<SignatureVerification>();
    if (verdict.ok) {
      expectTypeOf(verdict.algorithm).toEqualTypeOf<SignatureAlgorithm>();
      expectTypeOf(verdict.baseFormat).toEqualTypeOf<BaseFormat>();
      expectTypeOf(verdict.ecdsaEncoding).toEqualTypeOf<EcdsaEncoding | undefined>();
      expectTypeOf(verdict.coveredComponents).toEqualTypeOf<readonly string[]>();
      // @ts-expect-error a valid verdict has no reason
      void verdict.reason;
    } else {
      expectTypeOf(verdict.reason).toEqualTypeOf<SignatureFailureReason>();
    }
    expectTypeOf(verifyUpvestRequest).returns.resolves.toEqualTypeOf<SignatureVerification>();
  });

  it('should accept one key, a map of keys, or a lookup, and only known option values', () => {
    expectTypeOf<{ keys: Map<string, string> }>().toExtend<VerifySignatureOptions>();
    expectTypeOf<{ keys: () => Promise<undefined> }>().toExtend<VerifySignatureOptions>();
    expectTypeOf<{ keys: string; baseFormat: 'either' }>().toExtend<VerifySignatureOptions>();
    expectTypeOf<{ keys: string; baseFormat: 'v6' }>().not.toExtend<VerifySignatureOptions>();
    expectTypeOf<{ keys: string; ecdsaEncoding: 'raw' }>().not.toExtend<VerifySignatureOptions>();
  });

  it('should type the digest helpers and the structured readers', () => {
    expectTypeOf(contentDigest).parameter(1).toEqualTypeOf<'sha-512' | 'sha-256' | undefined>();
    expectTypeOf(verifyContentDigest).returns.resolves.toEqualTypeOf<DigestCheck>();
    expectTypeOf(contentDigest).returns.resolves.toEqualTypeOf<string>();
    expectTypeOf(componentValue).returns.toEqualTypeOf<string>();
    const parsed = parseSignatureInput('sig1=()');
    if (parsed.ok) expectTypeOf(parsed.value.get('sig1')).not.toBeAny();
    else expectTypeOf(parsed.message).toEqualTypeOf<string>();
    expectTypeOf(createUpvestSigner).parameter(0).toHaveProperty('keyId').toEqualTypeOf<string>();
  });
});
