import { validateProblem } from '../../generated/validators-client.js';
import type { ProblemDetails } from '../errors.js';

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
export function parseProblem(body: unknown): ProblemDetails | undefined {
  return validateProblem(body) ? body : undefined;
}
