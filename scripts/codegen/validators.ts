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
import { asObject, HEADER, pascal, schemaId, toJsonSchema, type JsonObject } from './json.js';

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
 * client the event schemas. A name missing here is a compile error where it is imported.
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

/**
 * The validators of `validators.js` (every schema of the spec and every operation's headers, for
 * the mock and the conformance suite) that something imports by name; the rest are reached
 * through its two maps only, so they are not exported (knip checks generated/ like any code).
 */
const NAMED = [
  'JsonWebKeySet',
  'Problem',
  'TokenRequest',
  'TokenResponse',
  'Webhook',
  'WebhookCreateRequest',
  'WebhookEventFields',
  'WebhookList',
  'WebhookUpdateRequest',
];

/** Where the event schemas go: the `oneOf` of this schema and itself, in a module of their own. */
const EVENT_UNION = 'WebhookEvent';

/** No generated file may grow past this (scripts/generated.test.ts checks every file). */
export const MAX_GENERATED_BYTES = 300 * 1024;

export interface ValidatorModule {
  readonly js: string;
  readonly dts: string;
}

const SCHEMA_VALIDATOR_TYPE =
  '/** A precompiled ajv validator: a type guard that leaves its errors on `errors`. */\n' +
  'export interface SchemaValidator<T> {\n  (data: unknown): data is T;\n  errors?: ErrorObject[] | null;\n}\n';

/** The schemas a `oneOf` of local `$ref`s names (the event union's members). */
function oneOfMembers(schema: JsonObject, where: string): string[] {
  const members = schema['oneOf'];
  if (!Array.isArray(members)) throw new Error(`spec: ${where} should be a oneOf`);
  return members.map((member) => {
    const ref = asObject(member, where)['$ref'];
    if (typeof ref !== 'string') throw new Error(`spec: ${where} members should be $refs`);
    return ref.slice(ref.lastIndexOf('/') + 1);
  });
}

/**
 * ajv's standalone code exports every validator it is given; those listed in `keep` stay exported,
 * the others become module-local constants (a map of the module still names them).
 */
function exportOnly(code: string, names: readonly string[], keep: ReadonlySet<string>): string {
  let out = code;
  for (const name of names) {
    if (keep.has(name)) continue;
    const line = `export const validate${name} = `;
    if (!out.includes(line)) throw new Error(`ajv's standalone code does not export ${name}`);
    out = out.replace(line, `const validate${name} = `);
  }
  return out;
}

/** A typed map of validators, so callers look one up by the spec's own keys, never a mangled name. */
function mapSource(doc: string, exportName: string, entries: [string, string][]): string {
  const body = entries.map(([key, name]) => `  ${JSON.stringify(key)}: validate${name},`);
  return `\n/** ${doc} */\nexport const ${exportName} = {\n${body.join('\n')}\n};\n`;
}

/** A schema a validator is made for, under its id. */
interface IdentifiedSchema {
  readonly id: string;
  readonly schema: object;
}

/**
 * Every schema a validator is made for, with its id and declared type, listed once: both
 * compilers add the same list.
 */
function validatorSchemas(
  components: JsonObject,
  querySchemas: Map<string, JsonObject>,
  headerSchemas: Map<string, JsonObject>,
): { schemas: IdentifiedSchema[]; types: Map<string, string> } {
  const schemas: IdentifiedSchema[] = [];
  const types = new Map<string, string>();
  const add = (name: string, schema: object, type: string) => {
    const id = schemaId(name);
    schemas.push({ id, schema: { $id: id, ...schema } });
    types.set(name, `export declare const validate${name}: SchemaValidator<${type}>;`);
  };
  for (const name of Object.keys(components)) {
    const schema = asObject(toJsonSchema(asObject(components[name], name)), name);
    add(name, schema, `components['schemas']['${name}']`);
  }
  for (const [name, schema] of [...querySchemas, ...headerSchemas]) {
    add(name, schema, 'Record<string, unknown>');
  }
  return { schemas, types };
}

/**
 * One compiler over every schema. `inlineRefs: false` makes shared definitions shared
 * functions, keeping the mock's modules small; the consumers' modules inline them, since a call
 * per `$ref` with its options object made the client's create-request check a quarter slower
 * (BENCHMARKS.md).
 */
function compiler(schemas: readonly IdentifiedSchema[], inlineRefs: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    allErrors: true,
    inlineRefs,
    code: { source: true, esm: true, lines: true },
  });
  addFormats(ajv);
  for (const { id, schema } of schemas) ajv.addSchema(schema, id);
  return ajv;
}

function compile(ajv: Ajv2020, names: readonly string[]): string {
  return requireToImports(
    standaloneCode(
      ajv,
      Object.fromEntries(names.map((name) => [`validate${name}`, schemaId(name)])),
    ),
  );
}

function declarations(types: ReadonlyMap<string, string>, names: readonly string[]): string {
  return names.map((name) => types.get(name)).join('\n') + '\n';
}

/**
 * `validators`: every schema but the events' (imported from their module), exporting the
 * validators of NAMED, and maps of every component's and every operation's header validator.
 */
function everySchemaModule(
  shared: Ajv2020,
  types: ReadonlyMap<string, string>,
  events: readonly string[],
  componentNames: readonly string[],
  operationIds: readonly string[],
): ValidatorModule {
  const rest = componentNames.filter((name) => !events.includes(name));
  const headers = operationIds.map((id) => `${pascal(id)}Headers`);
  const keep = new Set(NAMED);
  for (const name of NAMED) {
    if (!rest.includes(name))
      throw new Error(`validators.js names ${name}, which it does not hold`);
  }
  return {
    js:
      HEADER +
      `import { ${events.map((name) => `validate${name}`).join(', ')} } from './validators-events.js';\n` +
      exportOnly(compile(shared, [...rest, ...headers]), [...rest, ...headers], keep) +
      `\nexport { validate${EVENT_UNION} };\n` +
      mapSource(
        "Every component schema's validator, by its name in the spec.",
        'schemaValidators',
        componentNames.map((name) => [name, name]),
      ) +
      mapSource(
        "Every operation's header validator (names lower-cased), by operation id.",
        'headerValidators',
        operationIds.map((id) => [id, `${pascal(id)}Headers`]),
      ),
    dts:
      HEADER +
      "import type { ErrorObject } from 'ajv';\nimport type { OperationId } from './constants.js';\nimport type { components } from './openapi.js';\n\n" +
      SCHEMA_VALIDATOR_TYPE +
      '\n' +
      declarations(types, NAMED) +
      `export { validate${EVENT_UNION} } from './validators-events.js';\n` +
      "\n/** Every component schema's validator, by its name in the spec. */\n" +
      "export declare const schemaValidators: { readonly [Name in keyof components['schemas']]: SchemaValidator<components['schemas'][Name]> };\n" +
      "\n/** Every operation's header validator (names lower-cased), by operation id. */\n" +
      'export declare const headerValidators: { readonly [Id in OperationId]: SchemaValidator<Record<string, unknown>> };\n',
  };
}

export function buildValidators(
  document: JsonObject,
  operationIds: readonly string[],
  querySchemas: Map<string, JsonObject>,
  headerSchemas: Map<string, JsonObject>,
): { modules: Map<string, ValidatorModule>; names: string[] } {
  const components = asObject(asObject(document['components'], 'components')['schemas'], 'schemas');
  const { schemas, types } = validatorSchemas(components, querySchemas, headerSchemas);
  const shared = compiler(schemas, false);
  const inlined = compiler(schemas, true);

  const modules = new Map<string, ValidatorModule>();
  // The event schemas (a quarter of a megabyte of checks) in a module of their own, which the map
  // of every schema imports.
  const events = [
    ...oneOfMembers(asObject(components[EVENT_UNION], EVENT_UNION), EVENT_UNION),
    EVENT_UNION,
  ];
  modules.set('validators-events', {
    js: HEADER + compile(shared, events),
    dts:
      HEADER +
      "import type { components } from './openapi.js';\nimport type { SchemaValidator } from './validators.js';\n\n" +
      declarations(types, events),
  });
  modules.set(
    'validators',
    everySchemaModule(shared, types, events, Object.keys(components), operationIds),
  );
  for (const [module, names] of Object.entries(CONSUMERS)) {
    for (const name of names) {
      if (!types.has(name))
        throw new Error(`${module} names ${name}, which the spec does not define`);
    }
    modules.set(module, {
      js: HEADER + compile(inlined, names),
      dts:
        HEADER +
        `import type { components } from './openapi.js';\nimport type { SchemaValidator } from './validators.js';\n\nexport type { SchemaValidator };\n\n` +
        declarations(types, names),
    });
  }
  return { modules, names: [...types.keys()] };
}
