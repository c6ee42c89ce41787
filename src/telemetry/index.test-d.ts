import { describe, expectTypeOf, it } from 'vitest';
import type { WebhooksClientOptions } from '../client/options.js';
import type { InboxWorkerOptions } from '../postgres/worker.js';
import type { PostgresInboxOptions } from '../postgres/inbox.js';
import type { DeliveryContext, DeliveryHandlerOptions } from '../receiver/processor.js';
import { openTelemetry, type Telemetry, type TelemetryMetric } from './index.js';

describe('the telemetry option', () => {
  it('should take what openTelemetry() makes wherever the package reports', () => {
    const telemetry = openTelemetry();
    expectTypeOf(telemetry).toEqualTypeOf<Telemetry>();
    expectTypeOf<WebhooksClientOptions['telemetry']>().toEqualTypeOf<Telemetry | undefined>();
    expectTypeOf<DeliveryHandlerOptions['telemetry']>().toEqualTypeOf<Telemetry | undefined>();
    expectTypeOf<PostgresInboxOptions['telemetry']>().toEqualTypeOf<Telemetry | undefined>();
    expectTypeOf<InboxWorkerOptions['telemetry']>().toEqualTypeOf<Telemetry | undefined>();
  });

  it('should name only the documented metrics', () => {
    expectTypeOf<'upvest.deliveries'>().toExtend<TelemetryMetric>();
    expectTypeOf<'upvest.anything'>().not.toExtend<TelemetryMetric>();
  });

  it('should hand onEvents the trace as an optional string', () => {
    expectTypeOf<DeliveryContext['traceparent']>().toEqualTypeOf<string | undefined>();
  });
});
