import { describe, expectTypeOf, it } from 'vitest';
import type { WebhookCategory as GeneratedWebhookCategory } from '../types.js';
import { isWebhookCategory, type WebhookCategory } from './categories.js';

describe('WebhookCategory', () => {
  it('should be the union of the 27 literal strings of the spec', () => {
    expectTypeOf<WebhookCategory>().toEqualTypeOf<
      | 'ALL'
      | 'USER'
      | 'USER_CHECK'
      | 'ORDER'
      | 'ORDER_CANCELLATION'
      | 'EXECUTION'
      | 'POSITION'
      | 'CASH_BALANCE'
      | 'ACCOUNT'
      | 'ACCOUNT_GROUP'
      | 'REPORT'
      | 'TREASURY_REPORT'
      | 'DIRECT_DEBIT'
      | 'WITHDRAWAL'
      | 'PORTFOLIO'
      | 'PORTFOLIO_ALLOCATION'
      | 'PORTFOLIO_ORDER'
      | 'CORPORATE_ACTION'
      | 'ACCOUNT_VALUATION'
      | 'INTRADAY_ACCOUNT_VALUATION'
      | 'CASH_TRANSACTION'
      | 'SECURITY_TRANSACTION'
      | 'ACCOUNT_LIQUIDATION'
      | 'ACCOUNT_RETURNS'
      | 'VIRTUAL_CASH_INCREASE'
      | 'VIRTUAL_CASH_DECREASE'
      | 'FEE_COLLECTION'
    >();
  });

  it('should not widen to string', () => {
    expectTypeOf<string>().not.toExtend<WebhookCategory>();
    expectTypeOf<'USER.CREATED'>().not.toExtend<WebhookCategory>();
  });

  it('should be the same union in the runtime list and the generated OpenAPI types', () => {
    expectTypeOf<WebhookCategory>().toEqualTypeOf<GeneratedWebhookCategory>();
  });
});

describe('isWebhookCategory', () => {
  it('should narrow unknown values to WebhookCategory', () => {
    const value: unknown = 'USER';
    if (isWebhookCategory(value)) expectTypeOf(value).toEqualTypeOf<WebhookCategory>();
    expectTypeOf(isWebhookCategory).guards.toEqualTypeOf<WebhookCategory>();
  });
});
