import type { Problem } from './types.js';
import type { ValidationIssue } from './validation-issue.js';

/**
 * The stable `code` of every error this package throws, one per subclass: switch on it.
 *
 * @example
 * ```ts
 * const retryLater: UpvestErrorCode[] = ['network_error', 'timeout'];
 * ```
 */
export type UpvestErrorCode = keyof UpvestErrorsByCode;

/**
 * Each error class by its `code`, for {@link isUpvestWebhooksError}'s narrowing.
 *
 * @example
 * ```ts
 * type Timeout = UpvestErrorsByCode['timeout']; // UpvestTimeoutError
 * ```
 */
export interface UpvestErrorsByCode {
  validation_failed: UpvestValidationError;
  api_error: UpvestApiError;
  invalid_response: UpvestResponseError;
  network_error: UpvestNetworkError;
  timeout: UpvestTimeoutError;
  aborted: UpvestAbortError;
  authentication_failed: UpvestAuthenticationError;
  configuration_error: UpvestConfigurationError;
  signing_failed: UpvestSigningError;
  missing_component: MissingComponentError;
  verification_keys_unavailable: VerificationKeysUnavailableError;
}

// A registered symbol, the same in every copy of the package a process loads (a bundle and
// node_modules, two versions side by side), where `instanceof` sees two unrelated classes.
const BRAND = Symbol.for('upvest-webhooks.error');

/**
 * Every error this package throws is an `UpvestWebhooksError`; switch on `code` (a
 * {@link UpvestErrorCode}) or narrow with {@link isUpvestWebhooksError}, which also works when
 * two copies of the package are loaded. `instanceof` works within one copy.
 *
 * @example
 * ```ts
 * try {
 *   await client.create(input);
 * } catch (error) {
 *   if (isUpvestWebhooksError(error, 'validation_failed')) console.table(error.issues);
 *   else if (isUpvestApiError(error, 404)) console.log('gone');
 *   else throw error;
 * }
 * ```
 */
export class UpvestWebhooksError extends Error {
  /** A stable discriminant, one per subclass. */
  readonly code: UpvestErrorCode;

  constructor(code: UpvestErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /** The brand {@link isUpvestWebhooksError} checks. */
  get [BRAND](): true {
    return true;
  }
}

/**
 * Whether a value is an error of this package, optionally with one `code`; narrows to that
 * code's class. Unlike `instanceof`, it recognises errors of another copy of the package.
 *
 * @example
 * ```ts
 * if (isUpvestWebhooksError(error, 'timeout')) console.log(error.timeoutMs);
 * else if (isUpvestWebhooksError(error)) console.log(error.code);
 * ```
 */
export function isUpvestWebhooksError(error: unknown): error is UpvestWebhooksError;
export function isUpvestWebhooksError<C extends UpvestErrorCode>(
  error: unknown,
  code: C,
): error is UpvestErrorsByCode[C];
export function isUpvestWebhooksError(error: unknown, code?: UpvestErrorCode): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const branded = (error as { [BRAND]?: unknown })[BRAND] === true;
  return branded && (code === undefined || (error as UpvestWebhooksError).code === code);
}

/**
 * Input broke the schema or a business rule. Thrown by the client **before** any request is
 * sent; nothing reached the server.
 *
 * @example
 * ```ts
 * if (error instanceof UpvestValidationError) {
 *   for (const issue of error.issues) console.log(issue.path, issue.code);
 * }
 * ```
 */
export class UpvestValidationError extends UpvestWebhooksError {
  readonly issues: readonly ValidationIssue[];

  constructor(what: string, issues: readonly ValidationIssue[]) {
    const first = issues[0];
    const summary = first ? `${first.path || '/'}: ${first.message}` : 'invalid input';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('validation_failed', `${what} is invalid: ${summary}${more}`);
    this.issues = issues;
  }
}

/**
 * The API answered with a non-2xx status.
 *
 * @example
 * ```ts
 * if (error instanceof UpvestApiError) {
 *   console.log(error.status, error.problem?.type, error.requestId);
 * }
 * ```
 */
export class UpvestApiError<Status extends number = number> extends UpvestWebhooksError {
  /** The HTTP status code. */
  readonly status: Status;
  /** The parsed `application/problem+json` body, or `undefined` when the body was not one. */
  readonly problem: Problem | undefined;
  /** The `upvest-request-id` response header: quote it to Upvest support. */
  readonly requestId: string | undefined;
  /** The operation that failed, e.g. `create_webhook`. */
  readonly operation: string;

  constructor(init: {
    operation: string;
    status: Status;
    problem: Problem | undefined;
    requestId: string | undefined;
    message?: string;
  }) {
    const reason = init.problem?.detail ?? init.problem?.title ?? init.problem?.type;
    super(
      'api_error',
      init.message ??
        `${init.operation} failed with HTTP ${init.status}${reason ? `: ${reason}` : ''}` +
          (init.requestId ? ` (upvest-request-id ${init.requestId})` : ''),
    );
    this.status = init.status;
    this.problem = init.problem;
    this.requestId = init.requestId;
    this.operation = init.operation;
  }
}

/**
 * Narrows an error to an {@link UpvestApiError}, optionally of one status.
 *
 * @example
 * ```ts
 * try { await client.retrieve(id); } catch (error) {
 *   if (isUpvestApiError(error, 404)) return undefined; // error.status is 404 here
 *   throw error;
 * }
 * ```
 */
export function isUpvestApiError<S extends number = number>(
  error: unknown,
  status?: S,
): error is UpvestApiError<S> {
  return (
    isUpvestWebhooksError(error, 'api_error') && (status === undefined || error.status === status)
  );
}

/**
 * The response did not match the API's contract (strict response validation, a body that is not
 * JSON, a missing body). Carries the issues found.
 */
export class UpvestResponseError extends UpvestWebhooksError {
  readonly issues: readonly ValidationIssue[];
  readonly status: number;
  readonly requestId: string | undefined;
  readonly operation: string;

  constructor(init: {
    operation: string;
    status: number;
    requestId: string | undefined;
    issues: readonly ValidationIssue[];
    message: string;
    cause?: unknown;
  }) {
    super('invalid_response', init.message, { cause: init.cause });
    this.issues = init.issues;
    this.status = init.status;
    this.requestId = init.requestId;
    this.operation = init.operation;
  }
}

/**
 * The request never produced an HTTP response: connection refused or reset, DNS failure.
 * `requestMayHaveReachedServer` says whether a write may have taken effect.
 */
export class UpvestNetworkError extends UpvestWebhooksError {
  readonly operation: string;
  readonly requestMayHaveReachedServer: boolean;

  constructor(init: {
    operation: string;
    requestMayHaveReachedServer: boolean;
    message: string;
    cause?: unknown;
  }) {
    super('network_error', init.message, { cause: init.cause });
    this.operation = init.operation;
    this.requestMayHaveReachedServer = init.requestMayHaveReachedServer;
  }
}

/** The deadline passed before a response arrived. A write may or may not have taken effect. */
export class UpvestTimeoutError extends UpvestWebhooksError {
  readonly operation: string;
  readonly timeoutMs: number;
  readonly requestMayHaveReachedServer: boolean;

  constructor(init: {
    operation: string;
    timeoutMs: number;
    requestMayHaveReachedServer: boolean;
    message: string;
  }) {
    super('timeout', init.message);
    this.operation = init.operation;
    this.timeoutMs = init.timeoutMs;
    this.requestMayHaveReachedServer = init.requestMayHaveReachedServer;
  }
}

/** The caller's `AbortSignal` aborted the request. */
export class UpvestAbortError extends UpvestWebhooksError {
  readonly operation: string;

  constructor(operation: string, cause?: unknown) {
    super('aborted', `${operation} was aborted by the caller`, { cause });
    this.operation = operation;
  }
}

/**
 * `POST /auth/token` refused the client credentials (HTTP 401) or answered something that is not
 * a token. Never contains the client secret.
 *
 * @example
 * ```ts
 * if (error instanceof UpvestAuthenticationError) console.log('check UPVEST_CLIENT_ID/SECRET', error.status);
 * ```
 */
export class UpvestAuthenticationError extends UpvestWebhooksError {
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(init: { status: number; requestId: string | undefined; message: string }) {
    super('authentication_failed', init.message);
    this.status = init.status;
    this.requestId = init.requestId;
  }
}

/**
 * The client is misconfigured (missing credentials, an unusable key, a bad base URL). Never
 * contains the secret itself.
 */
export class UpvestConfigurationError extends UpvestWebhooksError {
  declare readonly code: 'configuration_error' | 'signing_failed' | 'missing_component';

  constructor(message: string, options?: { cause?: unknown }) {
    super('configuration_error', message, options);
  }
}

/**
 * The request signer failed, so nothing was sent: an unusable private key, a key id missing, or
 * a custom `RequestSigner` that threw. A configuration problem, hence the subclass; the
 * signer's own error is the `cause`. Never contains key material.
 *
 * @example
 * ```ts
 * if (error instanceof UpvestSigningError) console.log('check UPVEST_KEY_ID and the private key', error.operation);
 * ```
 */
export class UpvestSigningError extends UpvestConfigurationError {
  override readonly code = 'signing_failed';
  /** The operation whose request could not be signed, e.g. `issue_token`. */
  readonly operation: string;

  constructor(init: { operation: string; message: string; cause?: unknown }) {
    super(init.message, { cause: init.cause });
    this.operation = init.operation;
  }
}

/**
 * A covered component could not be derived from the message: a header is absent, the URL is not
 * absolute where it must be, or the identifier uses a parameter this package does not support.
 * Signing throws it; verification reports it as `missing_component`.
 *
 * @example
 * ```ts
 * if (isUpvestWebhooksError(error, 'missing_component')) console.log(error.component); // 'content-type'
 * ```
 */
export class MissingComponentError extends UpvestConfigurationError {
  override readonly code = 'missing_component';
  /** The component identifier, as written in `signature-input` but unquoted. */
  readonly component: string;

  constructor(component: string, detail: string) {
    super(`cannot derive ${component}: ${detail}`);
    this.component = component;
  }
}

/**
 * Upvest's verification keys could not be fetched, so a delivery can be neither accepted nor
 * refused: the handlers answer 503 and Upvest retries (R15).
 *
 * @example
 * ```ts
 * try {
 *   await keys.refresh();
 * } catch (error) {
 *   if (isUpvestWebhooksError(error, 'verification_keys_unavailable')) console.warn(error.message);
 * }
 * ```
 */
export class VerificationKeysUnavailableError extends UpvestWebhooksError {
  declare readonly code: 'verification_keys_unavailable';

  constructor(message: string, options?: { cause?: unknown }) {
    super('verification_keys_unavailable', message, options);
  }
}
