import { describe, expectTypeOf, it } from 'vitest';
import {
  isUpvestWebhooksError,
  type UpvestErrorCode,
  type UpvestTimeoutError,
  type UpvestWebhooksError,
  type VerificationKeysUnavailableError,
} from './errors.js';

describe('error codes', () => {
  it('should be a union of literals a caller can switch on, not a string', () => {
    expectTypeOf<string>().not.toEqualTypeOf<UpvestErrorCode>();
    expectTypeOf<'timeout'>().toExtend<UpvestErrorCode>();
    expectTypeOf<'no_such_code'>().not.toExtend<UpvestErrorCode>();
    expectTypeOf<UpvestWebhooksError['code']>().toEqualTypeOf<UpvestErrorCode>();
  });

  it('should narrow to the class of the code', () => {
    const error: unknown = undefined;
    if (isUpvestWebhooksError(error, 'timeout')) {
      expectTypeOf(error).toEqualTypeOf<UpvestTimeoutError>();
      expectTypeOf(error.timeoutMs).toEqualTypeOf<number>();
    }
    if (isUpvestWebhooksError(error, 'verification_keys_unavailable')) {
      expectTypeOf(error).toEqualTypeOf<VerificationKeysUnavailableError>();
    }
    if (isUpvestWebhooksError(error)) expectTypeOf(error).toEqualTypeOf<UpvestWebhooksError>();
  });
});
