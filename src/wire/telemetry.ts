/**
 * The telemetry seam: what the client, the receiver and the inbox report as traces and metrics.
 * The package imports no telemetry library; `upvest-webhooks/telemetry` implements this interface
 * with `@opentelemetry/api` (an optional peer dependency), and without a `telemetry` option
 * nothing is recorded. Spans and metrics carry names, ids, counts, statuses and reasons: never a
 * payload, a header value or a secret.
 */

/** Span and metric attributes: ids, reasons, counts, statuses; never a payload or a secret. */
export type TelemetryAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** What a span stands for, as OpenTelemetry's `SpanKind` names it. */
export type TelemetrySpanKind = 'client' | 'consumer' | 'internal';

/**
 * One span, started by {@link Telemetry.startSpan}.
 *
 * @example
 * ```ts
 * const span = telemetry.startSpan('receive upvest', 'consumer', { 'messaging.system': 'upvest' });
 * span.setAttributes({ 'messaging.batch.message_count': 3 });
 * span.end();
 * ```
 */
export interface TelemetrySpan {
  /** Adds or replaces attributes; `undefined` values are left out. */
  setAttributes(attributes: TelemetryAttributes): void;
  /** A point in the span's time: an attempt of a request. */
  addEvent(name: string, attributes?: TelemetryAttributes): void;
  /** Marks the span failed with an error type (a code, never an error's message). */
  fail(errorType: string): void;
  /** Ends the span; calls after the first are ignored. */
  end(): void;
  /**
   * The span as a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), to carry the trace
   * where the process cannot (an inbox row); undefined when the span is not recorded.
   */
  readonly traceparent: string | undefined;
}

/**
 * The metrics the package records, with their unit and meaning. The OpenTelemetry adapter creates
 * one instrument per row; docs/operations.md lists the same table.
 */
export const TELEMETRY_METRICS = {
  'upvest.deliveries': {
    kind: 'counter',
    unit: '{delivery}',
    description: 'Deliveries answered, by outcome (accepted, refused, failed) and refusal reason',
  },
  'upvest.delivery.verification.duration': {
    kind: 'histogram',
    unit: 's',
    description: "Time to verify a delivery's signature and digest",
  },
  'upvest.inbox.events.stored': {
    kind: 'counter',
    unit: '{event}',
    description: 'Events the inbox stored that it did not hold before',
  },
  'upvest.inbox.events.applied': {
    kind: 'counter',
    unit: '{event}',
    description: 'Events a worker applied (committed)',
  },
  'upvest.inbox.events.dead': {
    kind: 'counter',
    unit: '{event}',
    description: 'Events that became dead letters after their last failed attempt',
  },
  'upvest.inbox.queue.lag': {
    kind: 'histogram',
    unit: 's',
    description: 'Time from an event being stored to a worker applying it',
  },
} as const;

/** The name of a metric the package records. */
export type TelemetryMetric = keyof typeof TELEMETRY_METRICS;

/**
 * Where the package sends traces and metrics. `openTelemetry()` of `upvest-webhooks/telemetry`
 * makes one on `@opentelemetry/api`; tests may implement it themselves.
 *
 * @example
 * ```ts
 * import { openTelemetry } from 'upvest-webhooks/telemetry';
 * const client = createWebhooksClient({ baseUrl, clientId, accessToken, telemetry: openTelemetry() });
 * ```
 */
export interface Telemetry {
  /**
   * Starts a span: a child of the active span, or of `parent` (a W3C `traceparent`) when given,
   * as the inbox worker does for the trace an event was stored under.
   */
  startSpan(
    name: string,
    kind: TelemetrySpanKind,
    attributes: TelemetryAttributes,
    parent?: string,
  ): TelemetrySpan;
  /** Adds `value` to a counter of {@link TELEMETRY_METRICS}. */
  count(metric: TelemetryMetric, value: number, attributes?: TelemetryAttributes): void;
  /** Records a value (seconds for durations) in a histogram of {@link TELEMETRY_METRICS}. */
  record(metric: TelemetryMetric, value: number, attributes?: TelemetryAttributes): void;
}

const silentSpan: TelemetrySpan = {
  setAttributes: () => undefined,
  addEvent: () => undefined,
  fail: () => undefined,
  end: () => undefined,
  traceparent: undefined,
};

/**
 * The package's view of a user's telemetry: every call made so that an adapter or exporter that
 * throws never changes what the package does (a delivery's answer, a worker's commit); nothing
 * recorded without one.
 *
 * @example
 * ```ts
 * const telemetry = quietTelemetry(options.telemetry);
 * telemetry.count('upvest.inbox.events.stored', 3);
 * ```
 */
export function quietTelemetry(telemetry: Telemetry | undefined): Telemetry {
  if (telemetry === undefined) return NO_TELEMETRY;
  return {
    startSpan: (name, kind, attributes, parent) =>
      quietSpan(() => telemetry.startSpan(name, kind, attributes, parent)),
    count: (metric, value, attributes) => quietly(() => telemetry.count(metric, value, attributes)),
    record: (metric, value, attributes) =>
      quietly(() => telemetry.record(metric, value, attributes)),
  };
}

const NO_TELEMETRY: Telemetry = {
  startSpan: () => silentSpan,
  count: () => undefined,
  record: () => undefined,
};

function quietly(report: () => void): void {
  try {
    report();
  } catch {
    // Telemetry must not turn work into a failure.
  }
}

/** A span started and used quietly: one whose start failed records nothing. */
function quietSpan(start: () => TelemetrySpan): TelemetrySpan {
  let span = silentSpan;
  quietly(() => (span = start()));
  let traceparent: string | undefined;
  quietly(() => (traceparent = span.traceparent));
  return {
    setAttributes: (attributes) => quietly(() => span.setAttributes(attributes)),
    addEvent: (name, attributes) => quietly(() => span.addEvent(name, attributes)),
    fail: (errorType) => quietly(() => span.fail(errorType)),
    end: () => quietly(() => span.end()),
    traceparent,
  };
}
