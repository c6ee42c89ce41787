/**
 * The last step of `npm run build`: the package's entries as ES module bundles in dist/bundle/,
 * which package.json's `exports` and `bin` point at (tsc's per-file output stays for the
 * declarations and the repository's own runs).
 *
 * Why: Node resolves, reads and links every module file on import, about 1.3 ms per file here
 * on Node 20 whatever its size (BENCHMARKS.md, import time), and that, not running our code, was
 * most of an entry's import cost. Each entry therefore loads few files: the modules an entry
 * reaches are grouped into one chunk per layer of the package, from the smallest entry up:
 *
 *   signing    every module `upvest-webhooks/signing` reaches
 *   receiver   what `upvest-webhooks/receiver` reaches beyond that
 *   main       what `upvest-webhooks` reaches beyond those
 *   testing    what `upvest-webhooks/testing` reaches beyond those
 *
 * so the receiver loads its entry and two chunks (seven files with per-module code splitting),
 * and a chunk only ever imports the chunks of the layers below it. (Runtimes other than Node get
 * a receiver and a signing entry of their own, built at the end.) Every module is in exactly one
 * chunk, so `upvest-webhooks` and `upvest-webhooks/receiver` hand out the very same functions and
 * classes (`instanceof` holds across entries). The rest (postgres, the conformance suite, the
 * probe's network step, loaded on first use) is split as Rollup sees fit.
 *
 * The small dependencies the entries load are bundled too: structured-headers and ajv-formats'
 * format table are CommonJS, which Node must scan with its CommonJS lexer before an ES module
 * can import them, and openapi-fetch is one more file. Their exact versions are pinned in
 * package.json, which stays the record of what is inside. Left external: fast-check (large, and
 * only the conformance suite's fuzzing loads it), pg and @opentelemetry/api (peer dependencies:
 * the application's own driver and pool, and the one API its OpenTelemetry SDK registers with). Comments are dropped from the output (esbuild), as the declarations keep them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import commonjsPlugin from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { build, transform } from 'esbuild';
import { rollup, type GetModuleInfo, type Plugin } from 'rollup';

// The plugin's types describe its CommonJS build; the ES build tsx loads exports the function.
const commonjs = commonjsPlugin as unknown as () => Plugin;

export const EXTERNAL = ['fast-check', 'pg', '@opentelemetry/api'] as const;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/** tsc's output of each public entry and of the bin, relative to dist/. */
export const BUNDLED_ENTRIES = [
  'src/index.js',
  'src/receiver/index.js',
  'src/signing/index.js',
  'src/testing/index.js',
  'src/postgres/index.js',
  'src/telemetry/index.js',
  'conformance/index.js',
  'bin/upvest-webhooks.js',
] as const;

/** The layers, smallest entry first: each chunk holds what its entry reaches beyond the ones before. */
export const LAYERS = [
  ['signing', 'src/signing/index.js'],
  ['receiver', 'src/receiver/index.js'],
  ['main', 'src/index.js'],
  ['testing', 'src/testing/index.js'],
] as const;

/** Every module an entry reaches through static imports (dynamic ones load on first use). */
function reach(entry: string, moduleInfo: GetModuleInfo): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    pending.push(...(moduleInfo(id)?.importedIds ?? []));
  }
  return seen;
}

/** A module's chunk: the first layer whose entry reaches it, or Rollup's choice. */
function layeredChunks(): (
  id: string,
  api: { getModuleInfo: GetModuleInfo },
) => string | undefined {
  let layers: { name: string; modules: Set<string> }[] | undefined;
  return (id, { getModuleInfo }) => {
    layers ??= LAYERS.map(([name, entry]) => ({
      name,
      modules: reach(path.join(dist, entry), getModuleInfo),
    }));
    return layers.find(({ modules }) => modules.has(id))?.name;
  };
}

/**
 * The Node build hashes, signs and verifies with `node:crypto`: every import of the Web Crypto
 * primitives (src/signing/primitives.ts) resolves to primitives.node.ts, synchronous and about a
 * fifth faster per delivery on Node. The web builds of the receiver and of the signing entry
 * below keep Web Crypto.
 */
const nodePrimitives: Plugin = {
  name: 'node-primitives',
  resolveId(source, importer) {
    if (source !== './primitives.js' || !importer) return null;
    if (path.dirname(importer) !== path.join(dist, 'src', 'signing')) return null;
    return path.join(dist, 'src', 'signing', 'primitives.node.js');
  },
};

const bundle = await rollup({
  input: Object.fromEntries(
    BUNDLED_ENTRIES.map((entry) => [entry.replace(/\.js$/, ''), path.join(dist, entry)]),
  ),
  external: (id) =>
    id.startsWith('node:') || EXTERNAL.some((name) => id === name || id.startsWith(`${name}/`)),
  // Our modules have no side effects on import (package.json "sideEffects": false): an entry
  // must not load a chunk for an import whose bindings it does not use.
  treeshake: { moduleSideEffects: (id) => !id.startsWith(dist) },
  plugins: [nodePrimitives, nodeResolve({ preferBuiltins: true }), commonjs()],
  onwarn(warning, warn) {
    // tsc's output imports in cycles the type checker allows (types only at run time).
    if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
  },
});
const { output } = await bundle.write({
  dir: path.join(dist, 'bundle'),
  format: 'es',
  entryFileNames: '[name].js',
  chunkFileNames: 'chunks/[name]-[hash].js',
  manualChunks: layeredChunks(),
});
await bundle.close();

// Comments out: the declarations carry the documentation, and every byte is read on import.
for (const chunk of output) {
  if (chunk.type !== 'chunk') continue;
  const file = path.join(dist, 'bundle', chunk.fileName);
  const { code } = await transform(await readFile(file, 'utf8'), {
    format: 'esm',
    target: 'node20',
    legalComments: 'inline',
  });
  await writeFile(file, code);
}

/**
 * `upvest-webhooks/receiver` and `upvest-webhooks/signing` for every runtime but Node
 * (package.json's `workerd`, `worker`, `browser`, `edge-light`, `deno`, `bun` and `default`
 * conditions): one file each, Web Crypto, no `node:` import, no `Buffer` (check-package.ts
 * checks; scripts/runtimes/ runs the receiver on Deno, Bun and workerd).
 */
export const WEB_RECEIVER = 'bundle/web/receiver.js';
export const WEB_SIGNING = 'bundle/web/signing.js';
for (const [entry, outfile] of [
  ['receiver', WEB_RECEIVER],
  ['signing', WEB_SIGNING],
] as const) {
  await build({
    entryPoints: [path.join(dist, 'src', entry, 'index.js')],
    outfile: path.join(dist, outfile),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    legalComments: 'inline',
    logLevel: 'error',
  });
}
