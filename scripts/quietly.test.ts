import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const quietly = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/quietly.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
const node = process.execPath;

describe('scripts/quietly.ts', () => {
  it('should print only its line when the check passes', () => {
    const result = quietly(
      'all good',
      '--',
      node,
      '-e',
      'console.log("a banner"); console.error("an advert")',
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('all good\n');
    expect(result.stderr).toBe('');
  });

  it('should print everything and keep the exit code when the check fails', () => {
    const result = quietly(
      'all good',
      '--',
      node,
      '-e',
      'console.log("what broke"); process.exit(3)',
    );
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('what broke\n');
  });

  it('should fail when the command cannot start', () => {
    const result = quietly('all good', '--', 'no-such-command-here');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no-such-command-here');
  });
});
