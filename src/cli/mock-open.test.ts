/**
 * `upvest-webhooks mock --open`: the inspector's address, printed, never a browser launched.
 * In process, stopped through the `stop` signal.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';

async function cli(args: string[]) {
  const out: string[] = [];
  const code = await runCli(args, { env: {}, out: (t) => out.push(t), err: () => undefined });
  return { code, out: out.join('\n') };
}

describe('upvest-webhooks mock --open', () => {
  it.each([
    ['as a line of text', [], (out: string) => /^inspector: (\S+)$/m.exec(out)?.[1]],
    [
      'in the JSON',
      ['--json'],
      (out: string) => (JSON.parse(out) as { inspector?: string }).inspector,
    ],
  ])(
    "should print the inspector's address with --open %s, and launch no browser",
    async (_how, flags, inspectorOf) => {
      const stop = new AbortController();
      const out: string[] = [];
      const running = runCli(['mock', '--open', '--auth', 'none', ...flags], {
        env: {},
        out: (text) => out.push(text),
        err: () => undefined,
        stop: stop.signal,
      });
      try {
        await expect.poll(() => out.length).toBeGreaterThan(0);
        const inspector = inspectorOf(out.join('\n')) ?? '';
        expect(inspector).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__mock\/ui$/);
        const page = await fetch(inspector);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      } finally {
        stop.abort();
        expect(await running).toBe(0);
      }
    },
  );

  it('should not print the inspector line without --open, and document the flag in --help', async () => {
    const stop = new AbortController();
    const out: string[] = [];
    const running = runCli(['mock', '--auth', 'none'], {
      env: {},
      out: (text) => out.push(text),
      err: () => undefined,
      stop: stop.signal,
    });
    await expect.poll(() => out.length).toBeGreaterThan(0);
    stop.abort();
    await running;
    expect(out.join('\n')).not.toMatch(/^inspector: /m);
    expect((await cli(['mock', '--help'])).out).toMatch(
      /--open\s+print the address of the inspector page/,
    );
  });
});
