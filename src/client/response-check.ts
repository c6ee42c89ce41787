import type { OperationId } from '../../generated/constants.js';
import type { SchemaValidator } from '../../generated/validators-client.js';
import { UpvestResponseError } from '../errors.js';
import { schemaIssues } from '../validation/schema-issues.js';
import type { ValidationIssue } from '../validation-issue.js';
import { redactSecrets } from '../wire/redact.js';
import type { Answer } from './attempts.js';
import type { ClientSettings } from './options.js';

/**
 * A successful answer's body, parsed and checked against the operation's schema as
 * `responseValidation` says: `off` parses only; `warn` reports issues and returns the body;
 * `strict` throws {@link UpvestResponseError}. A missing or non-JSON body always throws: there is
 * nothing to return. Properties the spec does not know are tolerated in every mode.
 *
 * @example
 * ```ts
 * const checked = createResponseChecker(settings);
 * const webhook = checked('retrieve_webhook', validateWebhook, answer);
 * ```
 */
export function createResponseChecker(
  settings: Pick<ClientSettings, 'responseValidation' | 'onResponseIssues'>,
): <T>(operation: OperationId, validator: SchemaValidator<T>, answer: Answer) => T {
  const mode = settings.responseValidation;
  const report = settings.onResponseIssues;
  return function checked<T>(
    operation: OperationId,
    validator: SchemaValidator<T>,
    answer: Answer,
  ): T {
    const { response, requestId } = answer;
    const status = response.status;
    const contentType = response.headers.get('content-type');
    const text = typeof answer.data === 'string' ? answer.data : '';
    if (text === '') {
      throw new UpvestResponseError({
        operation,
        status,
        requestId,
        issues: [{ path: '', code: 'response.missing_body', message: 'the response has no body' }],
        message: `${operation} answered HTTP ${status} without the body the spec documents`,
      });
    }
    let data: unknown;
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      // The parser's message quotes the body, which could echo anything: say what it was instead.
      throw new UpvestResponseError({
        operation,
        status,
        requestId,
        issues: [{ path: '', code: 'response.invalid_json', message: 'the body is not JSON' }],
        message: redactSecrets(
          `${operation} answered HTTP ${status} with a body that is not JSON (content-type ${contentType ?? 'missing'}, ${text.length} characters)`,
          answer.secrets,
        ),
      });
    }
    if (mode === 'off') return data as T;
    const issues: ValidationIssue[] = [];
    if (!isJsonMediaType(contentType)) {
      issues.push({
        path: '',
        code: 'response.content_type',
        message: `the content-type is ${contentType ?? 'missing'}, not application/json`,
      });
    }
    // The tolerant reader: a property Upvest added since our spec is no breach of the contract,
    // so it neither warns nor throws (the conformance suite reports it as drift).
    if (!validator(data)) {
      issues.push(
        ...schemaIssues(validator.errors).filter((i) => i.code !== 'schema.additionalProperties'),
      );
    }
    if (issues.length === 0) return data as T;
    const safe = redactSecrets(issues, answer.secrets);
    if (mode === 'strict') {
      throw new UpvestResponseError({
        operation,
        status,
        requestId,
        issues: safe,
        message: `${operation} answered a body that breaks the spec: ${safe.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
      });
    }
    report({ operation, status, requestId, issues: safe });
    return data as T;
  };
}

/** `application/json`, or any `application/*+json` such as problem+json, with or without parameters. */
function isJsonMediaType(contentType: string | null): boolean {
  // What Upvest sends, without parameters: no need to take the header apart.
  if (contentType === 'application/json') return true;
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[^/]+\+json$/.test(type);
}
