import { operations, type OperationId } from '../../generated/constants.js';

interface Route {
  readonly operationId: OperationId;
  readonly method: string;
  readonly pattern: RegExp;
}

const routes: readonly Route[] = Object.values(operations).map((operation) => ({
  operationId: operation.operationId,
  method: operation.method,
  pattern: new RegExp(`^${operation.path.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
}));

/**
 * What a method and path resolve to in the spec: an operation with its path parameters, a path
 * that exists under other methods, or no path at all.
 *
 * @example
 * ```ts
 * const match: OperationMatch = matchOperation('GET', '/webhooks');
 * if (match.kind === 'operation') console.log(match.operationId); // 'list_webhooks'
 * ```
 */
export type OperationMatch =
  | {
      readonly kind: 'operation';
      readonly operationId: OperationId;
      readonly pathParams: readonly string[];
    }
  | { readonly kind: 'wrong_method'; readonly allowed: readonly string[] }
  | { readonly kind: 'unknown_path' };

/**
 * Finds the operation of the spec a request addresses, from its method and path: how the
 * embedded mock routes, and how the conformance suite counts what it covered. For a fake of your
 * own too.
 *
 * @example
 * ```ts
 * matchOperation('DELETE', '/webhooks/a8eb3540-5a84-40f9-b2bb-7f99f282fc5a');
 * // { kind: 'operation', operationId: 'delete_webhook', pathParams: ['a8eb3540-…'] }
 * ```
 */
export function matchOperation(method: string, pathname: string): OperationMatch {
  const matches = routes.filter((route) => route.pattern.test(pathname));
  const route = matches.find((candidate) => candidate.method === method.toUpperCase());
  if (route) {
    const params = route.pattern.exec(pathname)?.slice(1) ?? [];
    return {
      kind: 'operation',
      operationId: route.operationId,
      pathParams: params.map((param) => {
        try {
          return decodeURIComponent(param);
        } catch {
          return param;
        }
      }),
    };
  }
  if (matches.length > 0) return { kind: 'wrong_method', allowed: matches.map((m) => m.method) };
  return { kind: 'unknown_path' };
}
