import fc from 'fast-check';
import type { OperationId } from '../../generated/constants.js';
import { validateCreateWebhook, validateUpdateWebhook } from '../../src/index.js';
import { createdId, deleteAll } from './scratch.js';
import { SORT_KEYS, SORT_ORDERS } from '../model/lists.js';
import type { FuzzSettings, ProfileContext, RawRequest } from '../run/context.js';

export type { FuzzSettings };
import { baseExamples } from '../cases/negative.js';
import { brokenArbitrary, validArbitrary } from '../cases/schema-arbitrary.js';

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

interface FuzzProperty {
  readonly operation: OperationId;
  readonly name: string;
  readonly inputs: fc.Arbitrary<{ request: RawRequest; owed: number; shown: unknown }>;
}

/**
 * How much the fuzz profile generates when not told: examples per property and the time per
 * property. The CLI's help prints these.
 *
 * @example
 * ```ts
 * FUZZ_DEFAULTS.maxExamples; // 25
 * ```
 */
export const FUZZ_DEFAULTS = { maxExamples: 25, timeBudgetMs: 5_000 } as const;

/**
 * `fuzz`: inputs generated from the JSON Schemas of the spec (fast-check arbitraries compiled by
 * `schema-arbitrary.ts`), valid and broken in exactly one place, for create, update and the list
 * query. A valid input is owed what our validators say of it (201/200, or 400 where a business
 * rule refuses it); a broken one is owed 400; a 5xx is never acceptable. A failure is shrunk to a
 * minimal input and reported with the seed that reproduces it (`--seed`).
 *
 * @example
 * ```ts
 * await runFuzz(context, { seed: 42 });
 * ```
 */
export async function runFuzz(context: ProfileContext, settings: FuzzSettings = {}): Promise<void> {
  const seed = settings.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const numRuns = settings.maxExamples ?? FUZZ_DEFAULTS.maxExamples;
  const budget = settings.timeBudgetMs ?? FUZZ_DEFAULTS.timeBudgetMs;
  const document = context.document;
  const created: string[] = [];
  const seedBody = { ...baseExamples(document).body, title: 'conformance fuzz' };
  const target = createdId(
    await context.sendRaw({ method: 'POST', path: '/webhooks', body: seedBody }),
  );
  if (target) created.push(target);

  const properties: FuzzProperty[] = [
    ...createProperties(document),
    ...(target ? updateProperties(document, target) : []),
    listProperty(),
  ];

  try {
    for (const property of properties)
      await checkProperty(context, property, created, { seed, numRuns, budget });
  } finally {
    await deleteAll(context, created);
  }
}

/** Generated create bodies, valid and broken. */
function createProperties(document: unknown): FuzzProperty[] {
  return [
    {
      operation: 'create_webhook',
      name: 'generated valid create bodies',
      inputs: validArbitrary(document, schemaRef('WebhookCreateRequest')).map((body) => ({
        request: { method: 'POST', path: '/webhooks', body },
        owed: validateCreateWebhook(body).ok ? 201 : 400,
        shown: body,
      })),
    },
    {
      operation: 'create_webhook',
      name: 'generated broken create bodies',
      inputs: brokenArbitrary(document, schemaRef('WebhookCreateRequest')).map((broken) => ({
        request: { method: 'POST', path: '/webhooks', body: broken.value },
        owed: 400,
        shown: broken,
      })),
    },
  ];
}

/** Generated update bodies, valid and broken, sent to the webhook `target`. */
function updateProperties(document: unknown, target: string): FuzzProperty[] {
  return [
    {
      operation: 'update_webhook',
      name: 'generated valid update bodies',
      inputs: validArbitrary(document, schemaRef('WebhookUpdateRequest')).map((body) => ({
        request: { method: 'PATCH', path: `/webhooks/${target}`, body },
        owed: validateUpdateWebhook(body).ok ? 200 : 400,
        shown: body,
      })),
    },
    {
      operation: 'update_webhook',
      name: 'generated broken update bodies',
      inputs: brokenArbitrary(document, schemaRef('WebhookUpdateRequest')).map((broken) => ({
        request: { method: 'PATCH', path: `/webhooks/${target}`, body: broken.value },
        owed: 400,
        shown: broken,
      })),
    },
  ];
}

/** Generated list queries, all valid. */
function listProperty(): FuzzProperty {
  return {
    operation: 'list_webhooks',
    name: 'generated list queries',
    inputs: fc
      .record(
        {
          limit: fc.oneof(fc.constantFrom(0, 1000), fc.integer({ min: 0, max: 1000 })),
          offset: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000_000 })),
          sort: fc.constantFrom(...SORT_KEYS),
          order: fc.constantFrom(...SORT_ORDERS),
        },
        { requiredKeys: [] },
      )
      .map((query) => {
        const text = new URLSearchParams(
          Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString();
        return {
          request: { method: 'GET', path: `/webhooks${text ? `?${text}` : ''}` },
          owed: 200,
          shown: query,
        };
      }),
  };
}

/**
 * Sends a property's generated inputs and records whether each got the answer it is owed; what
 * an input created is deleted at once and remembered in `created`.
 */
async function checkProperty(
  context: ProfileContext,
  property: FuzzProperty,
  created: string[],
  { seed, numRuns, budget }: { seed: number; numRuns: number; budget: number },
): Promise<void> {
  const where = {
    profile: 'fuzz' as const,
    operation: property.operation,
    case: property.name,
  };
  const seen = new Map<string, number | undefined>();
  const result = await fc.check(
    fc.asyncProperty(property.inputs, async ({ request, owed, shown }) => {
      const exchange = await context.sendRaw(request);
      const id = createdId(exchange);
      if (id) {
        created.push(id);
        await context.sendRaw({ method: 'DELETE', path: `/webhooks/${id}` }).catch(() => undefined);
      }
      seen.set(JSON.stringify(shown), exchange?.status);
      return exchange !== undefined && exchange.status === owed;
    }),
    { seed, numRuns, interruptAfterTimeLimit: budget, endOnFailure: false },
  );
  if (result.failed && result.counterexample) {
    const [{ shown, owed }] = result.counterexample;
    const status = seen.get(JSON.stringify(shown));
    context.log.add({
      ...where,
      check: 'every generated input gets the answer it is owed',
      outcome: 'fail',
      detail: `HTTP ${status ?? 'none'} where ${owed} is owed, for ${JSON.stringify(shown)} (shrunk after ${result.numShrinks} steps; reproduce with --seed ${seed})`,
    });
  } else {
    context.log.add({
      ...where,
      check: 'every generated input gets the answer it is owed',
      outcome: 'pass',
      detail: `${result.numRuns} inputs, seed ${seed}${result.interrupted ? ', stopped at the time budget' : ''}`,
    });
  }
}
