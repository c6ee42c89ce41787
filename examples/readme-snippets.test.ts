/**
 * Every TypeScript block of the README is complete: each one type-checks on its own under our
 * strict settings, and each one that needs nothing outside this machine runs and exits 0. A
 * block that needs the sandbox says so on its first line (`// needs: …`) and is type-checked
 * only.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository, so the tsconfig's paths map `upvest-webhooks/*` to the sources.
const folder = path.join(root, 'examples', '.readme-snippets');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match, index) => {
  const code = match[1] ?? '';
  const line = readme.slice(0, match.index).split('\n').length;
  return {
    name: `the block at README.md line ${line}`,
    file: path.join(folder, `block-${index + 1}.ts`),
    code,
    runnable: !code.startsWith('// needs:'),
  };
});
const run = promisify(execFile);

beforeAll(() => {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  // `export {}` keeps every block a module of its own, whatever it imports.
  for (const block of blocks) writeFileSync(block.file, `${block.code}\nexport {};\n`);
  writeFileSync(
    path.join(folder, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      // The blocks are under test, not the libraries' declarations (checked by check:package).
      compilerOptions: { noEmit: true, rootDir: '../..', skipLibCheck: true },
      include: ['*.ts'],
      exclude: [],
    }),
  );
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('README TypeScript blocks', () => {
  it('should have blocks to check, runnable ones among them', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks.filter((block) => block.runnable).length).toBeGreaterThanOrEqual(2);
  });

  it('should type-check every block on its own, under the strict settings', async () => {
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', path.join(folder, 'tsconfig.json')], {
      cwd: root,
    }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? 'tsc failed',
    );
    expect(result).toBe('');
  }, 60_000);

  it.each(blocks.filter((block) => block.runnable).map((block) => [block.name, block] as const))(
    'should run %s and exit 0',
    async (_name, block) => {
      const { stderr } = await run(process.execPath, ['--import', 'tsx', block.file], {
        cwd: root,
        timeout: 30_000,
        env: { ...process.env, CI: 'true' },
      });
      expect(stderr).not.toMatch(/Error/);
    },
    40_000,
  );
});
