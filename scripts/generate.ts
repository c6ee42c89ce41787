/**
 * Turns `spec/openapi.yaml` into everything under `generated/`.
 *
 * The spec is the single source of truth: types, runtime constants, operation metadata and the
 * precompiled ajv validators are all derived from it here, so they cannot drift apart. With
 * `--check` nothing is written; the script exits non-zero when any file under `generated/` differs
 * from what the spec produces (a hand edit, or a spec change without `npm run generate`).
 *
 * Usage: `npm run generate` | `npm run generate:check`
 */
import { readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import * as prettier from 'prettier';
import { buildConstants } from './codegen/constants.js';
import { asObject, type Json } from './codegen/json.js';
import { collectOperations } from './codegen/operations.js';
import { buildSpecModule } from './codegen/spec-module.js';
import { buildTypes } from './codegen/types.js';
import { buildValidators } from './codegen/validators.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const specPath = path.join(root, 'spec', 'openapi.yaml');
const outDir = path.join(root, 'generated');

async function format(code: string, file: string): Promise<string> {
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(code, { ...config, filepath: file });
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const document = asObject(parseYaml(await readFile(specPath, 'utf8')) as Json, 'document');
  const { operations, querySchemas, headerSchemas } = collectOperations(document);
  const validators = buildValidators(
    document,
    operations.map((operation) => operation.operationId),
    querySchemas,
    headerSchemas,
  );

  const files = new Map<string, string>([
    ['openapi.ts', await buildTypes(document)],
    ...[...validators.modules].flatMap(([name, module]): [string, string][] => [
      [`${name}.js`, module.js],
      [`${name}.d.ts`, module.dts],
    ]),
    ['constants.ts', buildConstants(document, operations)],
    ['spec.ts', buildSpecModule(document)],
  ]);
  for (const [name, code] of files) files.set(name, await format(code, path.join(outDir, name)));

  if (check) {
    const stale: string[] = [];
    for (const [name, code] of files) {
      const current = await readFile(path.join(outDir, name), 'utf8').catch(() => null);
      if (current !== code) stale.push(name);
    }
    const extra = (await readdir(outDir).catch(() => [])).filter((name) => !files.has(name));
    if (stale.length > 0 || extra.length > 0) {
      console.error(
        `generated/ is out of date with spec/: ${[...stale, ...extra.map((n) => `${n} (not generated)`)].join(', ')}.\n` +
          'Run `npm run generate` and commit the result; never edit generated/ by hand.',
      );
      process.exit(1);
    }
    console.log(
      `generated/ is up to date (${files.size} files, ${validators.names.length} validators).`,
    );
    return;
  }
  await mkdir(outDir, { recursive: true });
  for (const [name, code] of files) await writeFile(path.join(outDir, name), code);
  console.log(`wrote ${files.size} files to generated/ (${validators.names.length} validators).`);
}

await main();
