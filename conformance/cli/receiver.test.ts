import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createNodeDeliveryHandler,
  createVerificationKeyProvider,
  type JsonWebKeySet,
} from '../../src/receiver/index.js';
import { freshReceiverKey, jwksOf } from '../receiver/receiver.js';
import { main, serverOptions } from './main.js';
import { receiverOptions, receiverUsage } from './receiver.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(handle: RequestListener): Promise<number> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function folder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'receiver-cli-'));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function command(args: readonly string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    ['receiver', ...args],
    {},
    {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const key = freshReceiverKey();

describe('upvest-webhooks conformance receiver', () => {
  it("should pass the package's handler and write the reports where it is told", async () => {
    const dir = await folder();
    const keyFile = path.join(dir, 'key.pem');
    await writeFile(keyFile, key.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const handler = createNodeDeliveryHandler({ keys: jwksOf(key), onEvents: () => undefined });
    const port = await listen((q, s) => void handler(q, s));
    const result = await command([
      '--url',
      `http://127.0.0.1:${port}/webhooks/upvest`,
      '--key',
      keyFile,
      '--key-id',
      key.keyId,
      '--json',
      path.join(dir, 'r.json'),
      '--junit',
      path.join(dir, 'r.xml'),
    ]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Conformance against receiver');
    expect(JSON.parse(await readFile(path.join(dir, 'r.json'), 'utf8'))).toMatchObject({
      passed: true,
    });
    expect(await readFile(path.join(dir, 'r.xml'), 'utf8')).toContain('<testsuites');
  });

  it('should serve a fresh JWKS to an endpoint that fetches its keys by URL, and write it with --jwks-out', async () => {
    const dir = await folder();
    const servePort = await freePort();
    // The endpoint is configured before the run with the URL only, as it would be with Upvest's.
    const keys = createVerificationKeyProvider({
      fetchKeys: async () =>
        (await (
          await fetch(`http://127.0.0.1:${servePort}/auth/verify_keys`)
        ).json()) as JsonWebKeySet,
    });
    const handler = createNodeDeliveryHandler({ keys, onEvents: () => undefined });
    const port = await listen((q, s) => void handler(q, s));
    const jwksFile = path.join(dir, 'keys', 'jwks.json');
    const result = await command([
      '--url',
      `http://127.0.0.1:${port}/webhooks/upvest`,
      '--serve-keys',
      String(servePort),
      '--jwks-out',
      jwksFile,
      '--json',
      path.join(dir, 'r.json'),
      '--junit',
      path.join(dir, 'r.xml'),
    ]);
    expect(result.err).toContain(`served at http://127.0.0.1:${servePort}/auth/verify_keys`);
    expect(result.code).toBe(0);
    const written = JSON.parse(await readFile(jwksFile, 'utf8')) as JsonWebKeySet;
    // Two keys, as during a key rotation: one delivery is signed with the one listed first.
    expect(written.keys).toHaveLength(2);
    const report = JSON.parse(await readFile(path.join(dir, 'r.json'), 'utf8')) as {
      results: { case: string; outcome: string }[];
    };
    expect(report.results.find((r) => r.case.includes('key rotation'))?.outcome).toBe('pass');
    // The key server lasts as long as the run, no longer.
    await expect(fetch(`http://127.0.0.1:${servePort}/auth/verify_keys`)).rejects.toThrow();
  });

  it('should exit 1 with one clear failure for an endpoint that is not running', async () => {
    const dir = await folder();
    const url = `http://127.0.0.1:${await freePort()}/webhooks/upvest`;
    const result = await command([
      '--url',
      url,
      '--ready-timeout',
      '200',
      '--json',
      path.join(dir, 'r.json'),
      '--junit',
      path.join(dir, 'r.xml'),
    ]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`cannot connect to ${url}: ECONNREFUSED`);
    expect(result.out).not.toContain('security');
    expect(result.err).toContain('Configure your endpoint to trust this JWKS');
  });

  it.each([
    ['no --url', []],
    ['a --url that is no http(s) URL', ['--url', 'ftp://tenant.tld/hooks']],
    ['--key without --key-id', ['--url', 'http://127.0.0.1:1/', '--key', 'k.pem']],
    ['a --webhook-id that is no UUID', ['--url', 'http://127.0.0.1:1/', '--webhook-id', 'wh-1']],
    [
      'a --ready-timeout that is no number',
      ['--url', 'http://127.0.0.1:1/', '--ready-timeout', 'soon'],
    ],
    ['a --serve-keys that is no port', ['--url', 'http://127.0.0.1:1/', '--serve-keys', '70000']],
  ])('should exit 2 with the help for %s', async (_name, args) => {
    const result = await command(args);
    expect(result.code).toBe(2);
    expect(result.err).toContain('Usage: conformance receiver');
  });

  it('should exit 2 in one line when the key server cannot listen', async () => {
    const taken = await listen(() => undefined);
    const result = await command(['--url', 'http://127.0.0.1:1/', '--serve-keys', String(taken)]);
    expect(result.code).toBe(2);
    expect(result.err).toBe('cannot hand the keys over (EADDRINUSE)');
  });

  it("should name its reports apart from the server suite's, in the same folder", () => {
    for (const kind of ['junit', 'json'] as const) {
      const server = serverOptions[kind].default;
      const receiver = receiverOptions[kind].default;
      expect(receiver).not.toBe(server);
      expect(path.dirname(receiver)).toBe(path.dirname(server));
    }
    expect(receiverOptions.junit.default).toBe('reports/conformance-receiver.junit.xml');
  });

  it('should show its help in the docs as the command prints it', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const docs = readFileSync(path.join(root, 'docs/conformance.md'), 'utf8');
    const block = /<!-- conformance receiver --help -->\s*```text\n([\s\S]*?)\n```/.exec(docs)?.[1];
    expect(block).toBe(receiverUsage);
  });
});
