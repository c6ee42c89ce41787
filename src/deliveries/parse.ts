import { validateWebhookDelivery, validateWebhookEventFields } from '../../generated/validators.js';
import type { ValidationIssue } from '../validation/issue.js';
import { pointer } from '../validation/issue.js';
import { schemaIssues } from '../validation/schema-issues.js';
import { isKnownEventType, timestampKey, type DeliveryEvent } from './events.js';

/** The outcome of {@link parseDelivery}: every event, or why the batch was refused. */
export type ParsedDelivery =
  | { readonly ok: true; readonly events: readonly DeliveryEvent[] }
  | {
      readonly ok: false;
      readonly reason: 'invalid_json' | 'invalid_delivery';
      readonly issues: readonly ValidationIssue[];
    };

/**
 * Parses a delivery body (`{"payload": [event, …]}`) with the generated validators. Events come
 * back in `created_at` order (nanoseconds respected, ties kept in delivery order); documented
 * types as known events, other types as unknown events. One malformed event refuses the whole
 * batch with its exact path: nothing is half accepted. An empty `payload` is a valid, empty batch.
 *
 * @example
 * ```ts
 * const parsed = parseDelivery(rawBody);
 * if (parsed.ok) for (const event of parsed.events) console.log(event.type);
 * else console.log(parsed.issues[0]?.path); // e.g. '/payload/3/created_at'
 * ```
 */
export function parseDelivery(body: Uint8Array | string): ParsedDelivery {
  let data: unknown;
  try {
    data = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      reason: 'invalid_json',
      issues: [
        {
          path: '',
          code: 'delivery.invalid_json',
          message: error instanceof Error ? error.message : 'not JSON',
        },
      ],
    };
  }
  if (!validateWebhookDelivery(data)) {
    return { ok: false, reason: 'invalid_delivery', issues: preciseIssues(data) };
  }
  const keyed = data.payload.map((event, index) => ({
    event,
    index,
    key: timestampKey(event.created_at),
  }));
  keyed.sort((a, b) => {
    if (a.key !== undefined && b.key !== undefined && a.key !== b.key)
      return a.key < b.key ? -1 : 1;
    return a.index - b.index;
  });
  const events = keyed.map(({ event }): DeliveryEvent =>
    isKnownEventType(event.type)
      ? ({ ...event, known: true } as DeliveryEvent)
      : { ...event, known: false },
  );
  return { ok: true, events };
}

/**
 * The delivery validator's errors on a malformed event run through every branch of its `anyOf`;
 * checking each event against the common fields alone names the real culprit.
 */
function preciseIssues(data: unknown): ValidationIssue[] {
  const payload = (data as { payload?: unknown } | null)?.payload;
  if (!Array.isArray(payload)) return schemaIssues(validateWebhookDelivery.errors);
  const issues = payload.flatMap((event: unknown, index) =>
    validateWebhookEventFields(event)
      ? []
      : schemaIssues(validateWebhookEventFields.errors).map((issue) => ({
          ...issue,
          path: `${pointer('/payload', index)}${issue.path}`,
        })),
  );
  return issues.length > 0 ? issues : schemaIssues(validateWebhookDelivery.errors);
}
