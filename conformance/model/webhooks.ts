/**
 * The API as the suite expects it to behave: every webhook the server holds, with every field,
 * and what each operation must answer given them. The suite judges each answer against this,
 * field by field, instead of by its status or an example. Pure: no I/O, no clock.
 *
 * What the documents say, the model demands (R7 type defaults to ALL, R8 created disabled, a
 * PATCH replaces the fields it names, DELETE removes, the list's defaults and bounds, facts §7).
 * What they leave open, the model learns from the server's first answer and then holds it to
 * that (an id, the timestamps, `config` members nobody sent) or, where a reading is a choice,
 * accepts each documented reading ({@link ModelOptions}).
 */
import { isDeepStrictEqual } from 'node:util';

/** A webhook as the API answers it (the `Webhook` schema). */
export interface ModelWebhook {
  readonly id: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly title: string;
  readonly url: string;
  readonly enabled: boolean;
  readonly type: readonly string[];
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * How the model reads what the documents leave open.
 *
 * @example
 * ```ts
 * const options: ModelOptions = { configPatch: 'merge' };
 * ```
 */
export interface ModelOptions {
  /**
   * What a PATCH with `config` does to the members it does not name: `merge` (default) keeps
   * them, as the embedded mock documents (docs/mock-server.md, "PATCH merges"); `replace` drops
   * them; `either` accepts both, for a server whose reading is not known (Upvest documents
   * neither). The members it names must hold what was sent in every reading.
   */
  readonly configPatch?: 'merge' | 'replace' | 'either';
}

/** The body of a create or an update, as sent. */
export type Body = Readonly<Record<string, unknown>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where an answer departs from the model: JSON Pointers with both values. */
export type Differences = string[];

const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

function differ(out: Differences, path: string, expected: unknown, actual: unknown): void {
  if (!isDeepStrictEqual(expected, actual)) {
    out.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** The instant of an RFC 3339 timestamp in nanoseconds, comparable across spellings. */
export function instant(text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(
    text,
  );
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1] ?? ''}${(match[3] ?? 'Z').toUpperCase()}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/**
 * The model's state: the webhooks the server holds. Start it from a full listing of the
 * server, then tell it each write the server accepted.
 *
 * @example
 * ```ts
 * const model = new WebhookModel(listed.data);
 * const differences = model.judgeCreate(body, answer);
 * if (differences.length === 0) model.created(answer);
 * ```
 */
export class WebhookModel {
  readonly #webhooks = new Map<string, ModelWebhook>();
  readonly #options: Required<ModelOptions>;

  constructor(initial: readonly ModelWebhook[] = [], options: ModelOptions = {}) {
    for (const webhook of initial) this.#webhooks.set(webhook.id.toLowerCase(), webhook);
    this.#options = { configPatch: options.configPatch ?? 'merge' };
  }

  /** Forgets everything and holds these webhooks instead (after a mismatch, the server's word). */
  reset(webhooks: readonly ModelWebhook[]): void {
    this.#webhooks.clear();
    for (const webhook of webhooks) this.#webhooks.set(webhook.id.toLowerCase(), webhook);
  }

  /** Every webhook, in no order. */
  all(): ModelWebhook[] {
    return [...this.#webhooks.values()];
  }

  get(id: string): ModelWebhook | undefined {
    return this.#webhooks.get(id.toLowerCase());
  }

  /**
   * What a create answer must be: a new id (a UUID no webhook has), `created_at` and
   * `updated_at` the same valid instant, `enabled: false` (R8), `title` and `url` as sent,
   * `type` as sent or `['ALL']` (R7), and every `config` member sent, as sent.
   */
  judgeCreate(body: Body, answer: unknown): Differences {
    const out: Differences = [];
    const webhook = (answer ?? {}) as Partial<ModelWebhook>;
    if (typeof webhook.id !== 'string' || !UUID.test(webhook.id)) {
      out.push(`/id: expected a UUID, got ${show(webhook.id)}`);
    } else if (this.get(webhook.id)) {
      out.push(`/id: ${webhook.id} is the id of a webhook that already exists`);
    }
    const created = instant(webhook.created_at);
    if (created === undefined)
      out.push(`/created_at: not an RFC 3339 time: ${show(webhook.created_at)}`);
    if (instant(webhook.updated_at) !== created) {
      out.push(
        `/updated_at: expected the same instant as created_at ${show(webhook.created_at)}, got ${show(webhook.updated_at)}`,
      );
    }
    differ(out, '/enabled', false, webhook.enabled);
    differ(out, '/title', body['title'], webhook.title);
    differ(out, '/url', body['url'], webhook.url);
    differ(out, '/type', body['type'] ?? ['ALL'], webhook.type);
    this.#judgeSentConfig(out, body['config'], webhook.config);
    return out;
  }

  /** Records a create the server answered (after {@link judgeCreate}). */
  created(answer: ModelWebhook): void {
    this.#webhooks.set(answer.id.toLowerCase(), answer);
  }

  /**
   * What an update answer must be, against the stored webhook: every field named replaced by
   * the value sent (`type` as a whole), every other field as stored, `config` per
   * {@link ModelOptions.configPatch}, `id` and `created_at` unchanged, `updated_at` not earlier
   * than before, and, when `changed` and `moved` says enough time passed for the server's clock
   * to tell, later.
   */
  judgeUpdate(id: string, patch: Body, answer: unknown, moved: boolean): Differences {
    const stored = this.get(id);
    if (!stored) return [`the model holds no webhook ${id}`];
    const out: Differences = [];
    const webhook = (answer ?? {}) as Partial<ModelWebhook>;
    differ(out, '/id', stored.id, webhook.id);
    differ(out, '/created_at', stored.created_at, webhook.created_at);
    for (const field of ['title', 'url', 'enabled', 'type'] as const) {
      differ(out, `/${field}`, field in patch ? patch[field] : stored[field], webhook[field]);
    }
    if ('config' in patch)
      this.#judgePatchedConfig(out, stored.config, patch['config'], webhook.config);
    else differ(out, '/config', stored.config, webhook.config);
    const before = instant(stored.updated_at);
    const after = instant(webhook.updated_at);
    if (after === undefined || before === undefined || after < before) {
      out.push(
        `/updated_at: expected no earlier than ${stored.updated_at}, got ${show(webhook.updated_at)}`,
      );
    } else if (moved && changes(stored, patch) && after === before) {
      out.push(`/updated_at: still ${stored.updated_at} after an update that changed the webhook`);
    }
    return out;
  }

  /** Records an update the server answered (after {@link judgeUpdate}). */
  updated(answer: ModelWebhook): void {
    this.#webhooks.set(answer.id.toLowerCase(), answer);
  }

  /** What a retrieve must answer: the stored webhook, exactly. */
  judgeRetrieve(id: string, answer: unknown): Differences {
    const stored = this.get(id);
    if (!stored) return [`the model holds no webhook ${id}`];
    const out: Differences = [];
    for (const field of Object.keys({ ...stored, ...(answer as object) })) {
      differ(
        out,
        `/${field}`,
        (stored as unknown as Record<string, unknown>)[field],
        (answer as Record<string, unknown> | null)?.[field],
      );
    }
    return out;
  }

  deleted(id: string): void {
    this.#webhooks.delete(id.toLowerCase());
  }

  /** Sent `config` members must come back as sent; others may be the server's own defaults. */
  #judgeSentConfig(out: Differences, sent: unknown, answered: unknown): void {
    if (typeof answered !== 'object' || answered === null) {
      out.push(`/config: expected an object, got ${show(answered)}`);
      return;
    }
    for (const [member, value] of Object.entries(sent ?? {})) {
      differ(out, `/config/${member}`, value, (answered as Record<string, unknown>)[member]);
    }
  }

  #judgePatchedConfig(
    out: Differences,
    stored: Readonly<Record<string, unknown>>,
    sent: unknown,
    answered: unknown,
  ): void {
    this.#judgeSentConfig(out, sent, answered);
    const named = new Set(Object.keys(sent ?? {}));
    const rest = (answered ?? {}) as Record<string, unknown>;
    for (const [member, value] of Object.entries(stored)) {
      if (named.has(member)) continue;
      const kept = isDeepStrictEqual(rest[member], value);
      const dropped = !(member in rest);
      const ok =
        this.#options.configPatch === 'merge'
          ? kept
          : this.#options.configPatch === 'replace'
            ? dropped
            : kept || dropped;
      if (!ok) {
        out.push(
          `/config/${member}: a PATCH of config without it left ${show(rest[member])} (stored ${show(value)}; ${this.#options.configPatch === 'either' ? 'kept or dropped' : this.#options.configPatch === 'merge' ? 'kept' : 'dropped'} expected)`,
        );
      }
    }
  }
}

/** Whether a patch changes a stored webhook (config compared member by member as sent). */
function changes(stored: ModelWebhook, patch: Body): boolean {
  return Object.entries(patch).some(([field, value]) =>
    field === 'config'
      ? Object.entries(value ?? {}).some(
          ([member, inner]) => !isDeepStrictEqual(stored.config[member], inner),
        )
      : !isDeepStrictEqual((stored as unknown as Record<string, unknown>)[field], value),
  );
}
