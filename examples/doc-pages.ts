/**
 * The pages whose code blocks and links the doc tests check: the README and every page under
 * docs/, and CONTRIBUTING where asked. Paths are relative to the repository's root.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The README, CONTRIBUTING when `withContributing`, and every `docs/*.md`.
 *
 * @example
 * ```ts
 * docPages(); // ['README.md', 'docs/cli.md', …]
 * ```
 */
export function docPages(options: { readonly withContributing?: boolean } = {}): string[] {
  return [
    'README.md',
    ...(options.withContributing ? ['CONTRIBUTING.md'] : []),
    ...readdirSync(path.join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
}
