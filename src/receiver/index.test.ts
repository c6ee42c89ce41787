import { describe, expect, it } from 'vitest';
import * as main from '../index.js';
import * as receiver from './index.js';

describe('upvest-webhooks/receiver', () => {
  it('should be the one home of the receiving names: the main entry shares only the errors', () => {
    const shared = Object.keys(receiver).filter((name) => name in main);
    expect(shared.sort()).toEqual(['VerificationKeysUnavailableError', 'isUpvestWebhooksError']);
    for (const name of shared) {
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
