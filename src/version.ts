import { readFileSync } from 'node:fs';

/**
 * The version of this package, from its package.json, or `unknown` when it cannot be read (a
 * bundler that dropped it).
 *
 * @example
 * ```ts
 * packageVersion(); // '0.1.0'
 * ```
 */
export function packageVersion(): string {
  // src/version.ts (sources), dist/src/version.js (built) and a chunk or entry of dist/bundle/
  // sit one, two or three folders below the package root.
  for (const up of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'upvest-webhooks' && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}
