import type { OperationId } from '../generated/constants.js';

/** A conformance profile: what kind of run produced a check. `examples` checks the spec itself. */
export type ProfileName = 'examples' | 'replay' | 'lifecycle' | 'negative' | 'enforcement';

/** The profiles that talk to a server, in the order they run. */
export const serverProfiles = ['replay', 'lifecycle', 'negative', 'enforcement'] as const;
export type ServerProfile = (typeof serverProfiles)[number];

/** One verdict: a check on one exchange, one example or one step. */
export interface CheckResult {
  readonly profile: ProfileName;
  /** The operation the check is about, or `-` for checks of a whole run. */
  readonly operation: OperationId | '-';
  /** The case: an example name, a lifecycle step or a negative input. */
  readonly case: string;
  /** What was checked, e.g. `status is documented`. */
  readonly check: string;
  readonly outcome: 'pass' | 'fail' | 'skip';
  /** Why it failed or was skipped, or what was seen when it passed. */
  readonly detail: string;
}

/** One request and its response as the client sent and received them. */
export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string | undefined;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly responseBody: string;
}

/** Collects check results; every profile writes into one. */
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
}
