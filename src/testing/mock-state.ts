import { randomUUID } from 'node:crypto';
import type {
  ListWebhooksQuery,
  Webhook,
  WebhookCreateRequest,
  WebhookList,
  WebhookUpdateRequest,
} from '../types.js';

type SortField = NonNullable<ListWebhooksQuery['sort']>;

/** The mock's in-memory store of webhooks: one per server instance, never shared. */
export class MockState {
  readonly #seed: readonly Webhook[];
  readonly #now: () => Date;
  #webhooks = new Map<string, Webhook>();

  constructor(seed: readonly Webhook[], now: () => Date) {
    this.#seed = seed.map((webhook) => structuredClone(webhook));
    this.#now = now;
    this.reset();
  }

  reset(): void {
    this.#webhooks = new Map(this.#seed.map((webhook) => [webhook.id, structuredClone(webhook)]));
  }

  all(): Webhook[] {
    return [...this.#webhooks.values()].map((webhook) => structuredClone(webhook));
  }

  get(id: string): Webhook | undefined {
    const webhook = this.#webhooks.get(id.toLowerCase());
    return webhook && structuredClone(webhook);
  }

  /** Every webhook starts disabled (R8); `type` defaults to ALL (R7); absent config stays absent. */
  create(input: WebhookCreateRequest): Webhook {
    const timestamp = this.#now().toISOString();
    const webhook: Webhook = {
      id: randomUUID(),
      created_at: timestamp,
      updated_at: timestamp,
      title: input.title,
      url: input.url,
      enabled: false,
      type: input.type ?? ['ALL'],
      config: { ...input.config },
    };
    this.#webhooks.set(webhook.id, webhook);
    return structuredClone(webhook);
  }

  /** A partial update: given fields replace stored ones, `config` is merged field by field. */
  update(id: string, patch: WebhookUpdateRequest): Webhook | undefined {
    const current = this.#webhooks.get(id.toLowerCase());
    if (!current) return undefined;
    const next: Webhook = {
      ...current,
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      ...(patch.type !== undefined ? { type: patch.type } : {}),
      config: { ...current.config, ...patch.config },
      updated_at: this.#now().toISOString(),
    };
    this.#webhooks.set(current.id, next);
    return structuredClone(next);
  }

  delete(id: string): boolean {
    return this.#webhooks.delete(id.toLowerCase());
  }

  /** Sorted by `sort` (ties broken by id, so pages are stable), then sliced by offset and limit. */
  list(query: ListWebhooksQuery): WebhookList {
    const sort: SortField = query.sort ?? 'created_at';
    const order = query.order ?? 'ASC';
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const direction = order === 'DESC' ? -1 : 1;
    const sorted = [...this.#webhooks.values()].sort((a, b) => {
      const left = String(a[sort]);
      const right = String(b[sort]);
      if (left !== right) return (left < right ? -1 : 1) * direction;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    const data = sorted.slice(offset, offset + limit).map((webhook) => structuredClone(webhook));
    return {
      meta: { offset, limit, count: data.length, total_count: sorted.length, sort, order },
      data,
    };
  }
}
