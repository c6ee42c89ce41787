/**
 * fast-check arbitraries compiled from the JSON Schemas of our spec: values that satisfy a
 * schema, and values that break it in exactly one place. Written here because no maintained
 * library generates negative data for fast-check 4; it covers the keywords our document uses
 * (`$ref`, `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`,
 * `minLength`/`maxLength`, `minimum`/`maximum`, `pattern`, `format: uri`, `default`) and refuses
 * to guess at others.
 */
import fc from 'fast-check';
import { resolve } from './spec-examples.js';

type Node = Record<string, unknown>;

/**
 * One value that breaks a schema, and where and how.
 *
 * @example
 * ```ts
 * const broken: Broken = { value: { title: 'x'.repeat(101) }, path: '/title', how: 'maxLength' };
 * ```
 */
export interface Broken {
  readonly value: unknown;
  /** JSON Pointer of the broken member. */
  readonly path: string;
  /** The keyword broken. */
  readonly how: string;
}

const SUPPORTED = new Set([
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'pattern',
  'format',
  'default',
  'title',
  'description',
  'examples',
  'example',
]);

function schemaAt(document: unknown, node: unknown): Node {
  const schema = resolve(document, node);
  // `x-` members are OpenAPI extensions: annotations for our generator, never constraints.
  const unknown = Object.keys(schema).filter((key) => !SUPPORTED.has(key) && !key.startsWith('x-'));
  if (unknown.length > 0) throw new Error(`schema keywords not supported: ${unknown.join(', ')}`);
  return schema;
}

/** Text of ASCII letters, digits and some punctuation and non-ASCII letters, within bounds. */
function text(minLength: number, maxLength: number): fc.Arbitrary<string> {
  const unit = fc.constantFrom(...'abcxyzABC019 -_.éüß日☕');
  // Lengths at the bounds come often: that is where servers break.
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit, minLength, maxLength: Math.min(maxLength, 40) }) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(maxLength)) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(minLength)) },
  );
}

/** An https URL of a DNS host within `maxLength`, with the parts servers trip over. */
function url(maxLength: number): fc.Arbitrary<string> {
  const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
  return fc
    .record({
      host: fc.array(label, { minLength: 1, maxLength: 3 }),
      tld: fc.constantFrom('tld', 'com', 'de', 'xn--p1ai', 'io'),
      port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      path: fc.array(fc.stringMatching(/^[a-zA-Z0-9_.~-]{1,12}$/), { maxLength: 4 }),
      query: fc.option(fc.stringMatching(/^[a-z]{1,5}=[a-z0-9]{0,5}$/), { nil: undefined }),
    })
    .map(({ host, tld, port, path, query }) => {
      const value = `https://${[...host, tld].join('.')}${port ? `:${port}` : ''}/${path.join('/')}${query ? `?${query}` : ''}`;
      return value.length <= maxLength ? value : value.slice(0, maxLength);
    });
}

/**
 * Values that satisfy `schema` (a schema node or a `$ref` to one in `document`).
 *
 * @example
 * ```ts
 * fc.sample(validArbitrary(openApiDocument, { $ref: '#/components/schemas/WebhookCreateRequest' }), 1);
 * ```
 */
export function validArbitrary(document: unknown, node: unknown): fc.Arbitrary<unknown> {
  const schema = schemaAt(document, node);
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
  switch (schema['type']) {
    case 'string': {
      const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : 64;
      const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
      if (schema['format'] === 'uri') return url(max);
      if (typeof schema['pattern'] === 'string')
        return fc.stringMatching(new RegExp(schema['pattern']));
      return text(min, max);
    }
    case 'integer': {
      const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : -1_000_000;
      const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : 1_000_000;
      return fc.oneof(fc.constantFrom(min, max), fc.integer({ min, max }));
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validArbitrary(document, schema['items']), { maxLength: 4 });
    case 'object': {
      const properties = (schema['properties'] ?? {}) as Node;
      const required = new Set((schema['required'] ?? []) as string[]);
      // Optional members come four times in five: a server's bugs hide in what is sent.
      const members = Object.entries(properties).map(([name, child]) => {
        const value = validArbitrary(document, child).map((v): [string, unknown] => [name, v]);
        return required.has(name) ? value : fc.option(value, { freq: 4, nil: undefined });
      });
      return fc
        .tuple(...members)
        .map((entries) =>
          Object.fromEntries(entries.filter((e): e is [string, unknown] => e !== undefined)),
        );
    }
    default:
      throw new Error(`schema type not supported: ${String(schema['type'])}`);
  }
}

/** The ways `schema` itself can be broken, as arbitraries of broken values. */
function breakersOf(schema: Node): { how: string; value: fc.Arbitrary<unknown> }[] {
  const out: { how: string; value: fc.Arbitrary<unknown> }[] = [];
  const type = schema['type'];
  if (type !== 'string') out.push({ how: 'type', value: fc.constant('a string') });
  if (type !== 'integer' && type !== 'boolean') out.push({ how: 'type', value: fc.constant(7) });
  if (type === 'integer') out.push({ how: 'type', value: fc.constant(1.5) });
  if (Array.isArray(schema['enum'])) out.push({ how: 'enum', value: fc.constant('NOT_A_MEMBER') });
  if (typeof schema['maxLength'] === 'number') {
    const max = schema['maxLength'];
    out.push({
      how: 'maxLength',
      value: fc.integer({ min: max + 1, max: max + 20 }).map((n) => 'x'.repeat(n)),
    });
  }
  if (typeof schema['minimum'] === 'number') {
    const min = schema['minimum'];
    out.push({ how: 'minimum', value: fc.integer({ min: min - 1000, max: min - 1 }) });
  }
  if (typeof schema['maximum'] === 'number') {
    const max = schema['maximum'];
    out.push({ how: 'maximum', value: fc.integer({ min: max + 1, max: max + 1000 }) });
  }
  if (typeof schema['pattern'] === 'string') {
    const pattern = new RegExp(schema['pattern']);
    out.push({
      how: 'pattern',
      value: fc.string({ maxLength: 6 }).filter((s) => !pattern.test(s)),
    });
  }
  if (schema['format'] === 'uri')
    out.push({
      how: 'format',
      value: fc.constantFrom('not a url', '//no-scheme', 'https://exa mple.tld/'),
    });
  return out;
}

/**
 * Values that break `schema` in exactly one place: a member of the wrong type, too long, past a
 * bound, outside an enum, against a pattern, a missing required member, an unknown member.
 *
 * @example
 * ```ts
 * fc.sample(brokenArbitrary(openApiDocument, { $ref: '#/components/schemas/WebhookCreateRequest' }), 1);
 * // [{ value: { title: 'xxx…', url: 'https://…' }, path: '/title', how: 'maxLength' }]
 * ```
 */
export function brokenArbitrary(document: unknown, node: unknown, path = ''): fc.Arbitrary<Broken> {
  const schema = schemaAt(document, node);
  const own = breakersOf(schema).map(({ how, value }) =>
    value.map((v): Broken => ({ value: v, path: path || '/', how })),
  );
  const nested: fc.Arbitrary<Broken>[] = [];
  if (schema['type'] === 'object') {
    const properties = (schema['properties'] ?? {}) as Node;
    const required = (schema['required'] ?? []) as string[];
    const valid = validArbitrary(document, node) as fc.Arbitrary<Node>;
    for (const [name, child] of Object.entries(properties)) {
      nested.push(
        fc
          .tuple(valid, brokenArbitrary(document, child, `${path}/${name}`))
          .map(([base, broken]) => ({
            ...broken,
            value: { ...base, [name]: broken.value },
          })),
      );
    }
    for (const name of required) {
      nested.push(
        valid.map((base): Broken => {
          const { [name]: _, ...rest } = base;
          return { value: rest, path: `${path}/${name}`, how: 'required' };
        }),
      );
    }
    if (schema['additionalProperties'] === false) {
      nested.push(
        valid.map((base): Broken => ({
          value: { ...base, x_unknown: true },
          path: `${path}/x_unknown`,
          how: 'additionalProperties',
        })),
      );
    }
  }
  if (schema['type'] === 'array') {
    nested.push(
      fc
        .tuple(
          fc.array(validArbitrary(document, schema['items']), { maxLength: 3 }),
          brokenArbitrary(document, schema['items'], `${path}/0`),
        )
        .map(([rest, broken]) => ({ ...broken, value: [broken.value, ...rest] })),
    );
  }
  const all = [...own, ...nested];
  if (all.length === 0) throw new Error(`nothing can break the schema at ${path || '/'}`);
  return fc.oneof(...all);
}
