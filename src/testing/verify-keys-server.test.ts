import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { generateDeliveryKeyPair } from './deliveries.js';
import { serveVerifyKeys } from './verify-keys-server.js';

describe('serveVerifyKeys', () => {
  it('should serve the JWKS at /auth/verify_keys, as Upvest does, and a 404 elsewhere', async () => {
    const { jwks } = generateDeliveryKeyPair();
    const keys = await serveVerifyKeys(jwks);
    try {
      expect(keys.url).toBe(`http://127.0.0.1:${keys.port}/auth/verify_keys`);
      expect(await (await fetch(`${keys.url}?fresh=1`)).json()).toEqual(jwks);
      const other = await fetch(new URL('/keys', keys.url));
      expect(other.status).toBe(404);
      expect(other.headers.get('content-type')).toBe('application/problem+json');
    } finally {
      await keys.close();
    }
    await expect(fetch(keys.url)).rejects.toThrow();
  });

  it('should reject when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      await expect(serveVerifyKeys({ keys: [] }, { port })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      taken.close();
    }
  });
});
