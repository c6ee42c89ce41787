import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../generated/spec.js';
import {
  validateWebhookCreateRequest,
  validateWebhookUpdateRequest,
} from '../../generated/validators.js';
import { brokenArbitrary, validArbitrary } from './schema-arbitrary.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe.each([
  ['WebhookCreateRequest', validateWebhookCreateRequest],
  ['WebhookUpdateRequest', validateWebhookUpdateRequest],
] as const)('arbitraries of %s', (name, validate) => {
  it('should generate only values the generated validator accepts', () => {
    fc.assert(
      fc.property(validArbitrary(openApiDocument, ref(name)), (value) => {
        expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('should generate only values the generated validator refuses, broken where it says', () => {
    fc.assert(
      fc.property(brokenArbitrary(openApiDocument, ref(name)), (broken) => {
        expect(validate(broken.value), JSON.stringify(broken)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('schema keywords it cannot honour', () => {
  it('should refuse a schema with a keyword it does not know, rather than guess', () => {
    expect(() => validArbitrary({}, { type: 'string', uniqueItems: true })).toThrow(/uniqueItems/);
  });

  it('should read an x- extension as the annotation it is, not as a constraint', () => {
    const schema = { type: 'string', pattern: '^[1-9]s$', 'x-documented-seconds': { maximum: 3 } };
    fc.assert(
      fc.property(validArbitrary({}, schema), (value) => {
        expect(value).toMatch(/^[1-9]s$/);
      }),
      { numRuns: 50 },
    );
  });
});
