import { createDeliveryEvent, eventTypesNamed } from './deliveries.js';
import { UpvestConfigurationError } from '../errors.js';
import type { ValidationIssue } from '../validation-issue.js';
import type { MockDeliveryRecord } from './mock-deliveries.js';
import { faultIssues, type MockFault, type PendingFault } from './mock-faults.js';
import { MockProblem, problems } from './mock-problem.js';
import { parseJsonBody } from './mock-request.js';

/**
 * The prefix of the mock's admin endpoints. Upvest's paths are lower-case words under
 * `/auth/` and `/webhooks`; no API path starts with an underscore, so nothing here can shadow
 * or be shadowed by an operation of the spec.
 */
export const ADMIN_PREFIX = '/__mock';

/**
 * Who may use the admin endpoints: requests addressed (`Host`, and `Origin` when a browser sends
 * one) to a loopback name or to one of `hosts`, and, with a `token`, carrying it as a bearer
 * token.
 *
 * @example
 * ```ts
 * const access: AdminAccess = { hosts: ['mock.internal'], token: process.env.UPVEST_MOCK_ADMIN_TOKEN };
 * ```
 */
export interface AdminAccess {
  /** Host names (without port) accepted besides `localhost`, `127.0.0.0/8` and `[::1]`. */
  readonly hosts: readonly string[];
  /** The bearer token every admin request must carry; none required when undefined. */
  readonly token: string | undefined;
}

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** The host of a `Host` value or an origin, lower-case, without port; undefined if none. */
function hostOf(value: string | undefined, isOrigin: boolean): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return new URL(isOrigin ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Compares two strings in time that does not depend on where they differ. */
function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i += 1) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/**
 * Why an admin request is refused, or undefined when it may go on. The admin endpoints have no
 * API credentials, so a web page the developer opens could reach them through DNS rebinding (its
 * own name resolving to 127.0.0.1): such requests name the page's host in `Host` and `Origin`,
 * and are refused here (403). A token, when set, is required as `authorization: Bearer …` (401).
 *
 * @example
 * ```ts
 * adminAccessProblem({ host: 'evil.example:4010' }, { hosts: [], token: undefined })?.status; // 403
 * ```
 */
export function adminAccessProblem(
  headers: Readonly<Record<string, string>>,
  access: AdminAccess,
): MockProblem | undefined {
  const allowed = (host: string | undefined) =>
    host !== undefined && (LOOPBACK_HOST.test(host) || access.hosts.includes(host));
  const host = hostOf(headers['host'], false);
  const origin = headers['origin'];
  if (!allowed(host) || (origin !== undefined && !allowed(hostOf(origin, true)))) {
    return new MockProblem(
      403,
      'forbidden',
      'Forbidden',
      `the admin endpoints answer requests addressed to a loopback host${access.hosts.length > 0 ? ` or ${access.hosts.join(', ')}` : ''} only (Host ${JSON.stringify(headers['host'] ?? '')}${origin === undefined ? '' : `, Origin ${JSON.stringify(origin)}`}); start the mock with --admin-host to add one`,
    );
  }
  if (access.token === undefined) return undefined;
  const bearer = /^Bearer (.+)$/i.exec(headers['authorization'] ?? '')?.[1];
  if (bearer !== undefined && sameSecret(bearer, access.token)) return undefined;
  return new MockProblem(
    401,
    'unauthorised',
    'Unauthorised',
    'the admin endpoints need the admin token: authorization: Bearer $UPVEST_MOCK_ADMIN_TOKEN',
  );
}

/**
 * What `POST /__mock/events` and `mock.triggerEvents` take: an event type or a category, how
 * many events (default: one, or one per type of a category), and optionally the `object` every
 * event carries (default `{ id: <fresh UUID> }` per event).
 *
 * @example
 * ```ts
 * const request: MockTriggerRequest = { type: 'ORDER', count: 10 };
 * ```
 */
export interface MockTriggerRequest {
  readonly type: string;
  readonly count?: number;
  readonly object?: Record<string, unknown>;
}

/**
 * What a trigger did: the events it made, and the deliveries it started, one or more per
 * enabled webhook subscribed to their category (split by the webhook's `max_package_size`, R6).
 * The same event goes to every matching webhook with the same `id` and that webhook's
 * `webhook_id` (our choice: Upvest does not say whether ids are per webhook).
 *
 * @example
 * ```ts
 * const { deliveries } = mock.triggerEvents({ type: 'USER.CREATED' });
 * await mock.deliveriesSettled();
 * ```
 */
export interface MockTriggerResult {
  readonly events: readonly { readonly id: string; readonly type: string }[];
  readonly deliveries: readonly {
    readonly webhookId: string;
    readonly eventIds: readonly string[];
  }[];
}

/** Largest `count` of one trigger: more is a load test, not a fixture. */
const MAX_TRIGGER_COUNT = 10_000;

/**
 * Checks a trigger request; on success the types it stands for and the events to make.
 *
 * @example
 * ```ts
 * triggerIssues({ type: 'ORDER', count: 0 }); // [{ path: '/count', code: 'trigger.count', … }]
 * ```
 */
export function triggerIssues(input: unknown): ValidationIssue[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ path: '', code: 'trigger.not_an_object', message: 'a trigger is a JSON object' }];
  }
  const request = input as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const issue = (path: string, code: string, message: string) =>
    void issues.push({ path, code: `trigger.${code}`, message });
  for (const name of Object.keys(request)) {
    if (!['type', 'count', 'object'].includes(name)) {
      issue(`/${name}`, 'unknown_field', `${name} is not a field of a trigger`);
    }
  }
  const type = request['type'];
  if (typeof type !== 'string' || eventTypesNamed(type).length === 0) {
    issue(
      '/type',
      'type',
      'type must be a documented event type (USER.CREATED) or category (USER)',
    );
  }
  const count = request['count'];
  if (
    count !== undefined &&
    !(
      typeof count === 'number' &&
      Number.isSafeInteger(count) &&
      count >= 1 &&
      count <= MAX_TRIGGER_COUNT
    )
  ) {
    issue('/count', 'count', `count must be a whole number from 1 to ${MAX_TRIGGER_COUNT}`);
  }
  const object = request['object'];
  if (
    object !== undefined &&
    (typeof object !== 'object' || object === null || Array.isArray(object))
  ) {
    issue('/object', 'object', 'object must be a JSON object');
  }
  return issues;
}

/**
 * The events of a checked trigger request, in `created_at` order, without a `webhook_id` yet.
 *
 * @example
 * ```ts
 * eventsOf({ type: 'ORDER', count: 2 }).map((e) => e.type); // ['ORDER.FILLED', 'ORDER.CANCELLED']
 * ```
 */
export function eventsOf(request: MockTriggerRequest) {
  const types = eventTypesNamed(request.type);
  return Array.from({ length: request.count ?? types.length }, (_, i) =>
    createDeliveryEvent({
      type: types[i % types.length]!,
      object: request.object ? structuredClone(request.object) : { id: crypto.randomUUID() },
    }),
  );
}

/** What the admin endpoints act on: the running mock's own parts. */
export interface AdminContext {
  injectFault(fault: MockFault): void;
  pendingFaults(): PendingFault[];
  clearFaults(): void;
  triggerEvents(request: MockTriggerRequest): MockTriggerResult;
  deliveries(): readonly MockDeliveryRecord[];
  /** Sends a recorded delivery's events again; throws a {@link MockProblem} when it cannot. */
  redeliver(id: string): { readonly webhookId: string; readonly eventIds: readonly string[] };
}

/** `POST /__mock/deliveries/{id}/redeliver`: the id, or undefined for another path. */
const REDELIVER = new RegExp(`^${ADMIN_PREFIX}/deliveries/([^/]+)/redeliver$`);

/**
 * Answers a request under {@link ADMIN_PREFIX}: a status and a JSON body (none for 204), or a
 * thrown {@link MockProblem}. Admin requests need no credentials (the mock listens on loopback
 * by default) and are not counted or recorded as API requests.
 *
 * - `POST /__mock/faults` `{ "kind": "rate_limited", "retryAfterSeconds": 1, "times": 2 }` → 201
 * - `GET /__mock/faults` → 200 `{ "faults": [...] }`; `DELETE /__mock/faults` → 204
 * - `POST /__mock/events` `{ "type": "ORDER", "count": 3 }` → 202 `{ "events", "deliveries" }`
 * - `GET /__mock/deliveries` → 200 `{ "deliveries": [...] }`
 * - `POST /__mock/deliveries/{id}/redeliver` → 202 `{ "webhookId", "eventIds" }`: the same
 *   events, signed afresh, to the webhook's target
 *
 * @example
 * ```ts
 * adminAnswer('GET', '/__mock/faults', {}, new Uint8Array(), context); // { status: 200, … }
 * ```
 */
export function adminAnswer(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
  context: AdminContext,
): { status: number; body?: unknown } {
  const routes: Record<string, Record<string, () => { status: number; body?: unknown }>> = {
    [`${ADMIN_PREFIX}/faults`]: {
      GET: () => ({ status: 200, body: { faults: context.pendingFaults() } }),
      POST: () => {
        const fault = parseJsonBody(headers, body);
        const issues = faultIssues(fault);
        if (issues.length > 0) throw problems.badRequest('the fault is invalid', issues);
        context.injectFault(fault as MockFault);
        return { status: 201, body: { faults: context.pendingFaults() } };
      },
      DELETE: () => {
        context.clearFaults();
        return { status: 204 };
      },
    },
    [`${ADMIN_PREFIX}/events`]: {
      POST: () => {
        const request = parseJsonBody(headers, body);
        const issues = triggerIssues(request);
        if (issues.length > 0) throw problems.badRequest('the trigger is invalid', issues);
        try {
          return { status: 202, body: context.triggerEvents(request as MockTriggerRequest) };
        } catch (error) {
          // No delivery target: the mock's set-up, not the request, is what is wrong.
          if (!(error instanceof UpvestConfigurationError)) throw error;
          throw new MockProblem(409, 'conflict', 'Conflict', error.message);
        }
      },
    },
    [`${ADMIN_PREFIX}/deliveries`]: {
      GET: () => ({ status: 200, body: { deliveries: context.deliveries() } }),
    },
  };
  const redelivery = REDELIVER.exec(path)?.[1];
  if (redelivery !== undefined) {
    routes[path] = {
      POST: () => ({ status: 202, body: context.redeliver(redelivery) }),
    };
  }
  const route = routes[path];
  if (!route) throw problems.notFound(`no admin endpoint has this path (see ${ADMIN_PREFIX}/…)`);
  const answer = route[method];
  if (!answer) throw problems.methodNotAllowed(method, Object.keys(route));
  return answer();
}
