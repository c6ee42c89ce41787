/**
 * Every TypeScript block of the README and of each page under docs/ is complete: each one
 * type-checks on its own under our strict settings, and each one that needs nothing outside this
 * machine runs and exits 0. A block that needs the sandbox, a database or a listening endpoint
 * says so on its first line (`// needs: …`) and is type-checked only. A block that continues an
 * earlier one (it uses its `client`, `mock` or `keys`) is preceded by an HTML comment holding the
 * declarations it assumes, `<!-- context … -->`, which the page does not show: it is type-checked
 * with them, and not run.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docPages, root } from './doc-pages.js';

// Inside the repository, so the tsconfig's paths map `upvest-webhooks/*` to the sources.
const folder = path.join(root, 'examples', '.doc-blocks');
const pages = docPages();
const blocks = pages.flatMap((page) => {
  const text = readFileSync(path.join(root, page), 'utf8');
  return [...text.matchAll(/(?:<!-- context\n([\s\S]*?)-->\n\n?)?```ts\n([\s\S]*?)```/g)].map(
    (match) => {
      const context = match[1];
      const code = match[2] ?? '';
      const fence = match.index + match[0].indexOf('```ts');
      const line = text.slice(0, fence).split('\n').length;
      const slug = `${page.replace(/[/.]/g, '-')}-${line}`;
      return {
        name: `the block at ${page} line ${line}`,
        file: path.join(folder, `${slug}.ts`),
        code: context === undefined ? code : `${context}\n${code}`,
        runnable: context === undefined && !code.startsWith('// needs:'),
      };
    },
  );
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

describe('TypeScript blocks of the README and docs/', () => {
  it('should have blocks to check, runnable ones among them', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(25);
    expect(new Set(blocks.map((block) => block.name.split(' line')[0])).size).toBeGreaterThan(6);
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
