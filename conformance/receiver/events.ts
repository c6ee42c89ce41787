/**
 * The events the receiver suite delivers: shaped like the examples of our OpenAPI document's
 * `receive_delivery`, with fresh ids, `created_at` with nine fraction digits, and one
 * `webhook_id` for every event of a run, as a real subscription delivers them (§8).
 */
import { randomUUID } from 'node:crypto';
import { openApiDocument } from '../../generated/spec.js';
import type { DeliveryEventInput } from '../../src/testing/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The events of the spec's delivery examples, in document order. */
function exampleEvents(): Record<string, Json>[] {
  const at = (value: unknown, ...path: string[]): unknown =>
    path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);
  const examples = at(
    openApiDocument,
    'webhooks',
    'delivery',
    'post',
    'requestBody',
    'content',
    'application/json',
    'examples',
  );
  const events: Record<string, Json>[] = [];
  for (const example of Object.values(isRecord(examples) ? examples : {})) {
    const payload = at(example, 'value', 'payload');
    if (Array.isArray(payload)) events.push(...(payload as Record<string, Json>[]));
  }
  if (events.length === 0) throw new Error('the spec has no delivery examples to shape events on');
  return events;
}

const TEMPLATES = exampleEvents();

/** Every uuid in `value` replaced by a fresh one, the same uuid by the same one. */
function freshIds(value: Json, renamed: Map<string, string>): Json {
  if (typeof value === 'string' && UUID.test(value)) {
    const fresh = renamed.get(value) ?? randomUUID();
    renamed.set(value, fresh);
    return fresh;
  }
  if (Array.isArray(value)) return value.map((item) => freshIds(item, renamed));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, freshIds(v, renamed)]));
  }
  return value;
}

/** Nanoseconds since the epoch as RFC 3339 UTC with nine fraction digits. */
function rfc3339(nanos: bigint): string {
  const iso = new Date(Number(nanos / 1_000_000n)).toISOString(); // …T13:06:57.820Z
  return `${iso.slice(0, -1)}${(nanos % 1_000_000n).toString().padStart(6, '0')}Z`;
}

/** Options of {@link EventSource.events}. */
interface EventOptions {
  /** How many events (default 3). */
  readonly count?: number;
  /** How long ago the events were created (default now): Upvest retries a batch for days. */
  readonly ageMs?: number;
  /** The length of an extra `note` field of each `object`, for realistic sizes. */
  readonly padding?: number;
}

/** Events of one subscription: one `webhook_id`, `created_at` increasing across batches. */
export interface EventSource {
  readonly webhookId: string;
  /** Events shaped like the spec's examples, cycling through them, in `created_at` order (R13). */
  events(options?: EventOptions): DeliveryEventInput[];
}

/**
 * The events of one run, all of webhook `webhookId`.
 *
 * @example
 * ```ts
 * const source = eventSource(randomUUID());
 * const body = envelope(source.events({ count: 2 }));
 * ```
 */
export function eventSource(webhookId: string): EventSource {
  let lastNanos = 0n;
  return {
    webhookId,
    events(options = {}) {
      const count = options.count ?? 3;
      const ageMs = options.ageMs ?? 0;
      let first = BigInt(Date.now() - ageMs) * 1_000_000n;
      if (ageMs === 0) {
        if (first <= lastNanos) first = lastNanos + 1n;
        lastNanos = first + BigInt(count) * 1_000n;
      }
      const renamed = new Map<string, string>();
      return Array.from({ length: count }, (_, index) => {
        const template = TEMPLATES[index % TEMPLATES.length]!;
        const object = freshIds(isRecord(template['object']) ? template['object'] : {}, renamed);
        return {
          id: randomUUID(),
          created_at: rfc3339(first + BigInt(index) * 1_000n),
          type: typeof template['type'] === 'string' ? template['type'] : 'USER.CREATED',
          object: {
            ...(object as Record<string, Json>),
            ...(options.padding ? { note: 'n'.repeat(options.padding) } : {}),
          },
          webhook_id: webhookId,
        };
      });
    },
  };
}

/** The compact JSON of a delivery: what `signDelivery` sends. */
export function envelope(events: readonly DeliveryEventInput[]): string {
  return JSON.stringify({ payload: events });
}

/**
 * Realistic events whose compact delivery is close to `bytes` long without exceeding it: a full
 * batch under the largest `max_package_size` (R6).
 *
 * @example
 * ```ts
 * const body = envelope(batchOfSize(source, 1024 * 1024));
 * ```
 */
export function batchOfSize(source: EventSource, bytes: number): DeliveryEventInput[] {
  const one = Buffer.byteLength(JSON.stringify(source.events({ count: 1, padding: 700 })[0]));
  const count = Math.max(1, Math.floor((bytes - 20) / (one + 1)) - 1);
  return source.events({ count, padding: 700 });
}

/**
 * Genuine bodies whose JSON is not what `JSON.stringify` writes, each built from one event: a
 * receiver that re-serialises the parsed body before checking the digest refuses them.
 *
 * @example
 * ```ts
 * for (const [name, write] of UNUSUAL_JSON) send(name, write(source.events({ count: 1 })[0]));
 * ```
 */
export const UNUSUAL_JSON: readonly (readonly [string, (event: DeliveryEventInput) => string])[] = [
  [
    'pretty-printed JSON with a trailing newline',
    (e) => `${JSON.stringify({ payload: [e] }, null, 2)}\n`,
  ],
  [
    'JSON with its keys in another order',
    (e) => JSON.stringify({ payload: [Object.fromEntries(Object.entries(e).reverse())] }),
  ],
  [
    'JSON with unicode escapes, an escaped slash and characters beyond ASCII',
    (e) =>
      JSON.stringify({
        payload: [{ ...e, object: { ...e.object, name: 'Zoë 😀 a/b', city: 'Köln' } }],
      })
        .replace('ë', '\\u00eb')
        .replace('😀', '\\ud83d\\ude00')
        .replace('a/b', 'a\\/b'),
  ],
  [
    'JSON with numbers that do not survive a round trip',
    (e) =>
      JSON.stringify({ payload: [{ ...e, object: { ...e.object, amount: '@', price: '#' } }] })
        .replace('"@"', '123456789012345678901234567890')
        .replace('"#"', '1.50E+2'),
  ],
];
