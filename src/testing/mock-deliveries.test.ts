import { describe, expect, it } from 'vitest';
import { validateJsonWebKeySet } from '../../generated/validators.js';
import { startLoopbackServer } from '../test-support/loopback-server.js';
import { seedResponse } from '../test-support/fixtures.js';
import { TestDeliveries } from './mock-deliveries.js';

const now = () => new Date('2026-03-01T10:00:00Z');

const event = (webhookId: string, id: string) => ({
  id,
  created_at: '2026-03-01T10:00:00Z',
  type: 'USER.CREATED',
  object: {},
  webhook_id: webhookId,
});

describe('TestDeliveries', () => {
  it('should send nothing without a target', async () => {
    const deliveries = new TestDeliveries({ now });
    deliveries.deliver(seedResponse);
    await deliveries.settled();
    expect(deliveries.records).toEqual([]);
  });

  it('should POST one signed WEBHOOK.TEST event and record the answer', async () => {
    const receiver = await startLoopbackServer((_request, response) => {
      response.writeHead(200).end();
    });
    try {
      const deliveries = new TestDeliveries({ target: `${receiver.url}/hooks`, now });
      deliveries.deliver(seedResponse);
      await deliveries.settled();
      expect(deliveries.records).toEqual([
        {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
          webhookId: seedResponse.id,
          eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
          eventIds: [expect.stringMatching(/^[0-9a-f-]{36}$/)] as unknown,
          target: `${receiver.url}/hooks`,
          status: 200,
          error: undefined,
        },
      ]);
      const [request] = receiver.received;
      expect(request?.headers['signature-input']).toContain(`keyid="${deliveries.keys.keyId}"`);
      expect(JSON.parse(request?.body ?? '')).toEqual({
        payload: [
          expect.objectContaining({
            type: 'WEBHOOK.TEST',
            webhook_id: seedResponse.id,
            created_at: '2026-03-01T10:00:00.000Z',
          }),
        ],
      });
    } finally {
      await receiver.close();
    }
  });

  it('should record a receiver that cannot be reached, or a target that cannot be made, without throwing', async () => {
    const deliveries = new TestDeliveries({
      target: (webhook) => {
        if (webhook.title === 'broken') throw new Error('no target for this one');
        return 'http://127.0.0.1:1/unreachable';
      },
      now,
    });
    deliveries.deliver(seedResponse);
    deliveries.deliver({ ...seedResponse, title: 'broken' });
    await deliveries.settled();
    expect(deliveries.records).toHaveLength(2);
    expect(deliveries.records.map((r) => r.status)).toEqual([undefined, undefined]);
    expect(deliveries.records.map((r) => r.error)).toContain('no target for this one');
  });

  it("should send a webhook's next batch only once the one before is answered, and other webhooks' meanwhile", async () => {
    const open = new Map<string, number>();
    let mostAtOnce = 0;
    let mostOpenInAll = 0;
    const order: string[] = [];
    const receiver = await startLoopbackServer((request, response) => {
      const { payload } = JSON.parse(request.body) as {
        payload: { webhook_id: string; id: string }[];
      };
      const webhook = payload[0]!.webhook_id;
      open.set(webhook, (open.get(webhook) ?? 0) + 1);
      mostAtOnce = Math.max(mostAtOnce, open.get(webhook)!);
      mostOpenInAll = Math.max(
        mostOpenInAll,
        [...open.values()].reduce((a, b) => a + b, 0),
      );
      order.push(payload[0]!.id);
      // A slow receiver: without the chain, the next batch would arrive while this one is open.
      setTimeout(() => {
        open.set(webhook, open.get(webhook)! - 1);
        response.writeHead(200).end();
      }, 30);
    });
    try {
      const deliveries = new TestDeliveries({ target: `${receiver.url}/hooks`, now });
      const other = { ...seedResponse, id: '00000000-0000-4000-8000-000000000002' };
      for (let i = 0; i < 4; i += 1) {
        deliveries.deliverEvents(seedResponse, [event(seedResponse.id, `a${i}`)]);
        deliveries.deliverEvents(other, [event(other.id, `b${i}`)]);
      }
      await deliveries.settled();
      expect(mostAtOnce).toBe(1);
      expect(order.filter((id) => id.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3']);
      expect(deliveries.records.map((r) => r.status)).toEqual(Array(8).fill(200));
      // The two webhooks' chains ran side by side, not one after the other.
      expect(mostOpenInAll).toBe(2);
    } finally {
      await receiver.close();
    }
  });

  it('should keep one key per instance and publish it as a valid JWKS', () => {
    const deliveries = new TestDeliveries({ now });
    expect(deliveries.keys).toBe(deliveries.keys);
    expect(validateJsonWebKeySet(deliveries.keys.jwks)).toBe(true);
  });
});
