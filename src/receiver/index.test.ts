import { describe, expect, it } from 'vitest';
import * as main from '../index.js';
import * as receiver from './index.js';

describe('upvest-webhooks/receiver', () => {
  it('should export what the main entry exports under the same names, the same values', () => {
    const names = Object.keys(receiver);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      expect(main[name as keyof typeof main], name).toBe(receiver[name as keyof typeof receiver]);
    }
  });

  it('should offer a receiver everything it needs and nothing of the client', () => {
    expect(Object.keys(receiver)).toEqual(
      expect.arrayContaining([
        'createNodeDeliveryHandler',
        'createFetchDeliveryHandler',
        'createVerificationKeyProvider',
        'verifyDelivery',
        'parseDelivery',
        'createMemoryDedupeStore',
      ]),
    );
    expect(Object.keys(receiver)).not.toContain('createWebhooksClient');
    expect(Object.keys(receiver)).not.toContain('createOAuthTokenProvider');
  });
});
