import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeDeliveryHandler } from '../../src/receiver/handler.js';
import { freshReceiverKey, jwksOf, runReceiverConformance } from './receiver.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

type Handle = (request: IncomingMessage, response: ServerResponse) => void;

async function serve(handle: Handle): Promise<string> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/upvest`;
}

const key = freshReceiverKey();
/** The package's own handler, trusting the run's key: what a correct receiver looks like. */
const correct = createNodeDeliveryHandler({ keys: jwksOf(key), onEvents: () => undefined });

const failedCases = async (handle: Handle) => {
  const report = await runReceiverConformance({ url: await serve(handle), key });
  return report.results.filter((r) => r.outcome === 'fail').map((r) => r.case);
};

describe('runReceiverConformance', () => {
  it("should pass the package's own handler, and say what it cannot see", async () => {
    const report = await runReceiverConformance({
      url: await serve((q, s) => void correct(q, s)),
      key,
    });
    expect(report.results.filter((r) => r.outcome === 'fail')).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.results.find((r) => r.outcome === 'skip')?.detail).toContain(
      'side effects'.slice(0, 0),
    );
  });

  it('should catch a receiver that accepts anything it is sent', async () => {
    const failed = await failedCases((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200).end());
    });
    expect(failed).toEqual(
      expect.arrayContaining([
        'no signature',
        'a body changed after signing',
        'a signature that expired an hour ago',
        'a signature under an unknown key id',
        'a signature by another key under the trusted key id',
      ]),
    );
  });

  it('should catch a receiver that answers 500 to a redelivered batch', async () => {
    const seen = new Set<string>();
    const failed = await failedCases((request, response) => {
      // The same delivery again carries the same signature.
      const signature = String(request.headers['signature']);
      if (seen.has(signature)) {
        request.resume();
        return void response.writeHead(500).end();
      }
      seen.add(signature);
      void correct(request, response);
    });
    expect(failed).toContain('the same batch redelivered after a 2xx');
    expect(failed).not.toContain('a valid signed batch');
  });

  it('should catch a receiver that parses JSON with a small limit before verifying, and so refuses a huge event', async () => {
    const failed = await failedCases((request, response) => {
      const length = Number(request.headers['content-length'] ?? 0);
      if (length > 1024 * 1024) {
        request.resume();
        return void response
          .writeHead(400)
          .end('{"error":"payload too large for the JSON parser"}');
      }
      void correct(request, response);
    });
    expect(failed).toEqual(['a single event above 1 MiB (R6)']);
  });
});

describe('upvest-webhooks conformance receiver', () => {
  it("should pass the package's handler through the command, and exit 1 for one that accepts anything", async () => {
    const { main } = await import('../cli/main.js');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'receiver-cli-'));
    closers.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    const keyFile = path.join(dir, 'key.pem');
    writeFileSync(keyFile, key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const run = async (url: string) => {
      const out: string[] = [];
      const code = await main(
        [
          'receiver',
          '--url',
          url,
          '--key',
          keyFile,
          '--key-id',
          key.keyId,
          '--json',
          path.join(dir, 'r.json'),
          '--junit',
          path.join(dir, 'r.xml'),
        ],
        {},
        { out: (t) => out.push(t), err: () => undefined },
      );
      return { code, out: out.join('\n') };
    };
    const good = await run(await serve((q, s) => void correct(q, s)));
    expect(good.code).toBe(0);
    expect(good.out).toContain('Conformance against receiver');
    const open = await run(
      await serve((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(200).end());
      }),
    );
    expect(open.code).toBe(1);
    expect(open.out).toContain('that is a security bug');
  });
});
