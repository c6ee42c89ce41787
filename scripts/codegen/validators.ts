/**
 * The precompiled ajv validators: one module of every schema (the mock, the conformance suite)
 * and one per consumer (the client, the receiver), with the helpers they need copied in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneModule from 'ajv/dist/standalone/index.js';
import formatsModule from 'ajv-formats';
import { transformSync } from 'esbuild';
import { asObject, HEADER, pascal, SCHEMA_ID, toJsonSchema, type JsonObject } from './json.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// Both packages are CommonJS whose `module.exports` is the function, with a `.default` alias:
// under NodeNext the default import is `module.exports`, typed as the namespace.
const standaloneCode = standaloneModule.default;
const addFormats = formatsModule.default;

/**
 * The source of a helper the generated validators need, from its module under scripts/codegen/
 * (real, type-checked TypeScript with its own tests through the generated validators), as plain
 * JavaScript to copy into a generated module: types stripped, its imports and exports left out
 * (the generated module imports what it needs itself).
 */
function helperSource(file: string): string {
  const source = readFileSync(path.join(here, file), 'utf8');
  const { code } = transformSync(source, { loader: 'ts', format: 'esm' });
  const body = code
    .replace(/^import [^;]*;\n/gm, '')
    .replace(/^export \{[^}]*\};\n?/gm, '')
    .trim();
  return `// Copied from scripts/codegen/${file}.\n${body}`;
}

/**
 * ajv's standalone output keeps CommonJS `require()` calls (formats, ucs2length) even in ESM
 * mode, which loads ajv's CommonJS runtime through `createRequire` and fails where there is no
 * `require` (edge runtimes). The formats become a named ES import (Node and bundlers read
 * `fullFormats` from the CommonJS module) with the `uri` shortcut and the `date-time` check copied
 * from scripts/codegen/; ucs2length is copied from there too. Any other `require` fails the
 * generator.
 */
function requireToImports(code: string): string {
  let body = code.replace(/^"use strict";/, '');
  const imports: string[] = [];
  const formats = /require\(["']ajv-formats\/dist\/formats["']\)\.fullFormats/g;
  body = body.replace(formats, 'fullFormats');
  const dateTime = /fullFormats\[["']date-time["']\]/g;
  if (dateTime.test(body)) {
    body = body.replace(dateTime, 'dateTimeFormat');
    imports.push(helperSource('date-time-format.ts'));
  }
  // The uri shortcut falls back to ajv-formats' pattern, so a module using it needs the table.
  const uri = /fullFormats\.uri\b/.test(body);
  if (uri) {
    body = body.replace(/fullFormats\.uri\b/g, 'uriFormat');
    imports.push(helperSource('uri-format.ts'));
  }
  // Only a module that still names a format of ajv-formats loads its table.
  if (uri || /\bfullFormats\b/.test(body)) {
    imports.unshift("import { fullFormats } from 'ajv-formats/dist/formats.js';");
  }
  const ucs2 = /require\(["']ajv\/dist\/runtime\/ucs2length["']\)\.default/g;
  if (ucs2.test(body)) {
    body = body.replace(ucs2, 'ucs2length');
    imports.push(helperSource('ucs2length.ts'));
  }
  const left = /require\([^)]*\)/.exec(body);
  if (left) throw new Error(`the standalone validators still call ${left[0]}`);
  return `${imports.join('\n')}\n${body}`;
}

/**
 * The validators each consumer loads, so a receiver does not load the client's schemas nor the
 * client the event schemas; `validators.js` holds every one, for the mock and the conformance
 * suite. A name missing here is a compile error where it is imported.
 */
const CONSUMERS: Readonly<Record<string, readonly string[]>> = {
  'validators-client': [
    'JsonWebKeySet',
    'ListWebhooksQuery',
    'Problem',
    'TokenResponse',
    'Webhook',
    'WebhookCreateRequest',
    'WebhookList',
    'WebhookUpdateRequest',
  ],
  'validators-deliveries': ['WebhookDelivery'],
};

export interface ValidatorModule {
  readonly js: string;
  readonly dts: string;
}

export function buildValidators(
  document: JsonObject,
  operationIds: readonly string[],
  querySchemas: Map<string, JsonObject>,
  headerSchemas: Map<string, JsonObject>,
): { modules: Map<string, ValidatorModule>; names: string[] } {
  const components = asObject(asObject(document['components'], 'components')['schemas'], 'schemas');
  // Every schema a validator is made for, with its id, export name and declared type, listed
  // once: both compilers below add the same list.
  const schemas: { id: string; schema: object }[] = [];
  const exports: Record<string, string> = {};
  const types = new Map<string, string>();
  const add = (name: string, schema: object, type: string) => {
    const id = `urn:upvest-webhooks:schema:${name}`;
    schemas.push({ id, schema: { $id: id, ...schema } });
    exports[`validate${name}`] = id;
    types.set(name, `export declare const validate${name}: SchemaValidator<${type}>;`);
  };
  for (const name of Object.keys(components)) {
    add(name, { $ref: `${SCHEMA_ID}#/$defs/${name}` }, `components['schemas']['${name}']`);
  }
  for (const [name, schema] of [...querySchemas, ...headerSchemas]) {
    add(name, schema, 'Record<string, unknown>');
  }
  /**
   * One compiler over every schema. `inlineRefs: false` makes shared definitions shared
   * functions (the mock's module of every schema stays about 680 KB instead of 860); the
   * consumers' modules inline them, since a call per `$ref` with its options object made the
   * client's create-request check a quarter slower (BENCHMARKS.md).
   */
  const compiler = (inlineRefs: boolean) => {
    const ajv = new Ajv2020({
      strict: true,
      allErrors: true,
      inlineRefs,
      code: { source: true, esm: true, lines: true },
    });
    addFormats(ajv);
    ajv.addSchema({ $id: SCHEMA_ID, $defs: toJsonSchema(components) });
    for (const { id, schema } of schemas) ajv.addSchema(schema, id);
    return ajv;
  };
  const shared = compiler(false);
  const inlined = compiler(true);
  // Typed maps, so callers look a validator up by the spec's own keys, never by a mangled name.
  const map = (entries: [string, string][]) =>
    `{\n${entries.map(([key, name]) => `  ${JSON.stringify(key)}: validate${name},`).join('\n')}\n}`;
  const schemaNames = Object.keys(components);
  const maps =
    `\n/** Every component schema's validator, by its name in the spec. */\n` +
    `export const schemaValidators = ${map(schemaNames.map((name) => [name, name]))};\n` +
    `\n/** Every operation's header validator (names lower-cased), by operation id. */\n` +
    `export const headerValidators = ${map(operationIds.map((id) => [id, `${pascal(id)}Headers`]))};\n` +
    `\n/** Every operation's query validator (no unknown parameters), by operation id. */\n` +
    `export const queryValidators = ${map(operationIds.map((id) => [id, `${pascal(id)}Query`]))};\n`;
  const modules = new Map<string, ValidatorModule>();
  modules.set('validators', {
    js: HEADER + requireToImports(standaloneCode(shared, exports)) + maps,
    dts:
      HEADER +
      `import type { ErrorObject } from 'ajv';\nimport type { OperationId } from './constants.js';\nimport type { components } from './openapi.js';\n\n` +
      '/** A precompiled ajv validator: a type guard that leaves its errors on `errors`. */\n' +
      'export interface SchemaValidator<T> {\n  (data: unknown): data is T;\n  errors?: ErrorObject[] | null;\n}\n\n' +
      [...types.values()].join('\n') +
      "\n\n/** Every component schema's validator, by its name in the spec. */\n" +
      "export declare const schemaValidators: { readonly [Name in keyof components['schemas']]: SchemaValidator<components['schemas'][Name]> };\n" +
      "\n/** Every operation's header validator (names lower-cased), by operation id. */\n" +
      'export declare const headerValidators: { readonly [Id in OperationId]: SchemaValidator<Record<string, unknown>> };\n' +
      "\n/** Every operation's query validator (no unknown parameters), by operation id. */\n" +
      'export declare const queryValidators: { readonly [Id in OperationId]: SchemaValidator<Record<string, unknown>> };\n',
  });
  for (const [module, names] of Object.entries(CONSUMERS)) {
    const subset: Record<string, string> = {};
    for (const name of names) {
      const id = exports[`validate${name}`];
      if (!id) throw new Error(`${module} names ${name}, which the spec does not define`);
      subset[`validate${name}`] = id;
    }
    modules.set(module, {
      js: HEADER + requireToImports(standaloneCode(inlined, subset)),
      dts:
        HEADER +
        `import type { components } from './openapi.js';\nimport type { SchemaValidator } from './validators.js';\n\nexport type { SchemaValidator };\n\n` +
        names.map((name) => types.get(name)).join('\n') +
        '\n',
    });
  }
  return { modules, names: Object.keys(exports) };
}
