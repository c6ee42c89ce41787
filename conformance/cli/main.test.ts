import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockServer, type MockServer } from '../../src/testing/mock-server.js';
import { main } from './main.js';
import { serverProfiles } from '../report/results.js';

let dir: string;
const mocks: MockServer[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'conformance-cli-'));
});
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((mock) => mock.close()));
  await rm(dir, { recursive: true, force: true });
});

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A mock to target with --base-url, and the environment a tenant would set for it. */
async function target(options: Parameters<typeof startMockServer>[0] = {}) {
  const mock = await startMockServer({ seed: 'documented-examples', ...options });
  mocks.push(mock);
  const env = {
    UPVEST_CLIENT_ID: mock.credentials.clientId,
    UPVEST_CLIENT_SECRET: mock.credentials.clientSecret,
    UPVEST_KEY_ID: mock.credentials.keyId,
    UPVEST_PRIVATE_KEY: mock.credentials
      .privateKey!.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  };
  return { mock, env };
}

describe('conformance command', () => {
  it('should explain its flags and environment variables with --help', async () => {
    const { code, out } = await cli(['--help']);

    expect(code).toBe(0);
    for (const word of [
      '--base-url',
      'UPVEST_BASE_URL',
      '--profile',
      'CONFORMANCE_PROFILES',
      '--prefer-header',
      '--junit',
      'CONFORMANCE_JUNIT',
      '--json',
      'CONFORMANCE_JSON',
      'UPVEST_CLIENT_SECRET',
      'UPVEST_ACCESS_TOKEN',
    ])
      expect(out).toContain(word);
  });

  it.each([
    [['--profile', 'replay,smoke'], {}, 'unknown profile smoke'],
    [['--frobnicate'], {}, "Unknown option '--frobnicate'"],
    [['--base-url', 'http://127.0.0.1:9'], {}, 'UPVEST_CLIENT_ID is required'],
  ])('should exit 2 on a usage error: %j', async (argv, env, message) => {
    const { code, err } = await cli(argv, env);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('should run against the embedded mock, print a summary and write both reports', async () => {
    const junit = path.join(dir, 'c.junit.xml');
    const json = path.join(dir, 'c.json');

    const { code, out } = await cli(['--junit', junit, '--json', json]);

    expect(code).toBe(0);
    expect(out).toContain('Conformance against embedded mock');
    expect(out).toContain('PASSED');
    expect(out).toContain('Coverage (operation x documented status x examples exercised)');
    expect(JSON.parse(await readFile(json, 'utf8'))).toMatchObject({
      passed: true,
      profiles: [...serverProfiles],
    });
    expect(await readFile(junit, 'utf8')).toMatch(/^<\?xml/);
  });

  it('should take the profile list and report paths from the environment', async () => {
    const json = path.join(dir, 'env.json');
    const { code } = await cli([], {
      CONFORMANCE_PROFILES: 'negative',
      CONFORMANCE_JSON: json,
      CONFORMANCE_JUNIT: path.join(dir, 'env.xml'),
    });

    expect(code).toBe(0);
    expect(JSON.parse(await readFile(json, 'utf8'))).toMatchObject({ profiles: ['negative'] });
  });

  it('should test a server given by UPVEST_BASE_URL and keep every secret out of console and reports', async () => {
    const { mock, env } = await target();
    const json = path.join(dir, 'c.json');
    const junit = path.join(dir, 'c.xml');

    const { code, out, err } = await cli(['--verbose', '--json', json, '--junit', junit], {
      ...env,
      UPVEST_BASE_URL: mock.url,
    });

    expect(code).toBe(0);
    expect(out).toContain(`Conformance against ${mock.url}`);
    const everything = [out, err, await readFile(json, 'utf8'), await readFile(junit, 'utf8')];
    for (const text of everything) {
      expect(text).not.toContain(env.UPVEST_CLIENT_SECRET);
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toMatch(/Bearer \S{8,}/);
    }
  });

  it('should exit 2 when a report cannot be written, with a message and the summary', async () => {
    const { code, err, out } = await cli([
      '--profile',
      'negative',
      '--json',
      path.join(dir, 'c.json'),
      '--junit',
      '/dev/null/c.xml',
    ]);
    expect(code).toBe(2);
    expect(err).toContain('cannot write the JUnit report to /dev/null/c.xml');
    expect(err).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(out).toContain('Conformance against embedded mock'); // the summary is not lost
  });

  it('should run the embedded mock with its own credentials, and say it ignores the environment', async () => {
    const { env } = await target();
    const { code, err } = await cli(
      [
        '--profile',
        'lifecycle',
        '--json',
        path.join(dir, 'c.json'),
        '--junit',
        path.join(dir, 'c.xml'),
      ],
      { ...env, UPVEST_KEY_ID: 'not-the-mock-key' },
    );
    expect(code).toBe(0);
    expect(err).toMatch(/embedded mock.*UPVEST_CLIENT_ID.*UPVEST_KEY_ID.*are ignored/);
  });

  it('should exit 1 when a check fails', async () => {
    // A server that accepts delays up to 99s breaks R5, which the enforcement profile probes.
    const { mock, env } = await target({ rules: { delayPolicy: 'spec' } });

    const { code, out } = await cli(
      [
        '--base-url',
        mock.url,
        '--profile',
        'enforcement',
        '--json',
        path.join(dir, 'c.json'),
        '--junit',
        path.join(dir, 'c.xml'),
      ],
      env,
    );

    expect(code).toBe(1);
    expect(out).toMatch(/Failures:[\s\S]*delay 31s \(R5\)[\s\S]*expected 400, got 201/);
  });

  it('should append a Markdown summary to $GITHUB_STEP_SUMMARY and print a progress line per profile', async () => {
    const summary = path.join(dir, 'step-summary.md');
    const { code, err } = await cli(
      [
        '--profile',
        'replay,protocol',
        '--json',
        path.join(dir, 'c.json'),
        '--junit',
        path.join(dir, 'c.xml'),
      ],
      { GITHUB_STEP_SUMMARY: summary },
    );
    expect(code).toBe(0);
    expect(await readFile(summary, 'utf8')).toMatch(/^## Conformance passed/);
    expect(err).toMatch(/conformance: replay\s+\d+ checks, 0 failed/);
    expect(err).toMatch(/conformance: protocol\s+\d+ checks, 0 failed/);
  });

  it('should refuse a --timeout that is not a number', async () => {
    expect((await cli(['--timeout', 'soon'])).code).toBe(2);
  });
});
