import {
  validateListWebhooksQuery,
  validateWebhookCreateRequest,
  validateWebhookUpdateRequest,
  type SchemaValidator,
} from '../../generated/validators.js';
import type { ListWebhooksQuery, WebhookCreateRequest, WebhookUpdateRequest } from '../types.js';
import type { ValidationIssue, ValidationResult } from './issue.js';
import { schemaIssues } from './schema-issues.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function run<T>(
  validator: SchemaValidator<T>,
  input: unknown,
  rules: (input: unknown) => ValidationIssue[],
): ValidationResult<T> {
  const schemaOk = validator(input);
  const ruleIssues = rules(input);
  // A business rule names the problem more precisely than the schema keyword it overlaps with,
  // so where a rule spoke about a value, the schema's issue about the same value is dropped.
  const ruled = new Set(ruleIssues.map((issue) => issue.path));
  const issues = [
    ...(schemaOk ? [] : schemaIssues(validator.errors).filter((issue) => !ruled.has(issue.path))),
    ...ruleIssues,
  ];
  return issues.length === 0 ? { ok: true, value: input as T } : { ok: false, issues };
}

function noRules(): ValidationIssue[] {
  return [];
}

/**
 * Checks a `POST /webhooks` body against the schema and the business rules, reporting every
 * issue at once. Never throws.
 *
 * @example
 * ```ts
 * const result = validateCreateWebhook({ title: 'User webhook', url: 'http://10.0.0.1/hook' });
 * // result.ok === false; codes url.scheme_not_https and url.ip_host
 * ```
 */
export function validateCreateWebhook(input: unknown): ValidationResult<WebhookCreateRequest> {
  return run(validateWebhookCreateRequest, input, noRules);
}

/**
 * Checks a `PATCH /webhooks/{webhook_id}` body against the schema and the business rules.
 * Never throws.
 *
 * @example
 * ```ts
 * validateUpdateWebhook({ enabled: true }); // { ok: true, value: { enabled: true } }
 * ```
 */
export function validateUpdateWebhook(input: unknown): ValidationResult<WebhookUpdateRequest> {
  return run(validateWebhookUpdateRequest, input, noRules);
}

/** Checks the query of `GET /webhooks` (sort and order enums, offset ≥ 0, 0 ≤ limit ≤ 1000). */
export function validateListQuery(input: unknown): ValidationResult<ListWebhooksQuery> {
  return run(validateListWebhooksQuery as SchemaValidator<ListWebhooksQuery>, input, noRules);
}

/** Checks a webhook id before it is put into a path: it must be a UUID. */
export function validateWebhookId(input: unknown): ValidationResult<string> {
  if (typeof input === 'string' && UUID.test(input)) return { ok: true, value: input };
  return {
    ok: false,
    issues: [{ path: '', code: 'webhook_id.not_a_uuid', message: 'a webhook id is a UUID' }],
  };
}
