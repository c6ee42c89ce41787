import { afterEach, describe, expect, it } from 'vitest';
import { answer, startFaultServer, type FaultServer } from '../test-support/fault-server.js';
import { seedResponse } from '../test-support/fixtures.js';
import { recordingLogger } from '../test-support/recording-logger.js';
import { createWebhooksClient } from './webhooks-client.js';

const CLIENT_ID = 'ebabcf4d-61c3-4942-875c-e265a7c2d062';
const page = { meta: { offset: 0, limit: 100, count: 1, total_count: 1 }, data: [seedResponse] };
const servers: FaultServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function clientFor(script: Parameters<typeof startFaultServer>[0], token = 'dG9rZW4') {
  const server = await startFaultServer(script);
  servers.push(server);
  const logger = recordingLogger();
  const client = createWebhooksClient({
    baseUrl: server.url,
    clientId: CLIENT_ID,
    accessToken: token,
    retry: { sleep: () => Promise.resolve(), random: () => 0.5 },
    logger,
  });
  return { client, logger };
}

describe('what the client logs', () => {
  it('should log each repeat with the operation, the status and the attempt that follows', async () => {
    const { client, logger } = await clientFor({
      'GET /webhooks': [answer.problem(503), answer.json(200, page)],
    });
    await client.list();
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      level: 'warn',
      fields: { operation: 'list_webhooks', status: 503, attempt: 2 },
    });
  });

  it('should log an answer that breaks the spec instead of writing to the console', async () => {
    const { client, logger } = await clientFor({
      'GET /webhooks': [answer.json(200, { ...page, meta: { ...page.meta, count: 'one' } })],
    });
    await client.list();
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      level: 'warn',
      fields: { operation: 'list_webhooks', issues: 1 },
    });
  });

  it('should log nothing for a call that succeeds at once, and never the token', async () => {
    const { client, logger } = await clientFor({ 'GET /webhooks': [answer.json(200, page)] });
    await client.list();
    expect(logger.lines).toEqual([]);
    const failing = await clientFor({ 'GET /webhooks': [answer.problem(503)] }, 'c2VjcmV0LXRva2Vu');
    await failing.client.list().catch(() => undefined);
    expect(failing.logger.lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(failing.logger.lines)).not.toContain('c2VjcmV0LXRva2Vu');
  });
});
