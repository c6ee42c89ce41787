import type { Problem } from '../types.js';
import type { ValidationIssue } from '../validation-issue.js';

/** Error types are URLs under Upvest's error documentation, as the live API writes them (§6). */
const PROBLEM_BASE = 'https://docs.upvest.co/errors/';

/**
 * A refusal of the mock, thrown anywhere in the request pipeline and turned into one
 * `application/problem+json` answer at its end. The `detail` is written for people and never
 * contains a secret: no client secret, no token, no signature.
 *
 * @example
 * ```ts
 * throw new MockProblem(404, 'not_found', 'Not found', 'no webhook has this id');
 * ```
 */
export class MockProblem extends Error {
  constructor(
    readonly status: number,
    /** The last segment of the error's `type` URL, e.g. `invalid_request`. */
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    /** Validator issues; only 400s carry them, as `details`. */
    readonly issues?: readonly ValidationIssue[],
    /** Extra response headers, e.g. `allow` on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'MockProblem';
  }
}

/**
 * The refusals the mock answers with, one constructor per documented error (facts §6).
 *
 * @example
 * ```ts
 * throw problems.forbidden('the token lacks webhooks:admin');
 * ```
 */
export const problems = {
  /** 400 `invalid_request`, with the validator's issues as `details`. */
  badRequest: (detail: string, issues?: readonly ValidationIssue[]) =>
    new MockProblem(400, 'invalid_request', 'Invalid request', detail, issues),
  /** 400 "Missing Client ID": the documented answer to a request without `upvest-client-id`. */
  missingClientId: () =>
    new MockProblem(
      400,
      'missing_client_id',
      'Missing Client ID',
      'the upvest-client-id header is required',
    ),
  /** 401 `unauthorised`: token, client id, credentials or signature missing or wrong. */
  unauthorised: (detail: string) => new MockProblem(401, 'unauthorised', 'Unauthorised', detail),
  /** 403 `forbidden`: the token lacks the operation's scope. */
  forbidden: (detail: string) => new MockProblem(403, 'forbidden', 'Forbidden', detail),
  /** 404 `not_found`: no such path, or no webhook with this id. */
  notFound: (detail: string) => new MockProblem(404, 'not_found', 'Not found', detail),
  /** 405 `method_not_allowed`, with the methods the path has in `allow`. */
  methodNotAllowed: (method: string, allowed: readonly string[]) =>
    new MockProblem(
      405,
      'method_not_allowed',
      'Method not allowed',
      `${method} is not allowed here; allowed: ${allowed.join(', ')}`,
      undefined,
      { allow: allowed.join(', ') },
    ),
  /** 406 `not_acceptable`: the `accept` header excludes `application/json`. */
  notAcceptable: () =>
    new MockProblem(
      406,
      'not_acceptable',
      'Not acceptable',
      'this operation answers application/json; the accept header excludes it',
    ),
  /** 413 `payload_too_large`: the body is larger than the mock reads. */
  payloadTooLarge: (limit: number) =>
    new MockProblem(
      413,
      'payload_too_large',
      'Payload too large',
      `the body exceeds ${limit} bytes`,
    ),
  /** 500 `internal_server_error`: a bug of the mock or an option callback that threw. */
  internal: (detail = 'the mock failed unexpectedly') =>
    new MockProblem(500, 'internal_server_error', 'Internal server error', detail),
} as const;

/**
 * The problem document of a refusal: `type` as a URL, `status` equal to the HTTP status, `title`,
 * `detail`, the response's `request_id`, and for a 400 with issues, `details` of
 * `{ pointer, code, message }` (the shape of Upvest's documented `invalid_request`).
 *
 * @example
 * ```ts
 * problemDocument(problems.notFound('no webhook has this id'), randomUUID());
 * // { type: 'https://docs.upvest.co/errors/not_found', status: 404, title: 'Not found', … }
 * ```
 */
export function problemDocument(problem: MockProblem, requestId: string): Problem {
  return {
    type: `${PROBLEM_BASE}${problem.slug}`,
    status: problem.status,
    title: problem.title,
    detail: problem.detail,
    request_id: requestId,
    ...(problem.issues
      ? {
          details: problem.issues.map(({ path, code, message }) => ({
            pointer: path,
            code,
            message,
          })),
        }
      : {}),
  };
}
