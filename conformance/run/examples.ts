import {
  collectExamples,
  collectReplayCases,
  exampleDrift,
  pairDrift,
} from '../cases/spec-examples.js';
import { CheckLog, type CheckResult } from '../report/results.js';

/**
 * Checks the spec's examples themselves, before anything is sent: every example validates against
 * its own schema (with the generated validators), request examples and path parameter examples
 * pass the client's business rules, and a create or update response example echoes the request
 * example of the same name (a created webhook disabled, R8). A failure is example drift: a defect
 * of the spec, not of the server.
 *
 * @example
 * ```ts
 * const drift = checkExamples(openApiDocument).filter((r) => r.outcome === 'fail');
 * ```
 */
export function checkExamples(document: unknown): CheckResult[] {
  const log = new CheckLog();
  for (const example of collectExamples(document)) {
    const problems = exampleDrift(example);
    log.expect(
      {
        profile: 'examples',
        operation: example.operationId,
        case: `${example.location} "${example.name}"`,
      },
      'example matches its schema and the business rules',
      problems.length === 0,
      problems.join('; ') || 'valid',
    );
  }
  for (const replay of collectReplayCases(document)) {
    const problems = pairDrift(replay);
    if (problems === undefined) continue;
    log.expect(
      {
        profile: 'examples',
        operation: replay.operationId,
        case: `pair "${replay.name}" (request body -> response ${replay.expectedStatus})`,
      },
      'response example echoes its request example',
      problems.length === 0,
      problems.join('; ') || 'every field matches',
    );
  }
  return log.results;
}
