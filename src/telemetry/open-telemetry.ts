/**
 * The telemetry seam (src/wire/telemetry.ts) on `@opentelemetry/api`: spans through a tracer,
 * metrics through a meter, both from the global providers an OpenTelemetry SDK registers (or
 * the ones given). Without an SDK the API records nothing, at the cost of a few calls.
 */
import {
  metrics,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type Span,
  type SpanContext,
  type TracerProvider,
} from '@opentelemetry/api';
import {
  TELEMETRY_METRICS,
  type Telemetry,
  type TelemetryAttributes,
  type TelemetryMetric,
  type TelemetrySpan,
  type TelemetrySpanKind,
} from '../wire/telemetry.js';

/** The instrumentation scope's name: what the spans and metrics of this package are filed under. */
export const INSTRUMENTATION_NAME = 'upvest-webhooks';

/**
 * Options of {@link openTelemetry}: the providers to use instead of the global ones.
 *
 * @example
 * ```ts
 * const telemetry = openTelemetry({ tracerProvider: provider, meterProvider });
 * ```
 */
export interface OpenTelemetryOptions {
  /** Default: the global tracer provider (`trace.getTracerProvider()`), as an SDK registers it. */
  readonly tracerProvider?: TracerProvider;
  /** Default: the global meter provider (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
}

const KINDS: Record<TelemetrySpanKind, SpanKind> = {
  client: SpanKind.CLIENT,
  consumer: SpanKind.CONSUMER,
  internal: SpanKind.INTERNAL,
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The package's telemetry on OpenTelemetry: pass it as the `telemetry` option of the client,
 * the delivery handlers, the Postgres inbox and its worker. The spans and metrics it records are
 * listed in docs/operations.md.
 *
 * @example
 * ```ts
 * import { openTelemetry } from 'upvest-webhooks/telemetry';
 * const telemetry = openTelemetry(); // after your OpenTelemetry SDK is started
 * const handler = createNodeDeliveryHandler({ keys, onEvents: inbox.store, dedupe: false, telemetry });
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): Telemetry {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
    INSTRUMENTATION_NAME,
  );
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(
    INSTRUMENTATION_NAME,
  );
  const instruments = createInstruments(meter);
  return {
    startSpan(name, kind, attributes, parent) {
      const span = tracer.startSpan(
        name,
        { kind: KINDS[kind], attributes: defined(attributes) },
        parentContext(parent),
      );
      return wrapSpan(span);
    },
    count(metric, value, attributes) {
      const instrument = instruments[metric];
      if ('add' in instrument) instrument.add(value, defined(attributes ?? {}));
    },
    record(metric, value, attributes) {
      const instrument = instruments[metric];
      if ('record' in instrument) instrument.record(value, defined(attributes ?? {}));
    },
  };
}

/** One instrument per metric of the table, made once. */
function createInstruments(meter: Meter): Record<TelemetryMetric, Counter | Histogram> {
  const made = {} as Record<TelemetryMetric, Counter | Histogram>;
  for (const [name, { kind, unit, description }] of Object.entries(TELEMETRY_METRICS)) {
    made[name as TelemetryMetric] =
      kind === 'counter'
        ? meter.createCounter(name, { unit, description })
        : meter.createHistogram(name, { unit, description });
  }
  return made;
}

/** The context a span starts in: under `traceparent` when it is a valid one, else the active. */
function parentContext(traceparent: string | undefined): Context | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const parent: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  };
  return trace.isSpanContextValid(parent) ? trace.setSpanContext(ROOT_CONTEXT, parent) : undefined;
}

function wrapSpan(span: Span): TelemetrySpan {
  const context = span.spanContext();
  const flags = context.traceFlags.toString(16).padStart(2, '0');
  return {
    setAttributes: (attributes) => span.setAttributes(defined(attributes)),
    addEvent: (name, attributes) => span.addEvent(name, defined(attributes ?? {})),
    fail: (errorType) => {
      span.setAttribute('error.type', errorType);
      span.setStatus({ code: SpanStatusCode.ERROR });
    },
    end: () => span.end(),
    traceparent: trace.isSpanContextValid(context)
      ? `00-${context.traceId}-${context.spanId}-${flags}`
      : undefined,
  };
}

/** The attributes without `undefined` values, which OpenTelemetry would drop with a warning. */
function defined(attributes: TelemetryAttributes): Attributes {
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) kept[key] = value;
  return kept;
}
