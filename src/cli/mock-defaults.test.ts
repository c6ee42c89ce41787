/**
 * What `mock --help` says it does by default is what it does: it listens on 127.0.0.1, on a free
 * port, seeded with the spec's example webhook (that it demands signatures by default is checked
 * in tools.test.ts).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DOCUMENTED_WEBHOOK = 'a8eb3540-5a84-40f9-b2bb-7f99f282fc5a';

async function help(command: string): Promise<string> {
  const out: string[] = [];
  await runCli([command, '--help'], {
    env: {},
    out: (text) => out.push(text),
    err: () => undefined,
  });
  return out.join('\n');
}

describe('the defaults mock --help documents', () => {
  it('should document 127.0.0.1, a free port and the documented examples as defaults', async () => {
    const text = await help('mock');
    expect(text).toContain('(default 127.0.0.1)');
    expect(text).toContain('(default: any free one)');
    expect(text).toContain('documented-examples (default)');
    expect(text).toMatch(/signed \(default/);
  });

  it('should listen on 127.0.0.1 on a free port, seeded with the example webhook', async () => {
    const child = spawn(
      process.execPath,
      // --auth token only so that this test needs no signer; host, port and seed are left alone.
      ['--import', 'tsx', 'bin/upvest-webhooks.ts', 'mock', '--json', '--auth', 'token'],
      { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const info = await new Promise<{ url: string; clientId: string; clientSecret: string }>(
        (resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            try {
              resolve(JSON.parse(out) as { url: string; clientId: string; clientSecret: string });
            } catch {
              // not all of it yet
            }
          });
          child.on('exit', () => reject(new Error('the mock exited')));
        },
      );
      const url = new URL(info.url);
      expect(url.hostname).toBe('127.0.0.1');
      expect(Number(url.port)).toBeGreaterThan(0);
      const tokenAnswer = await fetch(`${info.url}/auth/token`, {
        method: 'POST',
        headers: {
          'upvest-client-id': info.clientId,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: info.clientId,
          client_secret: info.clientSecret,
          scope: 'webhooks:read',
        }),
      });
      const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
      const seeded = await fetch(`${info.url}/webhooks/${DOCUMENTED_WEBHOOK}`, {
        headers: { 'upvest-client-id': info.clientId, authorization: `Bearer ${token}` },
      });
      expect(seeded.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 30_000);
});
