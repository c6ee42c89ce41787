import type { ProfileContext } from '../run/context.js';
import { baseExamples } from '../cases/negative.js';
import { ModelDriver, snapshot } from '../model/driver.js';
import { SORT_KEYS, SORT_ORDERS } from '../model/lists.js';
import type { Body, ModelWebhook } from '../model/webhooks.js';
import { runGeneratedSequences } from './sequences.js';

/** Long enough for a server whose timestamps have whole seconds to show a change. */
const TIMESTAMP_RESOLUTION_MS = 1_100;

/** Each field a PATCH can name, changed alone, in an order that also changes it back. */
function patchesOf(run: string): [string, Body][] {
  return [
    ['title', { title: `${run} renamed` }],
    ['url', { url: `https://tenant.tld/${run}/moved` }],
    ['type, replaced as a whole', { type: ['ORDER', 'EXECUTION'] }],
    ['type, narrowed', { type: ['ORDER'] }],
    ['config.delay', { config: { delay: '7s' } }],
    ['config.max_package_size', { config: { max_package_size: 20480 } }],
    ['both config members', { config: { delay: '3s', max_package_size: 1024 } }],
    ['enabled', { enabled: true }],
    // A PATCH that does not name enabled leaves it as it is (§3.3: partial update).
    ['title, while enabled', { title: `${run} enabled` }],
    ['config, while enabled', { config: { delay: '4s' } }],
    ['enabled back', { enabled: false }],
    ['an empty title', { title: '' }],
    ['nothing at all', {}],
  ];
}

/**
 * `stateful`: what the server stores, judged against a model of the API (conformance/model/):
 * every webhook it holds, with every field. The model starts from a full listing; each answer
 * is compared with it field by field (create echo, retrieve, every list page and its `meta`,
 * update echo, delete, test), and each accepted write updates it. A scripted part changes each
 * field alone and reads it back, pages through every sort key and order (ties included) and the
 * list's bounds, and uses a deleted webhook; then generated sequences of operations run against
 * the model and shrink to a numbered list of curl commands when one disagrees
 * (profiles/sequences.ts). Everything it creates is deleted again.
 *
 * @example
 * ```ts
 * await runStateful(context); // records into context.log; deletes what it created
 * ```
 */
export async function runStateful(context: ProfileContext): Promise<void> {
  const where = {
    profile: 'stateful' as const,
    operation: 'list_webhooks' as const,
    case: 'model',
  };
  if (!context.stateful) {
    context.log.add({
      ...where,
      check: 'the model runs',
      outcome: 'skip',
      detail: 'the target keeps no state',
    });
    return;
  }
  const model = await snapshot(context);
  if (!model) {
    context.log.add({
      ...where,
      check: 'the server lists its webhooks',
      outcome: 'fail',
      detail: 'GET /webhooks?limit=1000 gave no list to start the model from',
    });
    return;
  }
  const driver = new ModelDriver(context, context.log, model, 'stateful');
  const run = `conformance${Date.now().toString(36)}`;
  const seed = baseExamples(context.document).body;
  try {
    await scenario(driver, run, seed);
  } finally {
    await driver.cleanUp();
  }
  await runGeneratedSequences(context, run, seed);
}

async function scenario(driver: ModelDriver, run: string, seed: Body): Promise<void> {
  let first: ModelWebhook | undefined;
  const createdAt = Date.now();
  // Read after write, one field at a time; the webhook is read back after each.
  await driver.part(async () => {
    first = await driver.create({ ...seed, title: `${run} a` }, 'read after write');
    if (!first) return;
    await driver.retrieve(first.id, 'read after write');
    for (const [what, patch] of patchesOf(run)) {
      await driver.update(first.id, patch, `update of ${what}`);
      await driver.retrieve(first.id, `update of ${what}`);
    }
  });
  // The documented defaults of a create, and a test of a webhook whether enabled or not.
  await driver.part(async () => {
    const bare = await driver.create(
      { title: `${run} bare`, url: `https://tenant.tld/${run}/bare` },
      'a create without type or config',
    );
    if (!bare) return;
    await driver.retrieve(bare.id, 'a create without type or config');
    // A test sends a test delivery; it changes nothing of the webhook (read back after each).
    await driver.test(bare.id, 'a test of a disabled webhook');
    await driver.retrieve(bare.id, 'a test of a disabled webhook');
    await driver.update(bare.id, { enabled: true }, 'a test of an enabled webhook');
    await driver.test(bare.id, 'a test of an enabled webhook');
    await driver.retrieve(bare.id, 'a test of an enabled webhook');
  });
  await driver.part(() => paging(driver, run, seed));
  const id = first?.id;
  if (id === undefined) return;
  // By now enough time has passed for any server clock to show that a change moves updated_at.
  const wait = TIMESTAMP_RESOLUTION_MS - (Date.now() - createdAt);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  await driver.part(() =>
    driver.update(id, { title: `${run} last` }, 'updated_at moves, created_at stays', true),
  );
  await driver.part(() => useAfterFree(driver, id));
}

async function paging(driver: ModelDriver, run: string, seed: Body): Promise<void> {
  // Created in an order their titles do not have; two share a title, so ties are walked too.
  for (const [i, enabled] of [
    [3, false],
    [1, true],
    [5, false],
    [2, true],
    [4, false],
    [4, true],
  ] as const) {
    const made = await driver.create(
      { ...seed, title: `${run} p${i}`, url: `https://tenant.tld/${run}/p${i}` },
      'paging',
    );
    if (made && enabled) await driver.update(made.id, { enabled: true }, 'paging');
  }
  for (const sort of SORT_KEYS) {
    for (const order of SORT_ORDERS) {
      await driver.walk({ sort, order }, 2, `every page, sort=${sort}&order=${order}`);
    }
  }
  await driver.walk({}, 3, 'every page, the default sort');
  const total = driver.model.all().length;
  const bounds: [string, Record<string, string>][] = [
    ['offset past the end', { offset: String(total + 5) }],
    ['offset at the end', { offset: String(total) }],
    ['limit 0', { limit: '0' }],
    ['limit 1', { limit: '1', offset: '1' }],
    ['the largest limit', { limit: '1000' }],
    ['a limit above the maximum', { limit: '1001' }],
    ['a negative offset', { offset: '-1' }],
    ['a limit that is no number', { limit: 'ten' }],
    ['a sort key that is none', { sort: 'id' }],
    ['an order in lower case', { order: 'asc' }],
    ['a descending order in lower case', { sort: 'title', order: 'desc' }],
    ['empty values, the defaults', { limit: '', offset: '' }],
  ];
  for (const [name, query] of bounds) await driver.list(query, name);
}

async function useAfterFree(driver: ModelDriver, id: string): Promise<void> {
  await driver.remove(id, 'use after free');
  await driver.retrieve(id, 'use after free');
  await driver.update(id, { title: 'after delete' }, 'use after free');
  await driver.test(id, 'use after free');
  await driver.remove(id, 'delete twice');
  await driver.list({ limit: '1000' }, 'use after free');
}
