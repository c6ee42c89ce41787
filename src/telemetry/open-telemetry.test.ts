import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhooksClient } from '../client/webhooks-client.js';
import { createFetchDeliveryHandler } from '../receiver/handler.js';
import type { DeliveryContext } from '../receiver/processor.js';
import { answer, startFaultServer, type FaultServer } from '../test-support/fault-server.js';
import { seedResponse } from '../test-support/fixtures.js';
import { createTestTelemetry, spanText, type TestTelemetry } from '../test-support/telemetry.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
} from '../testing/deliveries.js';
import { quietTelemetry, TELEMETRY_METRICS, type Telemetry } from '../wire/telemetry.js';

const CLIENT_ID = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const TOKEN = 'c2VjcmV0LXRva2VuLXRlbGVtZXRyeQ';
const page = { meta: { offset: 0, limit: 100, count: 1, total_count: 1 }, data: [seedResponse] };
const pair = generateDeliveryKeyPair();
const RECEIVER_URL = 'https://tenant.tld/webhooks/upvest';
// A value only the payload carries: it must never reach a span or a metric.
const PAYLOAD_MARKER = 'IBAN DE89 3704 0044 0532 0130 00';

const servers: FaultServer[] = [];
const sdks: TestTelemetry[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(sdks.splice(0).map((sdk) => sdk.shutdown()));
});

function sdk(): TestTelemetry {
  const made = createTestTelemetry();
  sdks.push(made);
  return made;
}

async function clientOn(script: Parameters<typeof startFaultServer>[0], telemetry: Telemetry) {
  const server = await startFaultServer(script);
  servers.push(server);
  const client = createWebhooksClient({
    baseUrl: server.url,
    clientId: CLIENT_ID,
    accessToken: TOKEN,
    retry: { sleep: () => Promise.resolve(), random: () => 0.5 },
    telemetry,
  });
  return { client, server };
}

function deliveryRequest(delivery: ReturnType<typeof signDelivery>): Request {
  return new Request(delivery.url, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
}

function eventWithPayload() {
  return createDeliveryEvent({
    type: 'ORDER.FILLED',
    object: { id: 'order-1', note: PAYLOAD_MARKER },
  });
}

describe('the client span', () => {
  it('should name a call by its method and path template, with the HTTP client attributes', async () => {
    const { telemetry, spans } = sdk();
    const { client, server } = await clientOn(
      { 'GET /webhooks': [answer.json(200, page)] },
      telemetry,
    );
    await client.list();
    const [span, ...others] = spans();
    expect(others).toEqual([]);
    expect(span!.name).toBe('GET /webhooks');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.attributes).toEqual({
      'http.request.method': 'GET',
      'url.template': '/webhooks',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(server.url).port),
      'upvest.operation': 'list_webhooks',
      'http.response.status_code': 200,
    });
    expect(span!.events.map((event) => [event.name, event.attributes])).toEqual([
      ['attempt', { 'upvest.attempt': 1, 'http.response.status_code': 200 }],
    ]);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('should add an event per attempt and the resend count when a call is repeated', async () => {
    const { telemetry, spans } = sdk();
    const { client } = await clientOn(
      { 'GET /webhooks': [answer.problem(503), answer.json(200, page)] },
      telemetry,
    );
    await client.list();
    const [span] = spans();
    expect(span!.attributes['http.request.resend_count']).toBe(1);
    expect(span!.events.map((event) => event.attributes)).toEqual([
      { 'upvest.attempt': 1, 'http.response.status_code': 503, 'error.type': 'api_error' },
      { 'upvest.attempt': 2, 'http.response.status_code': 200 },
    ]);
  });

  it('should mark a failed call with its error code and status, and never carry the token', async () => {
    const { telemetry, spans } = sdk();
    const { client } = await clientOn({ 'GET /webhooks': [answer.problem(404)] }, telemetry);
    await expect(client.list()).rejects.toThrow();
    const [span] = spans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toBe('api_error');
    expect(span!.attributes['http.response.status_code']).toBe(404);
    expect(spanText(spans())).not.toContain(TOKEN);
  });
});

describe('the delivery span and metrics', () => {
  it('should trace an accepted delivery with its batch size, count it and time its verification', async () => {
    const { telemetry, spans, metric } = sdk();
    const contexts: DeliveryContext[] = [];
    const handle = createFetchDeliveryHandler({
      keys: pair.jwks,
      onEvents: (_, context) => void contexts.push(context),
      telemetry,
    });
    const events = [eventWithPayload(), createDeliveryEvent({ type: 'ORDER.FILLED' })];
    const delivery = signDelivery(events, { ...pair, url: RECEIVER_URL });
    expect((await handle(deliveryRequest(delivery))).status).toBe(200);

    const [span] = spans();
    expect(span!.name).toBe('process upvest-webhooks');
    expect(span!.kind).toBe(SpanKind.CONSUMER);
    expect(span!.attributes).toMatchObject({
      'messaging.system': 'upvest',
      'messaging.operation.type': 'process',
      'messaging.batch.message_count': 2,
      'upvest.webhook.id': events[0]!.webhook_id,
      'upvest.delivery.outcome': 'accepted',
      'http.response.status_code': 200,
    });
    const { traceId, spanId } = span!.spanContext();
    expect(contexts[0]!.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(await metric('upvest.deliveries')).toEqual([
      { attributes: { 'upvest.delivery.outcome': 'accepted' }, value: 1 },
    ]);
    expect(await metric('upvest.delivery.verification.duration')).toEqual([
      { attributes: {}, value: 1 },
    ]);
    expect(spanText(spans())).not.toContain(PAYLOAD_MARKER);
  });

  it('should trace a forged delivery as refused with its reason, before the body is read', async () => {
    const { telemetry, spans, metric } = sdk();
    const handle = createFetchDeliveryHandler({
      keys: pair.jwks,
      onEvents: () => undefined,
      telemetry,
    });
    const stranger = generateDeliveryKeyPair();
    const forged = signDelivery([eventWithPayload()], {
      ...stranger,
      keyId: pair.keyId,
      url: RECEIVER_URL,
    });
    expect((await handle(deliveryRequest(forged))).status).toBe(401);
    const [span] = spans();
    expect(span!.attributes).toMatchObject({
      'upvest.delivery.outcome': 'refused',
      'upvest.delivery.refusal_reason': 'bad_signature',
      'error.type': 'bad_signature',
    });
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(await metric('upvest.deliveries')).toEqual([
      {
        attributes: {
          'upvest.delivery.outcome': 'refused',
          'upvest.delivery.refusal_reason': 'bad_signature',
        },
        value: 1,
      },
    ]);
    const text = spanText(spans());
    expect(text).not.toContain(PAYLOAD_MARKER);
    expect(text).not.toContain(forged.headers['signature']!.slice(8, 40));
  });

  it('should trace a failing onEvents as failed, without the error message', async () => {
    const { telemetry, spans } = sdk();
    const handle = createFetchDeliveryHandler({
      keys: pair.jwks,
      onEvents: () => {
        throw new Error(`ledger refused ${PAYLOAD_MARKER}`);
      },
      telemetry,
    });
    const delivery = signDelivery([eventWithPayload()], { ...pair, url: RECEIVER_URL });
    expect((await handle(deliveryRequest(delivery))).status).toBe(500);
    const [span] = spans();
    expect(span!.attributes).toMatchObject({
      'upvest.delivery.outcome': 'failed',
      'upvest.delivery.refusal_reason': 'processing_failed',
    });
    expect(spanText(spans())).not.toContain(PAYLOAD_MARKER);
  });
});

describe('telemetry that breaks', () => {
  const throwing: Telemetry = {
    startSpan: () => {
      throw new Error('exporter down');
    },
    count: () => {
      throw new Error('exporter down');
    },
    record: () => {
      throw new Error('exporter down');
    },
  };

  it('should change no answer of the handler and no result of the client', async () => {
    const handle = createFetchDeliveryHandler({
      keys: pair.jwks,
      onEvents: () => undefined,
      telemetry: throwing,
    });
    const delivery = signDelivery([createDeliveryEvent()], { ...pair, url: RECEIVER_URL });
    expect((await handle(deliveryRequest(delivery))).status).toBe(200);
    const { client } = await clientOn({ 'GET /webhooks': [answer.json(200, page)] }, throwing);
    expect((await client.list()).data).toHaveLength(1);
  });

  it('should keep a span whose methods throw from failing its caller', () => {
    const span = quietTelemetry({
      ...throwing,
      startSpan: () => ({
        setAttributes: () => {
          throw new Error('x');
        },
        addEvent: () => {
          throw new Error('x');
        },
        fail: () => {
          throw new Error('x');
        },
        end: () => {
          throw new Error('x');
        },
        get traceparent(): string {
          throw new Error('x');
        },
      }),
    }).startSpan('s', 'internal', {});
    expect(() => {
      span.setAttributes({ a: 1 });
      span.addEvent('e');
      span.fail('t');
      span.end();
    }).not.toThrow();
    expect(span.traceparent).toBeUndefined();
  });
});

describe('openTelemetry', () => {
  it('should start a span under a valid traceparent, and a new trace for a malformed one', () => {
    const { telemetry, spans } = sdk();
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    telemetry.startSpan('child', 'internal', {}, parent).end();
    telemetry.startSpan('orphan', 'internal', {}, '00-zz-b7ad6b7169203331-01').end();
    telemetry.startSpan('zero', 'internal', {}, `00-${'0'.repeat(32)}-b7ad6b7169203331-01`).end();
    const [child, orphan, zero] = spans();
    expect(child!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(child!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(orphan!.parentSpanContext).toBeUndefined();
    expect(orphan!.spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(zero!.parentSpanContext).toBeUndefined();
  });

  it('should make one instrument per documented metric, with its unit and description', async () => {
    const { telemetry, metric } = sdk();
    for (const name of Object.keys(TELEMETRY_METRICS)) {
      telemetry.count(name as keyof typeof TELEMETRY_METRICS, 2, { 'upvest.test': true });
      telemetry.record(name as keyof typeof TELEMETRY_METRICS, 0.5);
    }
    for (const [name, { kind }] of Object.entries(TELEMETRY_METRICS)) {
      // A counter takes counts only, a histogram values only.
      const expected = kind === 'counter' ? { 'upvest.test': true } : {};
      expect(await metric(name)).toEqual([
        { attributes: expected, value: kind === 'counter' ? 2 : 1 },
      ]);
    }
  });
});
