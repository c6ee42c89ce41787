/**
 * One trace from a delivery to the worker's apply, with OpenTelemetry's own SDK in memory and a
 * real PostgreSQL: the delivery's span hands its `traceparent` to `inbox.store`, the row keeps
 * it, and the worker's span for each event is its child. Nothing of the payload or the keys in
 * any span or metric.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../receiver/events.js';
import { createFetchDeliveryHandler } from '../receiver/handler.js';
import { parseDelivery } from '../receiver/parse.js';
import { startPostgres, type TestPostgres } from '../test-support/postgres.js';
import { createTestTelemetry, spanText, type TestTelemetry } from '../test-support/telemetry.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
} from '../testing/deliveries.js';
import { createPostgresInbox } from './inbox.js';
import { createInboxWorker } from './worker.js';

const PAYLOAD_MARKER = 'card 4111 1111 1111 1111';
const pair = generateDeliveryKeyPair();

let database: TestPostgres;
let pool: pg.Pool;
let sdk: TestTelemetry;

beforeAll(async () => {
  database = await startPostgres();
  pool = new pg.Pool({ connectionString: database.connectionString });
  pool.on('error', () => undefined);
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await database?.stop();
});
beforeEach(async () => {
  await pool.query('DROP TABLE IF EXISTS upvest_inbox, upvest_inbox_objects');
  sdk = createTestTelemetry();
});

/** An event as the handler hands it over: parsed from its JSON. */
function storable(type: string, object: Record<string, unknown>): DeliveryEvent {
  const parsed = parseDelivery(
    JSON.stringify({ payload: [createDeliveryEvent({ type, object })] }),
  );
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.events[0]!;
}

function requestOf(delivery: ReturnType<typeof signDelivery>): Request {
  return new Request(delivery.url, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
}

describe('a delivery traced through the inbox', () => {
  it('should give the worker’s apply of each event the delivery’s trace, with the documented attributes', async () => {
    const { telemetry } = sdk;
    const inbox = createPostgresInbox({ pool, telemetry });
    await inbox.migrate();
    const handle = createFetchDeliveryHandler({
      keys: pair.jwks,
      dedupe: false,
      onEvents: inbox.store,
      telemetry,
    });
    const events = [
      createDeliveryEvent({
        type: 'ORDER.FILLED',
        object: { id: 'order-1', note: PAYLOAD_MARKER },
      }),
      createDeliveryEvent({ type: 'ORDER.FILLED', object: { id: 'order-2' } }),
    ];
    const delivery = signDelivery(events, { ...pair, url: 'https://tenant.tld/hooks' });
    expect((await handle(requestOf(delivery))).status).toBe(200);

    const worker = createInboxWorker(inbox, { onEvent: () => undefined, telemetry });
    expect(await worker.runOnce()).toBe(2);

    const spans = sdk.spans();
    const received = spans.find((span) => span.name === 'process upvest-webhooks')!;
    const applied = spans.filter((span) => span.name === 'process upvest-inbox');
    expect(applied).toHaveLength(2);
    for (const [i, span] of applied.entries()) {
      expect(span.kind).toBe(SpanKind.CONSUMER);
      expect(span.spanContext().traceId).toBe(received.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(received.spanContext().spanId);
      expect(span.attributes).toEqual({
        'messaging.system': 'upvest',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'apply',
        'messaging.destination.name': 'upvest_inbox',
        'messaging.message.id': events[i]!.id,
        'upvest.event.type': 'ORDER.FILLED',
        'upvest.event.object': `order-${i + 1}`,
        'upvest.event.attempt': 1,
        'upvest.event.outcome': 'applied',
      });
    }
    expect(await sdk.metric('upvest.inbox.events.stored')).toEqual([{ attributes: {}, value: 2 }]);
    expect(await sdk.metric('upvest.inbox.events.applied')).toEqual([{ attributes: {}, value: 2 }]);
    expect(await sdk.metric('upvest.inbox.queue.lag')).toEqual([{ attributes: {}, value: 2 }]);
    const text = spanText(spans);
    expect(text).not.toContain(PAYLOAD_MARKER);
    expect(text).not.toContain(delivery.headers['signature']!.slice(8, 40));
    await sdk.shutdown();
  });

  it('should mark a failing event’s span failed with the error’s name, and count a dead letter', async () => {
    const { telemetry } = sdk;
    const inbox = createPostgresInbox({ pool, telemetry });
    await inbox.migrate();
    await inbox.store([storable('ORDER.FILLED', { id: 'order-9' })]);
    const worker = createInboxWorker(inbox, {
      maxAttempts: 1,
      onEvent: () => {
        throw new RangeError(`declined: ${PAYLOAD_MARKER}`);
      },
      telemetry,
    });
    expect(await worker.runOnce()).toBe(1);
    const [span] = sdk.spans();
    // Stored without a delivery's context: a trace of its own.
    expect(span!.parentSpanContext).toBeUndefined();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes).toMatchObject({
      'upvest.event.outcome': 'dead',
      'error.type': 'RangeError',
    });
    expect(await sdk.metric('upvest.inbox.events.dead')).toEqual([{ attributes: {}, value: 1 }]);
    expect(await sdk.metric('upvest.inbox.events.applied')).toEqual([]);
    expect(spanText(sdk.spans())).not.toContain(PAYLOAD_MARKER);
    await sdk.shutdown();
  });

  it('should end the spans of a batch run again as rolled back, and count only what committed', async () => {
    const { telemetry } = sdk;
    const inbox = createPostgresInbox({ pool, telemetry });
    await inbox.migrate();
    await inbox.store([
      storable('ORDER.FILLED', { id: 'o-1' }),
      storable('ORDER.FILLED', { id: 'o-2' }),
    ]);
    const { rows } = await pool.query<{ event_id: string }>(
      'SELECT event_id FROM upvest_inbox ORDER BY created_at_key, dedupe_key',
    );
    const failing = rows[1]!.event_id;
    const worker = createInboxWorker(inbox, {
      isolation: 'batch',
      backoffMs: () => 60_000,
      onEvent: (event) => {
        if (event.id === failing) throw new TypeError('no');
      },
      telemetry,
    });
    expect(await worker.runOnce()).toBe(2);
    const outcomes = sdk
      .spans()
      .map((span) => [span.attributes['upvest.event.outcome'], span.attributes['error.type']]);
    expect(outcomes).toEqual([
      ['failed', 'batch_retried'],
      ['rolled_back', 'batch_retried'],
      ['failed', 'TypeError'],
      ['applied', undefined],
    ]);
    expect(await sdk.metric('upvest.inbox.events.applied')).toEqual([{ attributes: {}, value: 1 }]);
    await sdk.shutdown();
  });

  it('should store a context that is not a handler’s, or a traceparent too long, as no trace', async () => {
    const inbox = createPostgresInbox({ pool });
    await inbox.migrate();
    await inbox.store([storable('ORDER.FILLED', { id: 'a' })], { traceparent: 'x'.repeat(300) });
    const store = inbox.store as (events: unknown[], context: unknown) => Promise<number>;
    await store([storable('ORDER.FILLED', { id: 'b' })], 7);
    const { rows } = await pool.query('SELECT trace_parent FROM upvest_inbox');
    expect(rows).toEqual([{ trace_parent: null }, { trace_parent: null }]);
  });
});
