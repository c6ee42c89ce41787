/**
 * The shell blocks of the README and docs/ that say `# CI runs this block` on their first line run
 * here as written, with bash (`-euo pipefail`), curl and node: `npx upvest-webhooks` is this
 * checkout's bin. Each command line's trailing comment (`… # 204`) is the line it must print, in
 * order. A block that hangs is killed with everything it started.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docPages, root } from './doc-pages.js';

// Inside the repository, so `node --import tsx` finds tsx in its node_modules.
const folder = path.join(root, 'examples', '.shell-blocks');
const MARKER = '# CI runs this block\n';
const pages = docPages();
const blocks = pages.flatMap((page) => {
  const text = readFileSync(path.join(root, page), 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .filter((match) => match[1]?.startsWith(MARKER))
    .map((match) => {
      const code = match[1] ?? '';
      const line = text.slice(0, match.index).split('\n').length;
      return { name: `the block at ${page} line ${line}`, slug: `${page}-${line}`, code };
    });
});

/** What each command line's trailing `# …` says it prints, in order. */
function expectedLines(code: string): string[] {
  return code
    .split('\n')
    .slice(1)
    .filter((line) => !line.trimStart().startsWith('#'))
    .map((line) => / # (.+)$/.exec(line)?.[1]?.trim())
    .filter((expected): expected is string => expected !== undefined);
}

beforeAll(() => {
  rmSync(folder, { recursive: true, force: true });
  // `npx upvest-webhooks …` runs this checkout's bin; any other npx call is the real one.
  const bin = path.join(folder, 'bin');
  mkdirSync(bin, { recursive: true });
  const shim = path.join(bin, 'npx');
  writeFileSync(
    shim,
    `#!/bin/sh\nif [ "$1" = upvest-webhooks ]; then shift; exec "${process.execPath}" --import tsx "${path.join(root, 'bin', 'upvest-webhooks.ts')}" "$@"; fi\nPATH="\${PATH#*:}" exec npx "$@"\n`,
  );
  chmodSync(shim, 0o755);
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function runBlock(code: string, cwd: string): Promise<{ code: number | null; out: string }> {
  mkdirSync(cwd, { recursive: true });
  writeFileSync(path.join(cwd, 'block.sh'), code);
  const child = spawn('bash', ['-euo', 'pipefail', 'block.sh'], {
    cwd,
    detached: true,
    env: { ...process.env, PATH: `${path.join(folder, 'bin')}:${process.env['PATH'] ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killAll = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };
  const timer = setTimeout(killAll, 60_000);
  return new Promise((resolve) =>
    child.on('close', (exit) => {
      clearTimeout(timer);
      killAll();
      resolve({ code: exit, out });
    }),
  );
}

describe('shell blocks of the README and docs/ that CI runs', () => {
  it('should include the curl session against the mock', () => {
    expect(blocks.map((block) => block.name).join()).toContain('docs/mock-server.md');
  });

  it('should read the expected output from trailing comments only', () => {
    expect(expectedLines('# CI runs this block\n# a comment\necho 1 # 1\necho "#" # #\n')).toEqual([
      '1',
      '#',
    ]);
  });

  it.each(blocks.map((block) => [block.name, block] as const))(
    'should run %s as written and print what its comments say',
    async (_name, block) => {
      const result = await runBlock(block.code, path.join(folder, block.slug.replace(/\W/g, '-')));
      expect(result.out).not.toContain('command not found');
      expect(result.code, result.out).toBe(0);
      const printed = result.out
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      let at = 0;
      for (const expected of expectedLines(block.code)) {
        const found = printed.indexOf(expected, at);
        expect(found, `${expected} in:\n${result.out}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    },
    90_000,
  );
});
