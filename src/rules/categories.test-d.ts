import { describe, expectTypeOf, it } from 'vitest';
import type { WebhookCategory } from '../types.js';
import { isWebhookCategory, type WebhookCategoryName } from './categories.js';

describe('category types', () => {
  it('should be the same string union in the runtime list and the generated types', () => {
    expectTypeOf<WebhookCategoryName>().toEqualTypeOf<WebhookCategory>();
  });

  it('should narrow unknown values with isWebhookCategory', () => {
    const value: unknown = 'USER';
    if (isWebhookCategory(value)) expectTypeOf(value).toEqualTypeOf<WebhookCategory>();
  });
});
