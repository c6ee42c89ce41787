import { describe, expect, it, vi } from 'vitest';
import * as errors from './errors.js';
import {
  isUpvestApiError,
  isUpvestWebhooksError,
  MissingComponentError,
  UpvestAbortError,
  UpvestApiError,
  UpvestAuthenticationError,
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestResponseError,
  UpvestSigningError,
  UpvestTimeoutError,
  UpvestValidationError,
  VerificationKeysUnavailableError,
  type UpvestErrorCode,
  type UpvestWebhooksError,
} from './errors.js';

/** One instance of every error class, built from a module's own classes. */
function everyError(module: typeof errors): [UpvestErrorCode, string, UpvestWebhooksError][] {
  const operation = 'create_webhook';
  return [
    ['validation_failed', 'UpvestValidationError', new module.UpvestValidationError('input', [])],
    [
      'api_error',
      'UpvestApiError',
      new module.UpvestApiError({ operation, status: 404, problem: undefined, requestId: 'r' }),
    ],
    [
      'invalid_response',
      'UpvestResponseError',
      new module.UpvestResponseError({
        operation,
        status: 200,
        requestId: undefined,
        issues: [],
        message: 'bad',
      }),
    ],
    [
      'network_error',
      'UpvestNetworkError',
      new module.UpvestNetworkError({
        operation,
        requestMayHaveReachedServer: false,
        message: 'x',
      }),
    ],
    [
      'timeout',
      'UpvestTimeoutError',
      new module.UpvestTimeoutError({
        operation,
        timeoutMs: 5,
        requestMayHaveReachedServer: true,
        message: 'slow',
      }),
    ],
    ['aborted', 'UpvestAbortError', new module.UpvestAbortError(operation)],
    [
      'authentication_failed',
      'UpvestAuthenticationError',
      new module.UpvestAuthenticationError({ status: 401, requestId: undefined, message: 'no' }),
    ],
    ['configuration_error', 'UpvestConfigurationError', new module.UpvestConfigurationError('x')],
    [
      'signing_failed',
      'UpvestSigningError',
      new module.UpvestSigningError({ operation, message: 'no key' }),
    ],
    [
      'missing_component',
      'MissingComponentError',
      new module.MissingComponentError('content-type', 'absent'),
    ],
    [
      'verification_keys_unavailable',
      'VerificationKeysUnavailableError',
      new module.VerificationKeysUnavailableError('down'),
    ],
  ];
}

describe('the error hierarchy', () => {
  it.each(everyError(errors))('should give %s to a %s, an UpvestWebhooksError', (code, name, e) => {
    expect(e.code).toBe(code);
    expect(e.name).toBe(name);
    expect(e).toBeInstanceOf(errors.UpvestWebhooksError);
    expect(e).toBeInstanceOf(Error);
  });

  it('should use every code once, so a switch on code tells the classes apart', () => {
    const codes = everyError(errors).map(([code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('should keep signing and missing-component errors configuration errors', () => {
    expect(new UpvestSigningError({ operation: 'x', message: 'm' })).toBeInstanceOf(
      UpvestConfigurationError,
    );
    expect(new MissingComponentError('@path', 'x')).toBeInstanceOf(UpvestConfigurationError);
  });
});

describe('isUpvestWebhooksError', () => {
  it.each(everyError(errors))('should recognise a %s error by its code alone', (code, _, error) => {
    expect(isUpvestWebhooksError(error)).toBe(true);
    expect(isUpvestWebhooksError(error, code)).toBe(true);
    const other: UpvestErrorCode = code === 'timeout' ? 'aborted' : 'timeout';
    expect(isUpvestWebhooksError(error, other)).toBe(false);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'timeout'],
    ['a plain Error', new Error('timeout')],
    [
      'an object that only copies the code and name',
      { code: 'timeout', name: 'UpvestTimeoutError' },
    ],
    ['an Error given the same code', Object.assign(new Error('x'), { code: 'api_error' })],
  ])('should refuse %s', (_, value) => {
    expect(isUpvestWebhooksError(value)).toBe(false);
    expect(isUpvestWebhooksError(value, 'timeout')).toBe(false);
    expect(isUpvestApiError(value)).toBe(false);
  });

  it('should recognise errors thrown by a second copy of the package, where instanceof fails', async () => {
    vi.resetModules();
    const copy = await import('./errors.js');
    expect(copy.UpvestTimeoutError).not.toBe(UpvestTimeoutError);
    for (const [code, , error] of everyError(copy)) {
      expect(error).not.toBeInstanceOf(errors.UpvestWebhooksError);
      expect(isUpvestWebhooksError(error, code)).toBe(true);
    }
    const notFound = new copy.UpvestApiError({
      operation: 'retrieve_webhook',
      status: 404,
      problem: undefined,
      requestId: undefined,
    });
    expect(notFound).not.toBeInstanceOf(UpvestApiError);
    expect(isUpvestApiError(notFound, 404)).toBe(true);
    expect(isUpvestApiError(notFound, 410)).toBe(false);
  });
});

describe('isUpvestApiError', () => {
  const error = new UpvestApiError({
    operation: 'retrieve_webhook',
    status: 404,
    problem: undefined,
    requestId: undefined,
  });

  it.each([
    ['any status', undefined, true],
    ['its own status', 404, true],
    ['another status', 409, false],
  ])('should match an API error given %s', (_, status, expected) => {
    expect(isUpvestApiError(error, status)).toBe(expected);
  });

  it.each([
    [
      'a network error',
      new UpvestNetworkError({ operation: 'x', requestMayHaveReachedServer: false, message: 'm' }),
    ],
    [
      'an authentication error with a status',
      new UpvestAuthenticationError({ status: 404, requestId: undefined, message: 'm' }),
    ],
    [
      'a response error with a status',
      new UpvestResponseError({
        operation: 'x',
        status: 404,
        requestId: undefined,
        issues: [],
        message: 'm',
      }),
    ],
    ['an abort', new UpvestAbortError('x')],
    ['a validation error', new UpvestValidationError('x', [])],
    ['a key-set outage', new VerificationKeysUnavailableError('x')],
  ])('should not match %s', (_, other) => {
    expect(isUpvestApiError(other)).toBe(false);
    expect(isUpvestApiError(other, 404)).toBe(false);
  });
});
