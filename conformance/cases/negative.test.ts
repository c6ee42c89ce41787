import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../generated/spec.js';
import { ruleCodes } from '../../src/rules/codes.js';
import type { ValidationResult } from '../../src/validation-issue.js';
import {
  validateCreateWebhook,
  validateListQuery,
  validateUpdateWebhook,
  validateWebhookId,
} from '../../src/validation/webhook.js';
import { negativeCases, negativeCasesFor, type NegativeCase } from './negative.js';

const validators: Record<string, (input: unknown) => ValidationResult<unknown>> = {
  create_webhook: validateCreateWebhook,
  update_webhook: validateUpdateWebhook,
  list_webhooks: validateListQuery,
};
const validate = (negative: NegativeCase) =>
  negative.expectedCode === 'webhook_id.not_a_uuid'
    ? validateWebhookId(negative.input)
    : validators[negative.operation]!(negative.input);

describe('negativeCases', () => {
  it('should break every business rule code at least once', () => {
    const covered = new Set(negativeCases.map((c) => c.expectedCode));
    expect(Object.keys(ruleCodes).filter((code) => !covered.has(code))).toEqual([]);
  });

  it('should break every schema constraint the brief names', () => {
    const covered = new Set(negativeCases.map((c) => `${c.operation} ${c.expectedCode}`));
    expect([...covered]).toEqual(
      expect.arrayContaining([
        'create_webhook schema.required',
        'create_webhook schema.additionalProperties',
        'update_webhook schema.additionalProperties',
        'update_webhook schema.type',
        'retrieve_webhook webhook_id.not_a_uuid',
        'list_webhooks schema.maximum',
        'list_webhooks schema.minimum',
        'list_webhooks schema.enum',
      ]),
    );
  });

  it('should have unique names', () => {
    const names = negativeCases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(negativeCases.map((c) => [c.name, c] as const))(
    'should be refused by the validators with the expected code: %s',
    (_name, negative) => {
      const result = validate(negative);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues.map((i) => i.code)).toContain(negative.expectedCode);
    },
  );

  it('should derive the bodies from the spec registration example', () => {
    const document = structuredClone<unknown>(openApiDocument) as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, unknown> } }>>;
    };
    const media = document.paths['/webhooks']!['post']!.requestBody.content['application/json'] as {
      examples: Record<string, { value: Record<string, unknown> }>;
    };
    media.examples['user_webhook_docs']!.value['title'] = 'From the spec';

    const http = negativeCasesFor(document).find((c) => c.name === 'http URL (R1)');

    expect(http?.input).toMatchObject({
      title: 'From the spec',
      url: 'http://tenant.tld/webhooks/users',
    });
  });

  it('should say so when the spec has no example to derive from', () => {
    const document = structuredClone<unknown>(openApiDocument) as { paths: object };
    document.paths = {};
    expect(() => negativeCasesFor(document)).toThrow(/no create_webhook request example/);
  });
});
