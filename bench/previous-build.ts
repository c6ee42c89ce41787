/**
 * The package's Node build at an earlier revision, for rows that put today's code beside the code
 * before a change in one run (the only comparison this machine's noise allows: figures from
 * another day's run differ by more than the changes we look for). Built once from `git archive`
 * into the system's temp directory, with this checkout's node_modules, and reused after.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The last revision whose receiver verified with node:crypto only, before the Web Crypto
 * receiver and signing (#28). `BENCH_PREVIOUS` names another.
 */
export const BEFORE_WEB_CRYPTO = '66ba874';

export type PreviousBuild =
  | { readonly ok: true; readonly revision: string; readonly root: string }
  | { readonly ok: false; readonly revision: string; readonly reason: string };

/**
 * The build of `revision` (its `dist/`), building it first if no earlier run did.
 *
 * @example
 * ```ts
 * const before = previousBuild(process.cwd(), BEFORE_WEB_CRYPTO);
 * if (before.ok) await import(path.join(before.root, 'dist/bundle/src/receiver/index.js'));
 * ```
 */
export function previousBuild(root: string, revision: string): PreviousBuild {
  let commit: string;
  try {
    commit = git(root, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]).trim();
  } catch {
    return { ok: false, revision, reason: `no commit ${revision} in this clone` };
  }
  const dir = path.join(os.tmpdir(), `upvest-webhooks-build-${commit.slice(0, 12)}`);
  const done = path.join(dir, 'dist', '.built');
  if (existsSync(done)) return { ok: true, revision, root: dir };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const archive = execFileSync('git', ['-C', root, 'archive', '--format=tar', commit], {
      maxBuffer: 1024 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
    writeFileSync(done, '');
    return { ok: true, revision, root: dir };
  } catch (error) {
    return { ok: false, revision, reason: `building ${revision} failed: ${String(error)}` };
  }
}

function git(root: string, args: string[]): string {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
}
