import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../generated/spec.js';
import { boundaryCasesFor } from './boundaries.js';
import { baseExamples } from './negative.js';

const seed = baseExamples(openApiDocument).body;
const cases = boundaryCasesFor(openApiDocument, seed);
const named = (name: string) => cases.find((c) => c.name === name);

/** The document with one schema changed, as an edit of spec/openapi.yaml would change it. */
function withSchema(name: string, change: Record<string, unknown>): unknown {
  const document = structuredClone(openApiDocument) as {
    components: { schemas: Record<string, Record<string, unknown>> };
  };
  Object.assign(document.components.schemas[name] ?? {}, change);
  return document;
}

describe('boundaryCasesFor', () => {
  it.each([
    ['create with title of exactly 100 characters', true],
    ['create with title of 101 characters', false],
    ['create with config.max_package_size at its minimum 100', true],
    ['create with config.max_package_size of 99, below its minimum', false],
    ['create with config.max_package_size at its maximum 1048576', true],
    ['create with config.max_package_size of 1048577, above its maximum', false],
    ['create with delay 30s, the longest (R5)', true],
    ['create with delay 31s, past the longest (R5)', false],
    ['create with type [ALL]', true],
    ['create with ALL with another category (R7)', false],
    ['create without url', false],
    ['update with an unknown property', false],
    ['update with enabled written as a string', false],
    ['list with limit at its maximum 1000', true],
    ['list with limit of 1001, above its maximum', false],
    ['list with offset of -1, below its minimum', false],
  ])('should derive "%s" and owe it accept=%s', (name, accept) => {
    expect(named(name)).toMatchObject({ accept });
  });

  it('should change each case in one place only, from a body the rules accept', () => {
    const title = named('create with title of 101 characters');
    expect(title?.body).toEqual({ ...seed, title: 'b'.repeat(101) });
  });

  it('should bring the cases of a new bound with it, with no other change', () => {
    const tighter = boundaryCasesFor(withSchema('WebhookTitle', { maxLength: 50 }), seed);
    const names = tighter.map((c) => c.name);
    expect(names).toContain('create with title of exactly 50 characters');
    expect(names).toContain('create with title of 51 characters');
    expect(names).not.toContain('create with title of 101 characters');
  });

  it('should give every enum member of the categories a case of its own', () => {
    const categories = cases.filter((c) => c.source === 'items.enum' && c.accept);
    expect(categories.length).toBeGreaterThanOrEqual(2 * 27); // create and update, 26 + ALL
  });
});
