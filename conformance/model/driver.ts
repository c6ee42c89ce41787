/**
 * Sends each operation to the server and judges its answer against the model: the contract
 * checks every exchange gets (status, schema, headers), then the answer field by field against
 * what the model holds, and, when the server accepted a write, the model takes it in. Used by
 * the scripted scenario and by the generated sequences of the stateful profile.
 */
import { validateCreateWebhook, validateUpdateWebhook } from '../../src/index.js';
import { checkExchange } from '../checks/exchange.js';
import type { CheckLog, CheckResult, Exchange } from '../report/results.js';
import type { ProfileContext } from '../run/context.js';
import { crossPageOrder, effectiveQuery, judgePage, metaOmits, type ListQuery } from './lists.js';
import { WebhookModel, type Body, type Differences, type ModelWebhook } from './webhooks.js';

type Where = Pick<CheckResult, 'profile' | 'case'>;

function parse(exchange: Exchange | undefined): unknown {
  try {
    return exchange?.responseBody ? (JSON.parse(exchange.responseBody) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** An answer that departs from the model, or no answer at all. */
export class ModelMismatch extends Error {
  override readonly name = 'ModelMismatch';
}

/**
 * The operations of the API against one server and one model.
 *
 * @example
 * ```ts
 * const driver = new ModelDriver(context, context.log, model, 'stateful');
 * const webhook = await driver.create({ title: 'a', url: 'https://tenant.tld/a' }, 'read after write');
 * ```
 */
export class ModelDriver {
  /** Ids of the webhooks this driver created and did not delete: to clean up. */
  readonly created = new Set<string>();

  constructor(
    private readonly context: ProfileContext,
    private readonly log: CheckLog,
    readonly model: WebhookModel,
    private readonly profile: CheckResult['profile'],
  ) {}

  /** Sends a request; records a failure and throws when there is no answer. */
  async #send(
    where: Where & { operation: Parameters<typeof checkExchange>[1]['operation'] },
    request: Parameters<ProfileContext['sendRaw']>[0],
    expected: number | undefined,
  ): Promise<{ exchange: Exchange; body: unknown }> {
    const exchange = await this.context.sendRaw(request);
    if (!exchange) {
      this.log.add({ ...where, check: 'answered', outcome: 'fail', detail: 'no answer' });
      throw new ModelMismatch(`${request.method} ${request.path}: no answer`);
    }
    const body = checkExchange(this.log, where, exchange, expected);
    if (expected !== undefined && exchange.status !== expected) {
      throw new ModelMismatch(
        `${request.method} ${request.path}: expected ${expected}, got ${exchange.status}`,
      );
    }
    return { exchange, body };
  }

  /** Records the model's verdict on an answer; throws when it disagrees. */
  #judge(where: Where & { operation: string }, differences: Differences): void {
    const ok = this.log.expect(
      where,
      'the answer agrees with the model',
      differences.length === 0,
      differences.slice(0, 5).join('; ') || 'every field as expected',
    );
    if (!ok) throw new ModelMismatch(differences.join('; '));
  }

  /** POST /webhooks: 201 with the new webhook when the body is valid, else 400. */
  async create(body: Body, name: string): Promise<ModelWebhook | undefined> {
    const where = { profile: this.profile, operation: 'create_webhook' as const, case: name };
    const valid = validateCreateWebhook(body).ok;
    const { body: answer } = await this.#send(
      where,
      { method: 'POST', path: '/webhooks', body },
      valid ? 201 : 400,
    );
    if (!valid) return undefined;
    const id = (answer as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') this.created.add(id);
    this.#judge(where, this.model.judgeCreate(body, answer));
    this.model.created(answer as ModelWebhook);
    return answer as ModelWebhook;
  }

  /** GET /webhooks/{id}: the stored webhook exactly, or 404 for one the server does not hold. */
  async retrieve(id: string, name: string): Promise<void> {
    const where = { profile: this.profile, operation: 'retrieve_webhook' as const, case: name };
    const known = this.model.get(id) !== undefined;
    const { body } = await this.#send(
      where,
      { method: 'GET', path: `/webhooks/${id}` },
      known ? 200 : 404,
    );
    if (known) this.#judge(where, this.model.judgeRetrieve(id, body));
  }

  /**
   * PATCH /webhooks/{id}: 200 with the webhook as the patch leaves it (see
   * `WebhookModel.judgeUpdate`), 400 for a body the rules refuse, 404 for an unknown webhook.
   * `moved`: enough time passed since the webhook last changed for `updated_at` to tell.
   */
  async update(id: string, patch: Body, name: string, moved = false): Promise<void> {
    const where = { profile: this.profile, operation: 'update_webhook' as const, case: name };
    const known = this.model.get(id) !== undefined;
    const valid = validateUpdateWebhook(patch).ok;
    const expected = !valid ? 400 : known ? 200 : 404;
    const { body } = await this.#send(
      where,
      { method: 'PATCH', path: `/webhooks/${id}`, body: patch },
      expected,
    );
    if (expected !== 200) return;
    this.#judge(where, this.model.judgeUpdate(id, patch, body, moved));
    this.model.updated(body as ModelWebhook);
  }

  /** DELETE /webhooks/{id}: 204, and the model forgets it; 404 for an unknown webhook. */
  async remove(id: string, name: string): Promise<void> {
    const where = { profile: this.profile, operation: 'delete_webhook' as const, case: name };
    const known = this.model.get(id) !== undefined;
    await this.#send(where, { method: 'DELETE', path: `/webhooks/${id}` }, known ? 204 : 404);
    this.model.deleted(id);
    this.created.delete(id);
  }

  /** POST /webhooks/{id}/test: 202 for any webhook the server holds, enabled or not; else 404. */
  async test(id: string, name: string): Promise<void> {
    const where = { profile: this.profile, operation: 'test_webhook' as const, case: name };
    const known = this.model.get(id) !== undefined;
    await this.#send(where, { method: 'POST', path: `/webhooks/${id}/test` }, known ? 202 : 404);
  }

  /** GET /webhooks with a query: the page the model says (see `judgePage`), or 400 out of bounds. */
  async list(query: ListQuery, name: string): Promise<ModelWebhook[]> {
    const where = { profile: this.profile, operation: 'list_webhooks' as const, case: name };
    const effective = effectiveQuery(query);
    const search = new URLSearchParams(query as Record<string, string>).toString();
    const { body } = await this.#send(
      where,
      { method: 'GET', path: `/webhooks${search ? `?${search}` : ''}` },
      effective.ok ? 200 : 400,
    );
    if (!effective.ok) return [];
    this.#judge(where, judgePage(this.model, effective.query, body));
    const omitted = metaOmits(body);
    this.log.note(
      where,
      'meta says which sort and order it applied',
      omitted.length === 0,
      omitted.length === 0
        ? 'both stated'
        : `meta leaves out ${omitted.join(' and ')} (optional in the schema; the spec's example states them)`,
    );
    return (body as { data?: ModelWebhook[] } | undefined)?.data ?? [];
  }

  /**
   * Every page of the list with `limit` per page under a sort: each webhook the model holds
   * exactly once across the pages, none missing, however many share a sort key.
   */
  async walk(
    query: Omit<ListQuery, 'offset' | 'limit'>,
    limit: number,
    name: string,
  ): Promise<void> {
    const items: ModelWebhook[] = [];
    const total = this.model.all().length;
    for (let offset = 0; offset < total + limit; offset += limit) {
      const page = await this.list(
        { ...query, offset: String(offset), limit: String(limit) },
        name,
      );
      items.push(...page);
      if (page.length < limit) break;
    }
    const seen = items.map((item) => item.id.toLowerCase());
    const applied = effectiveQuery(query);
    const wanted = this.model.all().map((webhook) => webhook.id.toLowerCase());
    const repeated = seen.filter((id, index) => seen.indexOf(id) !== index);
    const missing = wanted.filter((id) => !seen.includes(id));
    this.#judge({ profile: this.profile, operation: 'list_webhooks', case: name }, [
      ...(repeated.length > 0 ? [`walking every page repeats ${repeated.join(', ')}`] : []),
      ...(missing.length > 0 ? [`walking every page misses ${missing.join(', ')}`] : []),
      // Each page sorted is not enough: the pages must continue each other.
      ...(applied.ok ? crossPageOrder(applied.query.sort, applied.query.order, items) : []),
    ]);
  }

  /**
   * Runs one part of a scenario; a mismatch (recorded where it happened) ends the part, and the
   * model takes the server's word again so the next part is judged on its own.
   */
  async part(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (!(error instanceof ModelMismatch)) throw error;
      const fresh = await snapshot(this.context);
      if (fresh) this.model.reset(fresh.all());
    }
  }

  /** Deletes what this driver created and did not delete, ignoring failures. */
  async cleanUp(): Promise<void> {
    for (const id of this.created) {
      await this.context
        .sendRaw({ method: 'DELETE', path: `/webhooks/${id}` })
        .catch(() => undefined);
      this.model.deleted(id);
    }
    this.created.clear();
  }
}

/**
 * The model of a server as it stands: every webhook it lists, page by page (`limit=1000`). An
 * answer that is no list leaves it empty, and the profile says so.
 *
 * @example
 * ```ts
 * const model = await snapshot(context);
 * ```
 */
export async function snapshot(context: ProfileContext): Promise<WebhookModel | undefined> {
  const all: ModelWebhook[] = [];
  for (let offset = 0; offset < 100_000; offset += 1000) {
    const exchange = await context.sendRaw({
      method: 'GET',
      path: `/webhooks?limit=1000&offset=${offset}`,
    });
    if (exchange?.status !== 200) return undefined;
    const data = (parse(exchange) as { data?: ModelWebhook[] } | undefined)?.data;
    if (!Array.isArray(data)) return undefined;
    all.push(...data);
    if (data.length < 1000) break;
  }
  return new WebhookModel(all);
}
