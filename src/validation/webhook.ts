import {
  validateListWebhooksQuery,
  validateWebhookCreateRequest,
  validateWebhookUpdateRequest,
  type SchemaValidator,
} from '../../generated/validators-client.js';
import { checkCategories } from '../rules/categories.js';
import { checkDelay, type DelayPolicy } from '../rules/delay.js';
import { checkMaxPackageSize } from '../rules/package-size.js';
import { checkTitle } from '../rules/title.js';
import { checkWebhookUrl } from '../rules/url.js';
import type { ListWebhooksQuery, WebhookCreateRequest, WebhookUpdateRequest } from '../types.js';
import { frozenRefusal, type ValidationIssue, type ValidationResult } from '../validation-issue.js';
import { schemaIssues } from './schema-issues.js';

/**
 * Choices where Upvest's documents disagree; the defaults follow the registration guide.
 *
 * @example
 * ```ts
 * validateCreateWebhook(input, { delayPolicy: 'spec' }); // accept 1–99 s or m like the 1.9.0 schema
 * ```
 */
export interface RuleOptions {
  /** `docs` (default): delay 1s–30s in seconds (R5). `spec`: the schema pattern, 1–99 s or m. */
  readonly delayPolicy?: DelayPolicy;
}

/** Appends what a rule found; most calls find nothing and leave the list alone. */
function add(issues: ValidationIssue[], found: readonly ValidationIssue[]): void {
  for (const issue of found) issues.push(issue);
}

/** A field of a body, own and defined, or `undefined`: inherited values are not part of it. */
function field(body: object, key: string): unknown {
  return Object.hasOwn(body, key) ? (body as Record<string, unknown>)[key] : undefined;
}

/** The business rules of a create or update body, run on whichever fields are present. */
function webhookRules(input: unknown, options: RuleOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // Anything but an object has no fields to judge; the schema says what it should be.
  if (typeof input !== 'object' || input === null) return issues;
  const title = field(input, 'title');
  const url = field(input, 'url');
  const type = field(input, 'type');
  const config = field(input, 'config');
  if (title !== undefined) add(issues, checkTitle(title, '/title'));
  if (url !== undefined) add(issues, checkWebhookUrl(url, '/url'));
  if (type !== undefined) add(issues, checkCategories(type, '/type'));
  if (typeof config !== 'object' || config === null) return issues;
  const delay = field(config, 'delay');
  const size = field(config, 'max_package_size');
  if (delay !== undefined) add(issues, checkDelay(delay, '/config/delay', options.delayPolicy));
  if (size !== undefined) add(issues, checkMaxPackageSize(size, '/config/max_package_size'));
  return issues;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a body without business rules (the list query) has to say beyond its schema. */
const NO_RULE_ISSUES: readonly ValidationIssue[] = [];

/**
 * The verdict on an input that threw when read (a getter that throws, a revoked `Proxy`):
 * nothing of it can be judged, and the validators never throw, for those either. The thrown
 * error is not quoted: it is the caller's, and may say anything.
 */
const UNREADABLE = frozenRefusal(
  'body.unreadable',
  'the input could not be read: reading one of its properties threw',
);

/**
 * The schema's verdict joined with what the business rules found in the same input (`rules`:
 * their options, or `null` for a body without business rules, the list query).
 */
function run<T>(
  validator: SchemaValidator<T>,
  input: unknown,
  rules: RuleOptions | null,
): ValidationResult<T> {
  try {
    const ruleIssues = rules === null ? NO_RULE_ISSUES : webhookRules(input, rules);
    const schemaOk = validator(input);
    if (schemaOk && ruleIssues.length === 0) return { ok: true, value: input };
    // A business rule names the problem more precisely than the schema keyword it overlaps with,
    // so where a rule spoke about a value, the schema's issue about the same value is dropped.
    const ruled = new Set(ruleIssues.map((issue) => issue.path));
    const issues = [
      ...(schemaOk ? [] : schemaIssues(validator.errors).filter((issue) => !ruled.has(issue.path))),
      ...ruleIssues,
    ];
    return issues.length === 0 ? { ok: true, value: input as T } : { ok: false, issues };
  } catch {
    return UNREADABLE;
  }
}

/**
 * Checks a `POST /webhooks` body against the schema and the business rules, reporting every
 * issue at once. Never throws: an input that throws when read (a getter, a revoked `Proxy`)
 * gets the one issue `body.unreadable`.
 *
 * @example
 * ```ts
 * const result = validateCreateWebhook({ title: 'User webhook', url: 'http://10.0.0.1/hook' });
 * // result.ok === false; codes url.scheme_not_https and url.ip_host
 * ```
 */
export function validateCreateWebhook(
  input: unknown,
  options: RuleOptions = {},
): ValidationResult<WebhookCreateRequest> {
  return run(validateWebhookCreateRequest, input, options);
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
export function validateUpdateWebhook(
  input: unknown,
  options: RuleOptions = {},
): ValidationResult<WebhookUpdateRequest> {
  return run(validateWebhookUpdateRequest, input, options);
}

/**
 * Checks the query of `GET /webhooks` (sort and order enums, offset ≥ 0, 0 ≤ limit ≤ 1000), as
 * the client does before it sends one. Never throws.
 *
 * @example
 * ```ts
 * validateListQuery({ limit: 5000 }).ok; // false: limit is at most 1000
 * ```
 */
export function validateListQuery(input: unknown): ValidationResult<ListWebhooksQuery> {
  return run(validateListWebhooksQuery as SchemaValidator<ListWebhooksQuery>, input, null);
}

/**
 * Checks a webhook id before it is put into a path: it must be a UUID, so nothing else (a path
 * segment, a token pasted by mistake) ever reaches the URL. Never throws.
 *
 * @example
 * ```ts
 * validateWebhookId('../admin').ok; // false, code webhook_id.not_a_uuid
 * ```
 */
export function validateWebhookId(input: unknown): ValidationResult<string> {
  if (typeof input === 'string' && UUID.test(input)) return { ok: true, value: input };
  return {
    ok: false,
    issues: [{ path: '', code: 'webhook_id.not_a_uuid', message: 'a webhook id is a UUID' }],
  };
}
