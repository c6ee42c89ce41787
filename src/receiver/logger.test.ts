import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../test-support/recording-logger.js';
import {
  createDeliveryEvent,
  generateDeliveryKeyPair,
  signDelivery,
} from '../testing/deliveries.js';
import { createFetchDeliveryHandler } from './handler.js';
import { createVerificationKeyProvider } from './keys.js';
import { createDeliveryProcessor } from './processor.js';

const pair = generateDeliveryKeyPair();
const URL_OF_RECEIVER = 'https://tenant.tld/webhooks/upvest';

function requestOf(delivery: ReturnType<typeof signDelivery>): Request {
  return new Request(delivery.url, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
}

describe('what the delivery handlers log', () => {
  it('should log a refusal with its reason and status, and call onRefused too', async () => {
    const logger = recordingLogger();
    const refused: string[] = [];
    const handle = createFetchDeliveryHandler({
      keys: pair.jwks,
      onEvents: () => undefined,
      onRefused: (failure) => refused.push(failure.reason),
      logger,
    });
    const other = generateDeliveryKeyPair();
    const forged = signDelivery([createDeliveryEvent()], {
      ...other,
      keyId: pair.keyId,
      url: URL_OF_RECEIVER,
    });
    expect((await handle(requestOf(forged))).status).toBe(401);
    expect(refused).toEqual(['bad_signature']);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        fields: { reason: 'bad_signature', status: 401 },
      }),
    ]);
  });

  it('should log a failing onEvents as an error with the error name only', async () => {
    const logger = recordingLogger();
    const process = createDeliveryProcessor({
      keys: pair.jwks,
      onEvents: () => {
        throw new RangeError('the ledger said: card 4111 1111 1111 1111 declined');
      },
      logger,
    });
    const delivery = signDelivery([createDeliveryEvent()], { ...pair, url: URL_OF_RECEIVER });
    const answer = await process({
      method: 'POST',
      url: delivery.url,
      headers: delivery.headers,
      body: new TextEncoder().encode(delivery.body),
    });
    expect(answer.status).toBe(500);
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'error', fields: { error: 'RangeError' } }),
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain('4111');
  });

  it('should log nothing for a delivery it accepts', async () => {
    const logger = recordingLogger();
    const handle = createFetchDeliveryHandler({
      keys: pair.jwks,
      onEvents: () => undefined,
      logger,
    });
    const delivery = signDelivery([createDeliveryEvent()], { ...pair, url: URL_OF_RECEIVER });
    expect((await handle(requestOf(delivery))).status).toBe(200);
    expect(logger.lines).toEqual([]);
  });
});

describe('what the key provider logs', () => {
  it('should log a fetch, and an unknown keyid it will not refetch yet with the time left', async () => {
    const logger = recordingLogger();
    let now = 1_000_000;
    const keys = createVerificationKeyProvider({
      fetchKeys: () => Promise.resolve(pair.jwks),
      now: () => now,
      logger,
    });
    expect(await keys(pair.keyId)).toBeDefined();
    now += 10_000;
    expect(await keys('rotated-key')).toBeUndefined();
    expect(logger.lines).toEqual([
      { level: 'info', message: 'verification keys fetched', fields: { keys: 1 } },
      expect.objectContaining({
        level: 'warn',
        fields: { keyId: 'rotated-key', refetchInMs: 50_000 },
      }),
    ]);
  });

  it('should log a failed fetch as an error with when it is tried again', async () => {
    const logger = recordingLogger();
    const keys = createVerificationKeyProvider({
      fetchKeys: () => Promise.reject(new Error('503 from Upvest')),
      logger,
    });
    await expect(keys(pair.keyId)).rejects.toThrow();
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'error', fields: { retryInMs: 5_000 } }),
    ]);
  });
});
