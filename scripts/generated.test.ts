import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../generated/spec.js';
import { MAX_GENERATED_BYTES } from './codegen/validators.js';
import * as validators from '../generated/validators.js';
import * as client from '../generated/validators-client.js';
import * as deliveries from '../generated/validators-deliveries.js';
import {
  webhookCategories,
  webhookEventTypes,
  webhookEventTypesByCategory,
} from '../generated/constants.js';

type Node = Record<string, unknown>;
const root = fileURLToPath(new URL('..', import.meta.url));
const doc = openApiDocument as Node;

function resolve(value: unknown): Node {
  const node = value as Node;
  const ref = node['$ref'];
  if (typeof ref !== 'string') return node;
  return resolve(
    ref
      .slice(2)
      .split('/')
      .reduce<unknown>((current, token) => (current as Node)[token], doc),
  );
}

/** Every named example of a media type in the spec, with the schema it documents. */
function mediaExamples(): { where: string; schema: string; value: unknown }[] {
  const found: { where: string; schema: string; value: unknown }[] = [];
  const visitContent = (where: string, content: unknown) => {
    for (const [type, media] of Object.entries((content ?? {}) as Node)) {
      const { schema, examples } = media as { schema?: Node; examples?: Node };
      const ref = typeof schema?.['$ref'] === 'string' ? schema['$ref'] : '';
      for (const [name, example] of Object.entries(examples ?? {})) {
        found.push({
          where: `${where} ${type} example "${name}"`,
          schema: ref.replace('#/components/schemas/', ''),
          value: (example as Node)['value'],
        });
      }
    }
  };
  const items = [
    ...Object.entries(doc['paths'] as Node),
    ...Object.entries(doc['webhooks'] as Node),
  ];
  for (const [path, item] of items) {
    for (const [method, operation] of Object.entries(item as Node)) {
      if (method === 'parameters') continue;
      const op = operation as Node;
      const id = `${String(op['operationId'])}`;
      if (op['requestBody']) visitContent(`${id} request`, resolve(op['requestBody'])['content']);
      for (const [status, response] of Object.entries(op['responses'] as Node)) {
        visitContent(`${id} ${status}`, resolve(response)['content']);
      }
      void path;
    }
  }
  return found;
}

describe('generated/', () => {
  it('should import the precompiled validators in plain Node ESM, without a test runner in between', () => {
    const output = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const v = await import('./generated/validators.js'); console.log(v.validateWebhookCreateRequest({ title: 't', url: 'https://a.example' }), v.validateWebhookCreateRequest({ url: 1 }))",
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(output.trim()).toBe('true false');
  });

  it.each(['validators', 'validators-client', 'validators-deliveries'])(
    'should load %s without require, so it runs where there is no CommonJS',
    (module) => {
      const code = readFileSync(`${root}generated/${module}.js`, 'utf8');
      expect(code).not.toMatch(/\brequire\(|createRequire/);
    },
  );

  it('should count a length in code points, as JSON Schema does: 100 emoji are a valid title', () => {
    const url = 'https://tenant.tld/x';
    expect(client.validateWebhookCreateRequest({ title: '\u{1F600}'.repeat(100), url })).toBe(true);
    expect(client.validateWebhookCreateRequest({ title: '\u{1F600}'.repeat(101), url })).toBe(
      false,
    );
    expect(validators.validateWebhookCreateRequest({ title: 'a'.repeat(100), url })).toBe(true);
  });

  it('should count code points like a string iterator, lone and paired surrogates alike', () => {
    const unit = fc.constantFrom('a', '\u{1F600}', '\ud83d', '\ude00', '\u00e9');
    fc.assert(
      fc.property(fc.string({ unit, minLength: 95, maxLength: 105 }), (title) => {
        const valid = client.validateWebhookCreateRequest({ title, url: 'https://tenant.tld/x' });
        expect(valid).toBe([...title].length <= 100);
      }),
    );
  });

  it("should judge URIs exactly as ajv-formats' uri does, the short pattern in front included", () => {
    const uri = (fullFormats as unknown as { uri: (value: string) => boolean }).uri;
    const piece = fc.constantFrom(
      ...['https://', 'HTTPS://', 'http://', 'a', 'Z', '0', '-', '.', ':', ':443', '/', '?', '#'],
      ...['%', '%2F', '%zz', '@', '[', ']', '[::1]', ' ', '\u00e9', '"', '{', '|', '\\', '='],
    );
    const candidate = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.array(piece, { maxLength: 10 }).map((pieces) => `https://${pieces.join('')}`),
      fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')),
    );
    fc.assert(
      fc.property(candidate, (url) => {
        expect(validators.schemaValidators.WebhookUrl(url)).toBe(
          uri(url) && [...url].length <= 1000,
        );
      }),
      { numRuns: 5_000 },
    );
  });

  it("should judge date-times exactly as ajv-formats' date-time does, in every module that checks one", () => {
    const dateTime = (
      fullFormats as unknown as { 'date-time': { validate: (value: string) => boolean } }
    )['date-time'].validate;
    const delivery = examples.find((e) => e.schema === 'WebhookDelivery')?.value as {
      payload: Record<string, unknown>[];
    };
    const webhook = examples.find((e) => e.schema === 'Webhook')?.value as Record<string, unknown>;
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const near = fc
      .tuple(
        fc.oneof(
          fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
          fc.constantFrom('2000', '1900', '2024', '2023', '123', '12345'),
        ),
        two(13),
        two(32),
        fc.constantFrom('T', 't', ' ', '\u00a0', '\n', 'x', 'TT', ''),
        two(24),
        two(60),
        fc.oneof(two(61), fc.constantFrom('60', '59', '5')),
        fc.constantFrom('', '.0', '.820371265', '.', '.x'),
        fc.constantFrom(
          'Z',
          'z',
          '',
          '+01:00',
          '-01:00',
          '+0100',
          '+01',
          '-23:59',
          '+24:00',
          '+01:60',
          '-00:01',
          '+00:01',
          ' Z',
        ),
      )
      .map(
        ([y, mo, d, sep, h, mi, s, frac, zone]) =>
          `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${zone}`,
      );
    // Leap seconds: 23:59:60 in UTC, written in other zones too.
    const leap = fc
      .tuple(
        fc.constantFrom('23', '00', '22', '24', '01'),
        fc.constantFrom('59', '00', '58', '60', '01'),
        fc.constantFrom('60', '61'),
        fc.constantFrom('Z', '+00:00', '-00:01', '+01:00', '-01:00', '+23:59', '-23:59', '+0100'),
      )
      .map(([h, mi, s, zone]) => `2016-12-31T${h}:${mi}:${s}${zone}`);
    const noise = fc.string({ unit: fc.constantFrom(...'0123456789-:.TtZz+ '), maxLength: 30 });
    let valid = 0;
    fc.assert(
      fc.property(
        fc.oneof({ arbitrary: near, weight: 5 }, { arbitrary: leap, weight: 2 }, noise),
        (value) => {
          const expected = dateTime(value);
          if (expected) valid += 1;
          const event = { ...delivery.payload[0], created_at: value };
          expect(deliveries.validateWebhookDelivery({ payload: [event] }), value).toBe(expected);
          expect(client.validateWebhook({ ...webhook, created_at: value }), value).toBe(expected);
          expect(validators.validateWebhook({ ...webhook, created_at: value }), value).toBe(
            expected,
          );
        },
      ),
      { numRuns: 10_000 },
    );
    // Not vacuous: both verdicts are common.
    expect(valid).toBeGreaterThan(500);
    expect(valid).toBeLessThan(9_000);
  });

  it('should give the per-consumer validators the verdicts of the full module on every example', () => {
    const perConsumer = { ...client, ...deliveries } as Record<string, (data: unknown) => boolean>;
    const full = Object.fromEntries(
      Object.entries(validators.schemaValidators).map(([name, check]) => [
        `validate${name}`,
        check,
      ]),
    ) as Record<string, (data: unknown) => boolean>;
    const examples = mediaExamples();
    let compared = 0;
    // The full module has no query validators (the mock reads queries by hand); the client's one
    // is checked by the client's own tests.
    for (const name of Object.keys(perConsumer).filter((name) => !name.endsWith('Query'))) {
      const values = [
        ...examples.filter((e) => `validate${e.schema}` === name).map((e) => e.value),
        {},
        null,
        'x'.repeat(3),
        { title: '\u{1F600}'.repeat(101), url: 'https://tenant.tld/x' },
      ];
      for (const value of values) {
        expect(perConsumer[name]!(value), `${name} on ${JSON.stringify(value)}`).toBe(
          full[name]!(value),
        );
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(40);
  });

  it.each(['validators', 'validators-client', 'validators-deliveries', 'validators-events'])(
    'should declare in %s.d.ts exactly what its .js exports',
    async (name) => {
      const runtime = Object.keys(
        (await import(`../generated/${name}.js`)) as Record<string, unknown>,
      ).sort();
      const dts = readFileSync(path.join(root, 'generated', `${name}.d.ts`), 'utf8');
      const declared = [
        ...dts.matchAll(/^export declare const (\w+)/gm),
        ...dts.matchAll(/^export \{ (\w+) \}/gm),
      ]
        .map((match) => match[1]!)
        .sort();
      expect(runtime.length).toBeGreaterThan(0);
      expect(declared).toEqual(runtime);
    },
  );

  it('should keep every generated file under 300 KB, so a reader and a diff can take it in', () => {
    const sizes = readdirSync(path.join(root, 'generated')).map((name) => ({
      name,
      bytes: statSync(path.join(root, 'generated', name)).size,
    }));
    expect(sizes.length).toBeGreaterThan(8);
    for (const { name, bytes } of sizes)
      expect(bytes, name).toBeLessThanOrEqual(MAX_GENERATED_BYTES);
  });

  it('should list 67 event types in 24 categories, each prefixed by its category', () => {
    expect(webhookEventTypes).toHaveLength(67);
    expect(Object.keys(webhookEventTypesByCategory)).toHaveLength(24);
    for (const [category, types] of Object.entries(webhookEventTypesByCategory)) {
      for (const type of types) expect(type.startsWith(`${category}.`)).toBe(true);
    }
  });

  it('should list all 27 categories of the spec, ALL first', () => {
    expect(webhookCategories).toHaveLength(27);
    expect(webhookCategories[0]).toBe('ALL');
  });

  const examples = mediaExamples();

  it('should find the documented examples of every operation', () => {
    expect(examples.length).toBeGreaterThanOrEqual(20);
  });

  it.each(examples.map((example) => [example.where, example] as const))(
    'should validate %s against its own schema',
    (_where, example) => {
      const validate = (validators.schemaValidators as Record<string, (data: unknown) => boolean>)[
        example.schema
      ];
      expect(validate, `no validator for ${example.schema}`).toBeTypeOf('function');
      expect(validate?.(example.value)).toBe(true);
    },
  );
});
