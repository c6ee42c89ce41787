import { validateWebhookDelivery } from '../../generated/validators-deliveries.js';
import type { ValidationIssue } from '../validation-issue.js';
import { schemaIssues } from '../validation/schema-issues.js';
import { sortByCreatedAt } from './created-at.js';
import { isPlainDelivery } from './envelope.js';
import { isKnownEventType, type DeliveryEvent } from './events.js';
import { attachRawSource } from './raw-events.js';

/**
 * The outcome of {@link parseDelivery}: every event, or why the whole batch was refused.
 *
 * @example
 * ```ts
 * const parsed: ParsedDelivery = parseDelivery(rawBody);
 * if (!parsed.ok) console.log(parsed.reason, parsed.issues);
 * ```
 */
export type ParsedDelivery =
  | { readonly ok: true; readonly events: readonly DeliveryEvent[] }
  | {
      readonly ok: false;
      readonly reason: 'invalid_json' | 'invalid_delivery';
      readonly issues: readonly ValidationIssue[];
    };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a delivery body (`{"payload": [event, …]}`) with the validators generated from the
 * spec. Events come back in `created_at` order (nanoseconds and offsets respected, ties kept in
 * delivery order); documented types as known events, other types as unknown events, never as
 * errors. One malformed event refuses the whole batch with its JSON Pointer (e.g.
 * `/payload/3/created_at`): nothing is half accepted. An empty `payload` is a valid batch of zero
 * events.
 *
 * Each event remembers the body it came from: `rawEventText(event)` gives its exact JSON text.
 *
 * This does not verify the signature: use {@link verifyDelivery} on anything received.
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
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
    data = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      reason: 'invalid_json',
      issues: [
        {
          path: '',
          code: 'delivery.invalid_json',
          message:
            error instanceof SyntaxError
              ? `the body is not JSON: ${error.message}`
              : 'the body is not UTF-8 text',
        },
      ],
    };
  }
  // The plain check settles the usual batch cheaply; the generated validator judges the rest.
  if (!isPlainDelivery(data) && !validateWebhookDelivery(data)) {
    return {
      ok: false,
      reason: 'invalid_delivery',
      issues: schemaIssues(validateWebhookDelivery.errors),
    };
  }
  // The events were parsed here and belong to no one else: mark them in place, no copies.
  attachRawSource(data.payload, text);
  const events = sortByCreatedAt(data.payload, (event) => event.created_at);
  for (const event of events) {
    (event as { known?: boolean }).known = isKnownEventType(event.type);
  }
  return { ok: true, events: events as unknown as DeliveryEvent[] };
}
