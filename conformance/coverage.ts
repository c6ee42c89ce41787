import { operations, type OperationId } from '../generated/constants.js';
import { matchOperation } from '../src/spec/match-operation.js';
import { collectReplayCases } from './cases.js';
import type { Exchange } from './model.js';

/** One cell of the coverage table: an operation's documented status, how often it was seen. */
export interface CoverageRow {
  readonly operation: OperationId;
  readonly status: number;
  /** Responses with this status the run received. */
  readonly observed: number;
  /** Replay cases (example names) that expect this status. */
  readonly examples: readonly string[];
}

/** Operations x documented status codes x examples exercised, from what the run really saw. */
export function coverageTable(document: unknown, exchanges: readonly Exchange[]): CoverageRow[] {
  const seen = new Map<string, number>();
  for (const exchange of exchanges) {
    const match = matchOperation(exchange.method, new URL(exchange.url).pathname);
    if (match.kind !== 'operation') continue;
    const key = `${match.operationId} ${exchange.status}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const cases = collectReplayCases(document);
  return Object.values(operations).flatMap((operation) =>
    operation.responses.map((response) => ({
      operation: operation.operationId,
      status: response.status,
      observed: seen.get(`${operation.operationId} ${response.status}`) ?? 0,
      examples: cases
        .filter(
          (c) => c.operationId === operation.operationId && c.expectedStatus === response.status,
        )
        .map((c) => c.name),
    })),
  );
}
