import { randomUUID } from 'node:crypto';
import { validateWebhook } from '../../generated/validators.js';
import { UpvestConfigurationError } from '../errors.js';
import type {
  ListWebhooksQuery,
  Webhook,
  WebhookConfig,
  WebhookCreateRequest,
  WebhookList,
  WebhookUpdateRequest,
} from '../types.js';
import { schemaIssues } from '../validation/schema-issues.js';

type SortField = NonNullable<ListWebhooksQuery['sort']>;

/** Page size when `limit` is absent (facts §7: 100 for `/webhooks`). */
const DEFAULT_LIMIT = 100;

/**
 * The documented batching limits only (R5, R6). The schema lets `config` carry other members;
 * the mock keeps none of them, as a server decoding into a typed record would not, so no test
 * comes to depend on an undocumented field surviving a round trip.
 */
function knownConfig(config: WebhookConfig | undefined): WebhookConfig {
  return {
    ...(config?.delay !== undefined ? { delay: config.delay } : {}),
    ...(config?.max_package_size !== undefined
      ? { max_package_size: config.max_package_size }
      : {}),
  };
}

const FRACTION = /\.(\d+)/;

/**
 * A sortable key of an RFC 3339 date-time: epoch milliseconds, then the digits beyond them, so
 * `…:00Z`, `…:00.00Z`, `…:00.000+00:00` and nanosecond stamps order by instant, not by text.
 */
function instant(value: string): [number, number] {
  const fraction = FRACTION.exec(value)?.[1] ?? '';
  return [Date.parse(value), Number(fraction.slice(3, 9).padEnd(6, '0'))];
}

function compareField(a: Webhook, b: Webhook, field: SortField): number {
  if (field === 'created_at' || field === 'updated_at') {
    const [leftMs, leftRest] = instant(a[field]);
    const [rightMs, rightRest] = instant(b[field]);
    return leftMs - rightMs || leftRest - rightRest;
  }
  if (field === 'enabled') return Number(a.enabled) - Number(b.enabled);
  // Titles and URLs in UTF-16 code unit order: the same on every machine, unlike a locale's.
  const left = a[field];
  const right = b[field];
  return left < right ? -1 : left > right ? 1 : 0;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The mock's in-memory store of webhooks: one per server instance, never shared. Ids are
 * compared case-insensitively (a UUID is the same id in either case). Everything handed out is a
 * copy, so a test cannot change the store behind the server's back.
 *
 * @example
 * ```ts
 * const state = new MockState([], () => new Date());
 * const webhook = state.create({ title: 'User webhook', url: 'https://tenant.tld/webhooks/users' });
 * state.get(webhook.id)?.enabled; // false (R8)
 * ```
 */
export class MockState {
  readonly #seed: readonly Webhook[];
  readonly #now: () => Date;
  #webhooks = new Map<string, Webhook>();

  /** Throws an {@link UpvestConfigurationError} when a seeded webhook breaks the `Webhook` schema or repeats an id. */
  constructor(seed: readonly Webhook[], now: () => Date) {
    const ids = new Set<string>();
    seed.forEach((webhook, index) => {
      if (!validateWebhook(webhook)) {
        const issues = schemaIssues(validateWebhook.errors)
          .map((issue) => `${issue.path || '/'} ${issue.message}`)
          .join('; ');
        throw new UpvestConfigurationError(`seed[${index}] is not a valid Webhook: ${issues}`);
      }
      const key = webhook.id.toLowerCase();
      if (ids.has(key))
        throw new UpvestConfigurationError(`seed[${index}] repeats the id ${webhook.id}`);
      ids.add(key);
    });
    this.#seed = seed.map((webhook) => structuredClone(webhook));
    this.#now = now;
    this.reset();
  }

  /** Back to the seed. */
  reset(): void {
    this.#webhooks = new Map(
      this.#seed.map((webhook) => [webhook.id.toLowerCase(), structuredClone(webhook)]),
    );
  }

  all(): Webhook[] {
    return [...this.#webhooks.values()].map((webhook) => structuredClone(webhook));
  }

  get(id: string): Webhook | undefined {
    const webhook = this.#webhooks.get(id.toLowerCase());
    return webhook && structuredClone(webhook);
  }

  /**
   * A new webhook from a validated body: a random UUID, `created_at` = `updated_at` = now
   * (`toISOString`, RFC 3339 in UTC with milliseconds), always disabled (R8), `type` defaulting
   * to `['ALL']` (R7), `config` as sent (documented fields only; absent ones stay absent).
   */
  create(input: WebhookCreateRequest): Webhook {
    const timestamp = this.#now().toISOString();
    const webhook: Webhook = {
      id: randomUUID(),
      created_at: timestamp,
      updated_at: timestamp,
      title: input.title,
      url: input.url,
      enabled: false,
      type: input.type ? [...input.type] : ['ALL'],
      config: knownConfig(input.config),
    };
    this.#webhooks.set(webhook.id, webhook);
    return structuredClone(webhook);
  }

  /**
   * A partial update from a validated body: given fields replace stored ones, `config` is merged
   * member by member (`{ config: { delay: '5s' } }` keeps `max_package_size`). `updated_at`
   * moves only when a stored value changed, so `{}` (valid, facts §3.3) is a true no-op.
   */
  update(id: string, patch: WebhookUpdateRequest): Webhook | undefined {
    const key = id.toLowerCase();
    const current = this.#webhooks.get(key);
    if (!current) return undefined;
    const merged: Webhook = {
      ...current,
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(patch.type !== undefined ? { type: [...patch.type] } : {}),
      config: { ...current.config, ...knownConfig(patch.config) },
    };
    const next = sameJson(merged, current)
      ? current
      : { ...merged, updated_at: this.#now().toISOString() };
    this.#webhooks.set(key, next);
    return structuredClone(next);
  }

  delete(id: string): boolean {
    return this.#webhooks.delete(id.toLowerCase());
  }

  /**
   * One page: sorted by `sort` (default `created_at`) in `order` (default `ASC`), ties broken by
   * id ascending whatever the order so that paging is stable, then `offset` (default 0) and
   * `limit` (default 100). `meta` echoes the effective values.
   */
  list(query: ListWebhooksQuery): WebhookList {
    const sort: SortField = query.sort ?? 'created_at';
    const order = query.order ?? 'ASC';
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_LIMIT;
    const direction = order === 'DESC' ? -1 : 1;
    const sorted = [...this.#webhooks.values()].sort(
      (a, b) =>
        compareField(a, b, sort) * direction || (a.id.toLowerCase() < b.id.toLowerCase() ? -1 : 1),
    );
    const data = sorted.slice(offset, offset + limit).map((webhook) => structuredClone(webhook));
    return {
      meta: { offset, limit, count: data.length, total_count: sorted.length, sort, order },
      data,
    };
  }
}
