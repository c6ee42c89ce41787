import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWebhooksClient } from '../client/webhooks-client.js';
import { json, startLoopbackServer } from '../test-support/loopback-server.js';
import { createUpvestSigner } from './upvest-profile.js';

/**
 * An independent check of what the client puts on the wire: the signature base is rebuilt here
 * by hand from the received request, following Upvest's documentation (quoted names, one line
 * per component, `@signature-params` last), without any of the package's signing code, and
 * verified with node:crypto as Upvest's servers would (ECDSA P-521, SHA-512, DER).
 */
describe('signatures on the wire', () => {
  it('should be accepted by a verifier written from the documentation alone', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-521' });
    const server = await startLoopbackServer((_, response) =>
      json(response, 201, {
        id: 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a',
        created_at: '2021-07-21T14:10:00.00Z',
        updated_at: '2021-07-21T14:10:00.00Z',
        title: 'User webhook',
        url: 'https://tenant.tld/webhooks/users',
        type: ['USER'],
        enabled: false,
        config: {},
      }),
    );
    try {
      const client = createWebhooksClient({
        baseUrl: server.url,
        clientId: 'ebabcf4d-61c3-4942-875c-e265a7c2d062',
        accessToken: 'dG9rZW4',
        signer: createUpvestSigner({ keyId: 'independent', privateKey }),
      });
      await client.create({ title: 'User webhook', url: 'https://tenant.tld/webhooks/users' });

      const [request] = server.received;
      const headers = request?.headers ?? {};
      const input = String(headers['signature-input']);
      const list = /^sig1=\(([^)]*)\)(.*)$/.exec(input);
      expect(list).not.toBeNull();
      const components = (list?.[1] ?? '').split(' ').map((c) => c.slice(1, -1));
      const value = (name: string) => {
        if (name === '@method') return request?.method ?? '';
        if (name === '@path') return new URL(request?.url ?? '', 'http://x').pathname;
        return String(headers[name]);
      };
      const base = [
        ...components.map((c) => `"${c}": ${value(c)}`),
        `"@signature-params": ${input.slice('sig1='.length)}`,
      ].join('\n');
      const signature = Buffer.from(
        String(headers['signature']).slice('sig1=:'.length, -1),
        'base64',
      );

      expect(headers['upvest-signature-version']).toBe('15');
      expect(components).toEqual(
        expect.arrayContaining([
          '@method',
          '@path',
          'authorization',
          'content-digest',
          'upvest-client-id',
        ]),
      );
      expect(headers['content-digest']).toBe(
        `sha-512=:${createHash('sha512')
          .update(request?.body ?? '')
          .digest('base64')}:`,
      );
      expect(headers['content-length']).toBe(String(Buffer.byteLength(request?.body ?? '')));
      expect(
        verify('sha512', Buffer.from(base), { key: publicKey, dsaEncoding: 'der' }, signature),
      ).toBe(true);
    } finally {
      await server.close();
    }
  });
});
