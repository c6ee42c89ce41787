import { operations, type OperationId } from '../../generated/constants.js';
import { matchOperation } from '../../src/testing/index.js';
import { collectReplayCases } from '../cases/spec-examples.js';
import type { Exchange } from './results.js';

/**
 * One row of the coverage table: an operation's documented status, how often the run saw it, and
 * the replay cases (example names) that expect it.
 *
 * @example
 * ```ts
 * const row: CoverageRow = {
 *   operation: 'retrieve_webhook',
 *   status: 404,
 *   observed: 2,
 *   examples: ['unknown_webhook'],
 *   exercised: ['unknown_webhook'],
 * };
 * ```
 */
export interface CoverageRow {
  readonly operation: OperationId;
  readonly status: number;
  /** Responses with this status the run received, from any profile. */
  readonly observed: number;
  /** Replay cases (example names) that expect this status. */
  readonly examples: readonly string[];
  /** Those of `examples` the run replayed. */
  readonly exercised: readonly string[];
}

/**
 * The key of a replay case in {@link coverageTable}'s `exercised` set.
 *
 * @example
 * ```ts
 * exercised.add(caseKey('retrieve_webhook', 'unknown_webhook'));
 * ```
 */
export function caseKey(operationId: string, name: string): string {
  return `${operationId} ${name}`;
}

/**
 * Operations x documented status codes x examples exercised, from what the run really saw.
 *
 * @example
 * ```ts
 * const rows = coverageTable(openApiDocument, recording.exchanges, new Set(['get_jwks upvest_keys']));
 * ```
 */
export function coverageTable(
  document: unknown,
  exchanges: readonly Exchange[],
  exercised: ReadonlySet<string> = new Set(),
): CoverageRow[] {
  const seen = new Map<string, number>();
  for (const exchange of exchanges) {
    const match = matchOperation(exchange.method, new URL(exchange.url).pathname);
    if (match.kind !== 'operation') continue;
    const key = `${match.operationId} ${exchange.status}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const cases = collectReplayCases(document);
  return Object.values(operations).flatMap((operation) =>
    operation.responses.map((response) => {
      const examples = cases
        .filter(
          (c) => c.operationId === operation.operationId && c.expectedStatus === response.status,
        )
        .map((c) => c.name);
      return {
        operation: operation.operationId,
        status: response.status,
        observed: seen.get(`${operation.operationId} ${response.status}`) ?? 0,
        examples,
        exercised: examples.filter((name) => exercised.has(caseKey(operation.operationId, name))),
      };
    }),
  );
}
