import { describe, expect, it } from 'vitest';
import { runSigner, SignerFailure, type OutgoingRequest } from './signer.js';

const request: OutgoingRequest = {
  method: 'GET',
  url: 'https://api.upvest.co/webhooks',
  headers: new Headers({ accept: 'application/json' }),
  body: undefined,
};

describe('runSigner', () => {
  it("should return the signer's headers", async () => {
    await expect(runSigner(() => ({ signature: 'sig1=:AA==:' }), request)).resolves.toEqual({
      signature: 'sig1=:AA==:',
    });
  });

  it.each([
    [
      'throws',
      () => {
        throw new Error('no key');
      },
    ],
    ['rejects', () => Promise.reject(new Error('no key'))],
  ])(
    'should turn a signer that %s into a SignerFailure carrying its error, so nothing is sent',
    async (_name, signer) => {
      const failure = await runSigner(signer, request).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SignerFailure);
      expect(failure).toMatchObject({
        name: 'SignerFailure',
        message: 'the request signer failed',
        cause: new Error('no key'),
      });
    },
  );
});
