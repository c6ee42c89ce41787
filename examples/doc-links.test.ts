/**
 * Every relative link of the README, CONTRIBUTING and docs/ points at a file of this repository,
 * and every anchor at a heading of that file: pages move, links must follow.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { docPages, root } from './doc-pages.js';
import { describe, expect, it } from 'vitest';

const pages = docPages({ withContributing: true });

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#+ (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')));
}

const links = pages.flatMap((page) => {
  const text = readFileSync(path.join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => ({ page, target }));
});

describe('links of the README, CONTRIBUTING and docs/', () => {
  it('should have links to check', () => {
    expect(links.length).toBeGreaterThan(20);
  });

  it('should make anchors the way GitHub does', () => {
    expect(anchorOf('From any language: curl')).toBe('from-any-language-curl');
    expect(anchorOf('`accessTokens` and (R7)')).toBe('accesstokens-and-r7');
  });

  it.each(links.map(({ page, target }) => [`${page} -> ${target}`, page, target] as const))(
    'should resolve %s',
    (_name, page, target) => {
      const [file = '', anchor] = target.split('#');
      const resolved = file ? path.join(root, path.dirname(page), file) : path.join(root, page);
      expect(existsSync(resolved), resolved).toBe(true);
      if (anchor && resolved.endsWith('.md')) {
        expect([...anchorsIn(resolved)]).toContain(anchor);
      }
    },
  );
});
