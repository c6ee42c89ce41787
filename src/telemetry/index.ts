/**
 * `upvest-webhooks/telemetry`: traces and metrics through OpenTelemetry. Needs
 * `@opentelemetry/api` (an optional peer dependency) and, to record anything, an OpenTelemetry
 * SDK started by the application.
 *
 * @example
 * ```ts
 * import { openTelemetry } from 'upvest-webhooks/telemetry';
 * const client = createWebhooksClient({ baseUrl, clientId, accessToken, telemetry: openTelemetry() });
 * ```
 *
 * @packageDocumentation
 */
export {
  INSTRUMENTATION_NAME,
  openTelemetry,
  type OpenTelemetryOptions,
} from './open-telemetry.js';
export {
  TELEMETRY_METRICS,
  type Telemetry,
  type TelemetryAttributes,
  type TelemetryMetric,
  type TelemetrySpan,
  type TelemetrySpanKind,
} from '../wire/telemetry.js';
