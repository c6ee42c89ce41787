/**
 * OpenTelemetry's own SDK, in memory, for the telemetry tests: spans through a simple processor
 * into an in-memory exporter, metrics through a reader collected on demand. The providers are
 * passed to `openTelemetry()`, never registered globally. Not part of the package.
 */
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  BasicTracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { openTelemetry } from '../telemetry/open-telemetry.js';
import type { Telemetry } from '../wire/telemetry.js';

/** A reader that exports nothing: the test collects when it wants to look. */
class OnDemandReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** A metric's points as a test reads them: each point's attributes and value (a sum or a count). */
interface MetricPoint {
  readonly attributes: Readonly<Record<string, unknown>>;
  /** A counter's sum, or how many values a histogram recorded. */
  readonly value: number;
}

/** The SDK in memory: the `Telemetry` to pass, the spans it finished and its metrics. */
export interface TestTelemetry {
  readonly telemetry: Telemetry;
  readonly spans: () => ReadableSpan[];
  readonly metric: (name: string) => Promise<MetricPoint[]>;
  readonly shutdown: () => Promise<void>;
}

export function createTestTelemetry(): TestTelemetry {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    telemetry: openTelemetry({ tracerProvider, meterProvider }),
    spans: () => exporter.getFinishedSpans(),
    async metric(name) {
      const { resourceMetrics } = await reader.collect();
      const points = resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === name)
        .flatMap((metric) => metric.dataPoints as DataPoint<number | Histogram>[]);
      return points.map((point) => ({
        attributes: point.attributes,
        value: typeof point.value === 'number' ? point.value : point.value.count,
      }));
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** Every attribute, event attribute and name of the spans, as one text to search for leaks. */
export function spanText(spans: readonly ReadableSpan[]): string {
  return JSON.stringify(
    spans.map((span) => ({
      name: span.name,
      attributes: span.attributes,
      events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
      status: span.status,
    })),
  );
}
