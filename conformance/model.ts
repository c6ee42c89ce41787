import type { OperationId } from '../generated/constants.js';

/**
 * A conformance profile: what kind of run produced a check. `examples` checks the spec itself.
 *
 * @example
 * ```ts
 * const drift = report.drift.filter((r) => r.profile === ('examples' satisfies ProfileName));
 * ```
 */
export type ProfileName = 'examples' | ServerProfile;

/**
 * The profiles that talk to a server, in the order they run.
 *
 * @example
 * ```ts
 * const profiles = (process.env['CONFORMANCE_PROFILES'] ?? serverProfiles.join(',')).split(',');
 * ```
 */
export const serverProfiles = [
  'replay',
  'lifecycle',
  'negative',
  'enforcement',
  'boundaries',
  'stateful',
  'auth',
  'protocol',
  'fuzz',
] as const;

/**
 * One of {@link serverProfiles}.
 *
 * @example
 * ```ts
 * const profiles: ServerProfile[] = ['replay', 'negative'];
 * ```
 */
export type ServerProfile = (typeof serverProfiles)[number];

/**
 * One verdict: a check on one exchange, one example or one step.
 *
 * @example
 * ```ts
 * const failure: CheckResult = {
 *   profile: 'replay',
 *   operation: 'retrieve_webhook',
 *   case: 'unknown_webhook',
 *   check: 'status is the expected one',
 *   outcome: 'fail',
 *   detail: 'expected 404, got 200',
 * };
 * ```
 */
export interface CheckResult {
  readonly profile: ProfileName;
  /**
   * The operation the check is about (an API operation, or a spec webhook such as
   * `receive_delivery` for delivery examples), or `-` for checks of a whole run.
   */
  readonly operation: OperationId | '-' | (string & Record<never, never>);
  /** The case: an example name, a lifecycle step or a negative input. */
  readonly case: string;
  /** What was checked, e.g. `status is documented`. */
  readonly check: string;
  /**
   * `warn` is drift that does not break the contract for a tolerant client: a response property
   * the spec does not document (Upvest added a field). It never fails a run.
   */
  readonly outcome: 'pass' | 'fail' | 'skip' | 'warn';
  /** Why it failed, was skipped or warned, or what was seen when it passed. */
  readonly detail: string;
}

/**
 * One request and its response as the client sent and received them.
 *
 * @example
 * ```ts
 * const [exchange] = recording.since(mark);
 * console.log(exchange?.status, exchange?.responseHeaders['upvest-request-id']);
 * ```
 */
export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string | undefined;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly responseBody: string;
}

/**
 * Collects check results; every profile writes into one.
 *
 * @example
 * ```ts
 * const log = new CheckLog();
 * log.expect({ profile: 'replay', operation: 'get_jwks', case: 'upvest_keys' }, 'keys listed', true, '1 key');
 * ```
 */
export class CheckLog {
  readonly results: CheckResult[] = [];

  add(result: CheckResult): void {
    this.results.push(result);
  }

  /** Records a pass when `ok`, else a failure, with the given detail. */
  expect(
    where: Pick<CheckResult, 'profile' | 'operation' | 'case'>,
    check: string,
    ok: boolean,
    detail: string,
  ): boolean {
    this.add({ ...where, check, outcome: ok ? 'pass' : 'fail', detail });
    return ok;
  }

  /** Records a pass when `clean`, else a warning (drift that fails nothing). */
  note(
    where: Pick<CheckResult, 'profile' | 'operation' | 'case'>,
    check: string,
    clean: boolean,
    detail: string,
  ): void {
    this.add({ ...where, check, outcome: clean ? 'pass' : 'warn', detail });
  }
}
