import { describe, expectTypeOf, it } from 'vitest';
import { isUpvestApiError } from '../errors.js';
import type { Webhook, WebhookCategory, WebhookCreateRequest } from '../types.js';
import { createWebhooksClient, type WebhooksClient } from './webhooks-client.js';

declare const client: WebhooksClient;

describe('WebhooksClient types', () => {
  it('should be what createWebhooksClient returns', () => {
    expectTypeOf(createWebhooksClient).returns.toEqualTypeOf<WebhooksClient>();
  });

  it('should take the create request of the spec and resolve to a Webhook', () => {
    expectTypeOf<Parameters<WebhooksClient['create']>[0]>().toEqualTypeOf<WebhookCreateRequest>();
    expectTypeOf<ReturnType<WebhooksClient['create']>>().toEqualTypeOf<Promise<Webhook>>();
  });

  it('should keep date-times as strings and categories as a string union, not enums', () => {
    expectTypeOf<Webhook['created_at']>().toEqualTypeOf<string>();
    expectTypeOf<'USER'>().toExtend<WebhookCategory>();
    expectTypeOf<'USERS'>().not.toExtend<WebhookCategory>();
  });

  it('should narrow API errors by status', () => {
    const error: unknown = undefined;
    if (isUpvestApiError(error, 404)) expectTypeOf(error.status).toEqualTypeOf<404>();
  });

  it('should not compile wrong request shapes', () => {
    const url = 'https://tenant.tld/webhooks/users';
    // @ts-expect-error enabled is not part of a create request (R8)
    void client.create({ title: 'User webhook', url, enabled: true });
    // @ts-expect-error url is required
    void client.create({ title: 'User webhook' });
    // @ts-expect-error USERS is not a category
    void client.create({ title: 'User webhook', url, type: ['USERS'] });
    // @ts-expect-error max_package_size is a number of bytes
    void client.create({ title: 'User webhook', url, config: { max_package_size: '10 KiB' } });
    // @ts-expect-error id is read-only and not part of an update
    void client.update('a8eb3540-5a84-40f9-b2bb-7f99f282fc5a', { id: 'x' });
    // @ts-expect-error sort takes the documented fields only
    void client.list({ sort: 'id' });
    // @ts-expect-error offset is managed by listAll
    void client.listAll({ offset: 10 });
  });
});
