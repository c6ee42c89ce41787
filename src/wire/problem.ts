import { validateProblem } from '../../generated/validators-client.js';
import type { Problem } from '../types.js';

/**
 * Reads an error body as problem+json. A body that is not one (an HTML page from a proxy, a
 * truncated answer) gives `undefined`: the error then carries only the status.
 *
 * @example
 * ```ts
 * parseProblem({ type: 'not_found', status: 404 }); // the problem
 * parseProblem('<html>Bad gateway</html>'); // undefined
 * ```
 */
export function parseProblem(body: unknown): Problem | undefined {
  return validateProblem(body) ? body : undefined;
}
