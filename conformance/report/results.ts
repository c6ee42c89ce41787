import type { OperationId } from '../../generated/constants.js';

/**
 * A conformance profile: what kind of run produced a check. `examples` checks the spec itself.
 *
 * @example
 * ```ts
 * const drift = report.drift.filter((r) => r.profile === ('examples' satisfies ProfileName));
 * ```
 */
export type ProfileName = 'examples' | 'preflight' | 'receiver' | ServerProfile;

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
  'rules',
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
  /** The exchange a failure is about, to reproduce it (redacted like everything else). */
  readonly evidence?: Evidence;
  /** Milliseconds since the check before it in the same log: the time it took, roughly. */
  readonly ms?: number;
}

/**
 * What a CI user needs to act on a failing exchange: what was sent, what came back, the id to
 * quote to Upvest, and a command that sends it again.
 *
 * @example
 * ```ts
 * console.log(`${evidence.method} ${evidence.path} -> ${evidence.status}\n${evidence.curl}`);
 * ```
 */
export interface Evidence {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly requestId: string | undefined;
  /** The request as a `curl` command; tokens and signatures are placeholders to fill in. */
  readonly curl: string;
}

/** Single quotes for a POSIX shell. */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Headers a curl command must not carry verbatim: secrets, or values that are stale by then. */
const REDACTED_HEADERS: Readonly<Record<string, string>> = {
  authorization: 'Bearer $UPVEST_ACCESS_TOKEN',
  signature: '<sign again: signatures expire>',
  'signature-input': '<sign again: signatures expire>',
};

/**
 * Stands for a form field that held a credential; the recording never keeps its value.
 *
 * @example
 * ```ts
 * new URLSearchParams(exchange.requestBody).get('client_secret') === NOT_RECORDED; // true
 * ```
 */
export const NOT_RECORDED = '[not recorded]';

/**
 * The body part of a curl command. A form is sent field by field, and a credential field the
 * recording left out is filled in from the environment when the command runs.
 */
function curlBody(exchange: Exchange): string {
  const body = exchange.requestBody ?? '';
  const type = exchange.requestHeaders['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    return `--data-binary ${shellQuote(body)}`;
  }
  return [...new URLSearchParams(body)]
    .map(([name, value]) =>
      value === NOT_RECORDED
        ? `--data-urlencode "${name}=$UPVEST_CLIENT_SECRET"`
        : `--data-urlencode ${shellQuote(`${name}=${value}`)}`,
    )
    .join(' ');
}

/**
 * The evidence of one exchange.
 *
 * @example
 * ```ts
 * const evidence = evidenceOf(exchange);
 * console.log(evidence.curl);
 * ```
 */
export function evidenceOf(exchange: Exchange): Evidence {
  const url = new URL(exchange.url);
  const headers = Object.entries(exchange.requestHeaders)
    .filter(([name]) => name !== 'content-length' && name !== 'host')
    .map(([name, value]) => `-H ${shellQuote(`${name}: ${REDACTED_HEADERS[name] ?? value}`)}`);
  const body = exchange.requestBody ? ` ${curlBody(exchange)}` : '';
  return {
    method: exchange.method,
    path: `${url.pathname}${url.search}`,
    status: exchange.status,
    requestId: exchange.responseHeaders['upvest-request-id'],
    curl: `curl -sS -X ${exchange.method} ${shellQuote(exchange.url)} ${headers.join(' ')}${body}`,
  };
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

  /** `uniqueRequestIds: false` for a spec mock, whose answers repeat the example's id. */
  constructor(private readonly uniqueRequestIds = true) {}

  /** The exchange checks are about now; failures recorded meanwhile carry its evidence. */
  private exchange: Exchange | undefined;
  private last = Date.now();

  /** Every `upvest-request-id` seen, with the exchange that first carried it. */
  readonly #requestIds = new Map<string, Exchange>();

  /**
   * The exchange that carried this request id before, if another one did: each request must
   * get its own id.
   */
  earlierWithRequestId(id: string, exchange: Exchange): Exchange | undefined {
    // A spec mock answers its documented example id every time: nothing to judge there.
    if (!this.uniqueRequestIds) return undefined;
    const earlier = this.#requestIds.get(id);
    if (earlier === undefined) this.#requestIds.set(id, exchange);
    return earlier === exchange ? undefined : earlier;
  }

  /** Sets the exchange the next checks are about (`undefined`: none). */
  about(exchange: Exchange | undefined): void {
    this.exchange = exchange;
  }

  add(result: CheckResult): void {
    const now = Date.now();
    const evidence =
      result.outcome === 'fail' && !result.evidence && this.exchange
        ? { evidence: evidenceOf(this.exchange) }
        : {};
    this.results.push({ ...result, ...evidence, ms: now - this.last });
    this.last = now;
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
