import { operations as operationTable, type OperationId } from '../../generated/constants.js';
import {
  UpvestAbortError,
  UpvestApiError,
  UpvestConfigurationError,
  UpvestNetworkError,
  UpvestSigningError,
  UpvestTimeoutError,
  UpvestWebhooksError,
} from '../errors.js';
import { checkedToken, resolveAccessToken } from '../wire/access-token.js';
import { causeCode, neverConnected } from '../wire/network-failure.js';
import { parseProblem } from '../wire/problem.js';
import { createRedactor } from '../wire/redact.js';
import { SignerFailure } from '../wire/signer.js';
import type { ClientSettings } from './options.js';
import {
  backoffMs,
  isIdempotent,
  provablyNotProcessed,
  retryAfterMs,
  shouldRetry,
  type AttemptOutcome,
} from './retry-policy.js';
import { wireRequest, type AttemptInit, type RawResult } from './transport.js';
import { upvestHeaders } from '../wire/upvest-headers.js';
import { log, type Logger } from '../wire/logger.js';
import type { TelemetrySpan } from '../wire/telemetry.js';

/** A successful attempt: the body still unparsed (JSON bodies are read as text). */
export interface Answer {
  readonly data: unknown;
  readonly response: Response;
  readonly requestId: string | undefined;
  /** Secrets this call used, to scrub from what the body makes it into issues. */
  readonly secrets: readonly (string | undefined)[];
}

/** One operation, sent with its attempts: see {@link createSender}. */
export type Send = (
  operation: OperationId,
  call: (init: AttemptInit) => Promise<RawResult>,
  callerSignal?: AbortSignal,
) => Promise<Answer>;

/** How one attempt ended: an answer to return, or a failure with what a repeat needs to know. */
export type AttemptEnd =
  | { readonly kind: 'answer'; readonly answer: Answer }
  | {
      readonly kind: 'failed';
      readonly failure: UpvestWebhooksError;
      readonly outcome: AttemptOutcome;
      /** The operation a repeat is judged as: the call's, or the token request's. */
      readonly judgedAs: OperationId;
      /** `Retry-After`, in ms, when the answer had one. */
      readonly retryAfter: number | undefined;
      /** The token the attempt carried, to drop after a 401. */
      readonly token: string | undefined;
    };

/** What a call knows between its attempts. */
export interface CallState {
  /** The attempt about to run, from 1; a repeat after a 401 with a fresh token does not count. */
  readonly attempt: number;
  readonly refreshedAfter401: boolean;
  /** Set once an attempt may have reached the server and the call was repeated after it. */
  readonly repeatedAfterUnknown: boolean;
  readonly lastFailure: UpvestWebhooksError | undefined;
}

/** What the loop does after an attempt, decided by {@link nextStep}. */
export type NextStep =
  | { readonly do: 'return'; readonly answer: Answer }
  | { readonly do: 'throw'; readonly error: UpvestWebhooksError }
  | {
      readonly do: 'repeat';
      readonly state: CallState;
      /** The back-off to sleep first; none for the repeat with a fresh token after a 401. */
      readonly sleepMs: number | undefined;
      /** A token to drop before the repeat (the API answered 401 to it). */
      readonly invalidate: string | undefined;
    };

/** The fixed facts of one call that {@link nextStep} weighs. */
export interface StepContext {
  readonly operation: OperationId;
  readonly retry: ClientSettings['retry'];
  /** Whether the token source can drop a token (a provider with `invalidate`). */
  readonly canRefresh: boolean;
  /** The least time worth starting an attempt with. */
  readonly leastUseful: number;
  readonly deadline: number;
  readonly now: number;
}

/**
 * What to do after an attempt, decided from how it ended and what the call knows: return the
 * answer; repeat at once with a fresh token after a first 401 (a 401 means the request was not
 * processed, so even a create may be repeated); repeat after a back-off where `shouldRetry`
 * allows and the deadline leaves time; otherwise throw the failure. Pure: the time and the
 * jitter come in through `context` and `retry.random`.
 *
 * @example
 * ```ts
 * const step = nextStep(end, state, { operation, retry, canRefresh, leastUseful, deadline, now: Date.now() });
 * if (step.do === 'repeat') await sleep(step.sleepMs ?? 0);
 * ```
 */
export function nextStep(end: AttemptEnd, state: CallState, context: StepContext): NextStep {
  if (end.kind === 'answer') return { do: 'return', answer: end.answer };
  const { failure, outcome, judgedAs } = end;
  const { operation, retry } = context;
  if (
    outcome.kind === 'status' &&
    outcome.status === 401 &&
    judgedAs === operation &&
    context.canRefresh &&
    !state.refreshedAfter401 &&
    end.token !== undefined
  ) {
    return {
      do: 'repeat',
      state: { ...state, refreshedAfter401: true, lastFailure: failure },
      sleepMs: undefined,
      invalidate: end.token,
    };
  }
  if (state.attempt >= retry.maxAttempts || !shouldRetry(judgedAs, outcome)) {
    return { do: 'throw', error: failure };
  }
  const wait = backoffMs(state.attempt, end.retryAfter, retry);
  if (context.now + wait + context.leastUseful > context.deadline) {
    return { do: 'throw', error: failure };
  }
  return {
    do: 'repeat',
    state: {
      attempt: state.attempt + 1,
      refreshedAfter401: state.refreshedAfter401,
      repeatedAfterUnknown:
        state.repeatedAfterUnknown || (judgedAs === operation && !provablyNotProcessed(outcome)),
      lastFailure: failure,
    },
    sleepMs: wait,
    invalidate: undefined,
  };
}

/**
 * The attempt loop of a client: {@link runAttempt}, then {@link nextStep} says what follows.
 * Each attempt resolves a token and is signed afresh, runs within `min(timeoutMs, time left to
 * the deadline)` and the caller's signal; a 401 invalidates the token and repeats the attempt
 * once; other failures are retried as `shouldRetry` allows. Throws the last failure as one of
 * the package's errors.
 *
 * @example
 * ```ts
 * const send = createSender(resolveClientOptions(options));
 * const answer = await send('list_webhooks', (init) => api.listWebhooks({}, init));
 * ```
 */
export function createSender(settings: ClientSettings): Send {
  const { retry, timeoutMs, deadlineMs, invalidate } = settings;

  async function send(
    operation: OperationId,
    call: (init: AttemptInit) => Promise<RawResult>,
    callerSignal?: AbortSignal,
  ): Promise<Answer> {
    const span = startCallSpan(settings, operation);
    try {
      const answer = await sendAttempts(operation, call, callerSignal, span);
      span.setAttributes({ 'http.response.status_code': answer.response.status });
      return answer;
    } catch (error) {
      failCallSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  async function sendAttempts(
    operation: OperationId,
    call: (init: AttemptInit) => Promise<RawResult>,
    callerSignal: AbortSignal | undefined,
    span: TelemetrySpan,
  ): Promise<Answer> {
    const deadline = Date.now() + deadlineMs;
    // An attempt is only started with at least this much time before the deadline.
    const leastUseful = Math.min(retry.minAttemptMs, timeoutMs);
    let state: CallState = {
      attempt: 1,
      refreshedAfter401: false,
      repeatedAfterUnknown: false,
      lastFailure: undefined,
    };
    for (;;) {
      if (callerSignal?.aborted) throw new UpvestAbortError(operation, callerSignal.reason);
      const remaining = deadline - Date.now();
      // A repeat that cannot finish would trade the last definite answer for an ambiguous
      // timeout; the first attempt always runs.
      if (state.lastFailure && remaining < leastUseful) throw state.lastFailure;
      const end = await runAttempt(settings, { operation, call, callerSignal, remaining, state });
      recordAttempt(span, state.attempt, end);
      const step = nextStep(end, state, {
        operation,
        retry,
        canRefresh: invalidate !== undefined,
        leastUseful,
        deadline,
        now: Date.now(),
      });
      if (step.do === 'return') return step.answer;
      if (step.do === 'throw') throw step.error;
      if (step.invalidate !== undefined) invalidate?.(step.invalidate);
      logRepeat(settings.logger, operation, end, step);
      state = step.state;
      if (step.sleepMs === undefined) continue;
      try {
        await untilAborted(retry.sleep(step.sleepMs, callerSignal), callerSignal);
      } catch (reason) {
        throw new UpvestAbortError(operation, reason);
      }
    }
  }

  return send;
}

/**
 * A client span for one call, as OpenTelemetry's HTTP client conventions name it
 * (`{method} {url.template}`), with the operation's id.
 */
function startCallSpan(settings: ClientSettings, operation: OperationId): TelemetrySpan {
  const { method, path } = operationTable[operation];
  return settings.telemetry.startSpan(`${method} ${path}`, 'client', {
    'http.request.method': method,
    'url.template': path,
    'server.address': settings.server.address,
    'server.port': settings.server.port,
    'upvest.operation': operation,
  });
}

/** An event per attempt (its number, and the status or the failure's code); the resend count. */
function recordAttempt(span: TelemetrySpan, attempt: number, end: AttemptEnd): void {
  const status =
    end.kind === 'answer'
      ? end.answer.response.status
      : end.outcome.kind === 'status'
        ? end.outcome.status
        : undefined;
  span.addEvent('attempt', {
    'upvest.attempt': attempt,
    'http.response.status_code': status,
    'error.type': end.kind === 'failed' ? end.failure.code : undefined,
  });
  if (attempt > 1) span.setAttributes({ 'http.request.resend_count': attempt - 1 });
}

/** The call failed: its error's code as `error.type`, and the status an API error carried. */
function failCallSpan(span: TelemetrySpan, error: unknown): void {
  if (error instanceof UpvestApiError) {
    const { status } = error as UpvestApiError<number>;
    span.setAttributes({ 'http.response.status_code': status });
  }
  span.fail(error instanceof UpvestWebhooksError ? error.code : 'unexpected');
}

/** One line for each repeat: why, which attempt comes, after how long. */
function logRepeat(
  logger: Logger | undefined,
  operation: OperationId,
  end: AttemptEnd,
  step: Extract<NextStep, { do: 'repeat' }>,
): void {
  if (end.kind !== 'failed') return;
  const status = end.outcome.kind === 'status' ? end.outcome.status : undefined;
  if (step.sleepMs === undefined) {
    log(logger, 'info', `${operation} answered 401: fetching a new token and trying again`, {
      operation,
    });
    return;
  }
  log(logger, 'warn', `${operation} failed (${status ?? end.failure.code}); trying again`, {
    operation,
    code: end.failure.code,
    status,
    attempt: step.state.attempt,
    waitMs: step.sleepMs,
  });
}

/** One attempt of a call, as {@link runAttempt} takes it. */
interface AttemptRequest {
  readonly operation: OperationId;
  readonly call: (init: AttemptInit) => Promise<RawResult>;
  readonly callerSignal: AbortSignal | undefined;
  /** Time left to the call's deadline. */
  readonly remaining: number;
  readonly state: CallState;
}

/**
 * Runs one attempt: a token, the request built, signed and sent within its time limit, the
 * answer or the failure classified. Throws only what ends the call whatever comes next (the
 * caller's abort, a failure no repeat can help).
 */
async function runAttempt(settings: ClientSettings, request: AttemptRequest): Promise<AttemptEnd> {
  const { clientId, timeoutMs, deadlineMs, signer, tokenSource, staticSecrets } = settings;
  const { operation, call, callerSignal, remaining, state } = request;
  const limit = Math.max(1, Math.min(timeoutMs, remaining));
  const byDeadline = remaining < timeoutMs;
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(), limit);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timer.signal]) : timer.signal;
  let token: string | undefined;
  let handedOver = false;
  // Counts the request only once fetch has it: a signer or a token failure sends nothing.
  const fetchOnce = async (wireable: Request) => {
    const wire = await wireRequest(wireable, signer);
    handedOver = true;
    return settings.fetch(wire, { signal });
  };
  try {
    // A fixed token is there at once: no promise to race against the signal.
    token =
      typeof tokenSource === 'string'
        ? checkedToken(tokenSource)
        : await untilAborted(
            resolveAccessToken(tokenSource, { operation, scopes: scopesOf(operation) }),
            signal,
          );
    const headers = { ...upvestHeaders(clientId), authorization: `Bearer ${token}` };
    const result = await call({ headers, fetch: fetchOnce });
    const { response } = result;
    const secrets = [...staticSecrets, token];
    if (response.ok) {
      const requestId = response.headers.get('upvest-request-id') ?? undefined;
      return { kind: 'answer', answer: { data: result.data, response, requestId, secrets } };
    }
    const note =
      operation === 'delete_webhook' && response.status === 404 && state.repeatedAfterUnknown
        ? '; an earlier attempt may already have deleted it'
        : '';
    return {
      kind: 'failed',
      failure: apiError(operation, result, secrets, response.status === 401 ? '' : note),
      outcome: { kind: 'status', status: response.status },
      judgedAs: operation,
      retryAfter: retryAfterMs(response.headers.get('retry-after')),
      token,
    };
  } catch (error) {
    if (callerSignal?.aborted) throw new UpvestAbortError(operation, callerSignal.reason);
    const thrown = thrownFailure(error, {
      operation,
      token,
      handedOver,
      timedOut: timer.signal.aborted,
      limit,
      byDeadline,
      deadlineMs,
    });
    return { kind: 'failed', ...thrown, retryAfter: undefined, token };
  } finally {
    clearTimeout(timeout);
  }
}

/** What an attempt that threw is known to have done, as {@link thrownFailure} needs it. */
interface ThrownAttempt {
  readonly operation: OperationId;
  /** Undefined when the token source failed: nothing was sent. */
  readonly token: string | undefined;
  /** Whether `fetch` had the request. */
  readonly handedOver: boolean;
  /** Whether the attempt's own time limit fired. */
  readonly timedOut: boolean;
  readonly limit: number;
  /** Whether the limit was the call's deadline rather than `timeoutMs`. */
  readonly byDeadline: boolean;
  readonly deadlineMs: number;
}

/**
 * The failure an attempt that threw ends with, and how a repeat is judged; rethrows what no
 * repeat can help (a caller's own token function failing, a request that cannot be built).
 */
function thrownFailure(
  error: unknown,
  attempt: ThrownAttempt,
): { failure: UpvestWebhooksError; outcome: AttemptOutcome; judgedAs: OperationId } {
  const { operation, token, handedOver, limit } = attempt;
  if (attempt.timedOut) {
    const what = attempt.byDeadline
      ? `the call's deadline of ${attempt.deadlineMs} ms`
      : `${limit} ms`;
    const failure = new UpvestTimeoutError({
      operation,
      timeoutMs: limit,
      requestMayHaveReachedServer: handedOver,
      message: handedOver
        ? `${operation} got no answer within ${what}${mayHaveHappened(operation)}`
        : `${operation} was not sent within ${what}: ${token === undefined ? 'no access token came' : 'signing did not finish'}`,
    });
    const outcome: AttemptOutcome = handedOver
      ? { kind: 'timeout' }
      : { kind: 'network', reachedServer: false };
    return { failure, outcome, judgedAs: operation };
  }
  if (token === undefined) {
    // The token source failed, so nothing was sent. Its request is judged on its own: a 429, a
    // 5xx, no answer are worth repeating; refused credentials and the errors of a caller's own
    // token function are not.
    const judgedAs = 'issue_token';
    if (error instanceof UpvestApiError) {
      return {
        failure: error,
        outcome: { kind: 'status', status: (error as UpvestApiError).status },
        judgedAs,
      };
    }
    if (error instanceof UpvestNetworkError) {
      const outcome: AttemptOutcome = {
        kind: 'network',
        reachedServer: error.requestMayHaveReachedServer,
      };
      return { failure: error, outcome, judgedAs };
    }
    if (error instanceof UpvestTimeoutError) {
      return { failure: error, outcome: { kind: 'timeout' }, judgedAs };
    }
    throw error;
  }
  const failure = transportError(operation, error, handedOver);
  if (!(failure instanceof UpvestNetworkError)) throw failure;
  const outcome: AttemptOutcome = {
    kind: 'network',
    reachedServer: failure.requestMayHaveReachedServer,
  };
  return { failure, outcome, judgedAs: operation };
}

function apiError(
  operation: OperationId,
  result: RawResult,
  secrets: readonly (string | undefined)[],
  note: string,
): UpvestApiError {
  const { response } = result;
  const status = response.status;
  // Whatever the server wrote may echo a secret: its problem, a redirect target, even its id.
  const redact = createRedactor(secrets);
  const location = redact.text(response.headers.get('location') ?? 'nowhere');
  const requestId = response.headers.get('upvest-request-id');
  const base = {
    operation,
    status,
    problem: redact.value(parseProblem(result.error)),
    requestId: requestId === null ? undefined : redact.text(requestId),
  };
  if (status >= 300 && status < 400) {
    return new UpvestApiError({
      ...base,
      message: `${operation} answered a redirect (HTTP ${status}) to ${location}; redirects are not followed`,
    });
  }
  if (!note) return new UpvestApiError(base);
  return new UpvestApiError({ ...base, message: `${new UpvestApiError(base).message}${note}` });
}

/** The part of an error message that tells a caller a write may have happened. */
function mayHaveHappened(operation: OperationId): string {
  if (operation === 'create_webhook') {
    return '; the webhook may or may not have been created: list the webhooks before creating it again';
  }
  return isIdempotent(operation) ? '' : '; it may or may not have taken effect';
}

/** The scope each security requirement of an operation names, derived once from the spec. */
const scopesByOperation = new Map<OperationId, readonly string[]>(
  Object.entries(operationTable).map(([id, operation]) => [
    id as OperationId,
    Object.freeze(operation.scopes.map((requirement) => requirement[0] ?? '')),
  ]),
);

function scopesOf(operation: OperationId): readonly string[] {
  return scopesByOperation.get(operation) ?? [];
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T> | T, signal: AbortSignal | undefined): Promise<T> {
  const settled = Promise.resolve(promise);
  if (!signal) return settled;
  if (signal.aborted) {
    // The abandoned promise may still reject: nobody waits for it any more.
    settled.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      settled.catch(() => undefined);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    settled.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}

/** Maps what an attempt threw after the token was resolved into our error tree. */
function transportError(
  operation: OperationId,
  error: unknown,
  handedOver: boolean,
): UpvestWebhooksError {
  if (error instanceof SignerFailure) {
    const cause = error.cause;
    const why = cause instanceof UpvestWebhooksError ? `: ${cause.message}` : '';
    return new UpvestSigningError({
      operation,
      message: `signing the ${operation} request failed; nothing was sent${why}`,
      cause,
    });
  }
  if (error instanceof UpvestWebhooksError) return error;
  if (!handedOver) {
    // Building the request failed before anything was sent (a header value, a URL).
    return new UpvestConfigurationError(`${operation} could not be sent: the request is invalid`, {
      cause: error,
    });
  }
  const code = causeCode(error);
  const never = neverConnected(code);
  return new UpvestNetworkError({
    operation,
    requestMayHaveReachedServer: !never,
    message: `${operation} got no response (${code ?? 'network error'})${never ? '; the request did not reach the server' : mayHaveHappened(operation) || '; it may or may not have reached the server'}`,
    cause: error,
  });
}
