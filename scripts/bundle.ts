/**
 * The last step of `npm run build`: the package's entries as ES module bundles in dist/bundle/,
 * which package.json's `exports` and `bin` point at (tsc's per-file output stays for the
 * declarations and the repository's own runs).
 *
 * Why: Node resolves, reads and links every module file on import, and that, not running our
 * code, was most of an entry's import cost (the receiver loaded 23 of our files). Code splitting
 * keeps what entries share in shared chunks, so `upvest-webhooks` and `upvest-webhooks/receiver`
 * hand out the very same functions and classes.
 *
 * The small dependencies every entry loads are bundled too: structured-headers (seven files),
 * ajv-formats' format table and ajv's runtime helpers are CommonJS, which Node must scan with
 * its CommonJS lexer before an ES module can import them, and openapi-fetch is one more file.
 * Their exact versions are pinned in package.json, which stays the record of what is inside.
 * Left external: fast-check (large, and only the conformance suite's fuzzing loads it) and pg
 * (a peer dependency: the application's own driver and pool).
 */
export const EXTERNAL = ['fast-check', 'pg'] as const;
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** tsc's output of each public entry and of the bin, relative to dist/. */
export const BUNDLED_ENTRIES = [
  'src/index.js',
  'src/deliveries/index.js',
  'src/signing/index.js',
  'src/testing/index.js',
  'src/postgres/index.js',
  'conformance/index.js',
  'conformance/bin.js',
] as const;

await build({
  absWorkingDir: root,
  entryPoints: BUNDLED_ENTRIES.map((entry) => `dist/${entry}`),
  outbase: 'dist',
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: [...EXTERNAL],
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
