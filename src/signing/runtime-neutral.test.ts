import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Every source file the signing entry loads, following relative imports that stay in the
 * JavaScript (`import type` is erased, so it does not count).
 */
function loadedFiles(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const specifier of valueImports(readFileSync(file, 'utf8'))) {
    if (specifier.startsWith('.')) {
      loadedFiles(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')), seen);
    }
  }
  return seen;
}

/** The modules a file imports or re-exports as values. */
function valueImports(code: string): string[] {
  return [...code.matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?\bfrom\s+'([^']+)'/gms)].map(
    ([, specifier]) => specifier ?? '',
  );
}

describe('the signing entry', () => {
  const files = [...loadedFiles(path.join(here, 'index.ts'))];

  it('should load the signing modules and the kernel below them, and nothing of the testing entry', () => {
    const names = files.map((file) => path.relative(path.join(here, '..'), file));
    expect(names).toContain('signing/sign.ts');
    expect(names).toContain('signing/keys.ts');
    expect(names).not.toContain('signing/primitives.node.ts');
    expect(names.filter((name) => name.startsWith('testing/'))).toEqual([]);
  });

  it.each([
    ['a Node built-in', /^(?:import|export)\s+(?!type\s)[^;]*?\bfrom\s+'node:/m],
    ['Buffer', /\bBuffer\b/],
    ['require', /\brequire\(/],
    ['process', /\bprocess\./],
  ])(
    'should name %s in none of the files it loads, so it runs on Deno and workers',
    (_name, pattern) => {
      const offending = files.filter((file) =>
        pattern.test(withoutComments(readFileSync(file, 'utf8'))),
      );
      expect(offending.map((file) => path.relative(here, file))).toEqual([]);
    },
  );
});

/** The code without its comments, which may well mention Buffer or node:crypto. */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}
