/**
 * A delivery's telemetry: one consumer span from the first header read to the answer (messaging
 * conventions: the batch size, the outcome, the refusal reason), the deliveries counter by
 * outcome, and the time spent verifying. Names, counts and reasons only: never an event, a
 * header value or a key.
 */
import type { Telemetry, TelemetrySpan } from '../wire/telemetry.js';

/** What one delivery's telemetry gathers on its way to the answer. */
export interface DeliveryTrace {
  readonly telemetry: Telemetry;
  readonly span: TelemetrySpan;
  /** Seconds spent verifying so far: the headers' signature, then the body's digest and parse. */
  verifySeconds: number;
}

/** How a delivery ended, as the span and the counter name it. */
type DeliveryOutcome = 'accepted' | 'refused' | 'failed';

/**
 * Starts a delivery's span.
 *
 * @example
 * ```ts
 * const trace = startDeliveryTrace(telemetry);
 * endDeliveryTrace(trace, await process(request, undefined, trace));
 * ```
 */
export function startDeliveryTrace(telemetry: Telemetry): DeliveryTrace {
  const span = telemetry.startSpan('process upvest-webhooks', 'consumer', {
    'messaging.system': 'upvest',
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': 'upvest-webhooks',
  });
  return { telemetry, span, verifySeconds: 0 };
}

/**
 * Runs a verification step, adding its time to the trace's.
 *
 * @example
 * ```ts
 * const verified = await timedVerification(trace, () => verifyReadDelivery(request, options));
 * ```
 */
export async function timedVerification<T>(
  trace: DeliveryTrace | undefined,
  verify: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await verify();
  } finally {
    if (trace) trace.verifySeconds += (performance.now() - started) / 1000;
  }
}

/**
 * Ends a delivery's span with its answer: 2xx accepted; 4xx refused and 5xx failed, each with the
 * problem type it was answered with as `upvest.delivery.refusal_reason`.
 *
 * @example
 * ```ts
 * endDeliveryTrace(trace, { status: 200, headers: {}, body: undefined });
 * ```
 */
export function endDeliveryTrace(
  trace: DeliveryTrace,
  answer: { readonly status: number; readonly body: string | undefined },
): void {
  const { telemetry, span } = trace;
  const outcome: DeliveryOutcome =
    answer.status < 300 ? 'accepted' : answer.status < 500 ? 'refused' : 'failed';
  const reason = outcome === 'accepted' ? undefined : problemType(answer.body);
  const attributes = {
    'upvest.delivery.outcome': outcome,
    'upvest.delivery.refusal_reason': reason,
  };
  span.setAttributes({ ...attributes, 'http.response.status_code': answer.status });
  if (outcome !== 'accepted') span.fail(reason ?? String(answer.status));
  span.end();
  telemetry.count('upvest.deliveries', 1, attributes);
  if (trace.verifySeconds > 0) {
    telemetry.record('upvest.delivery.verification.duration', trace.verifySeconds);
  }
}

/** The `type` of a problem answer the receiver wrote (a bare token), if it is one. */
function problemType(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
