import { UpvestValidationError } from '../../src/index.js';
import type { ProfileContext } from '../run/context.js';
import { negativeCasesFor, type NegativeCase } from '../cases/negative.js';

/**
 * `negative`: every invalid input (derived from the run's spec document unless `cases` are given)
 * must be refused by our client with the expected issue code, and the server must receive nothing
 * for it: neither the recording `fetch` nor, when the target can tell, the server counts a request.
 *
 * @example
 * ```ts
 * await runNegative(context); // every case of negativeCasesFor(context.document)
 * ```
 */
export async function runNegative(
  context: ProfileContext,
  cases?: readonly NegativeCase[],
): Promise<void> {
  let chosen = cases;
  if (!chosen) {
    try {
      chosen = negativeCasesFor(context.document);
    } catch (error) {
      context.log.add({
        profile: 'negative',
        operation: 'create_webhook',
        case: 'cases',
        check: 'cases derive from the examples',
        outcome: 'fail',
        detail: error instanceof Error ? error.message : String(error),
      });
      return;
    }
  }
  for (const negative of chosen) {
    const where = {
      profile: 'negative' as const,
      operation: negative.operation,
      case: negative.name,
    };
    const mark = context.recording.mark();
    const serverBefore = context.serverRequestCount?.();
    const error = await negative.send(context.client).then(
      () => undefined,
      (e: unknown) => e,
    );
    const refused = error instanceof UpvestValidationError;
    context.log.expect(
      where,
      'client refuses the input',
      refused,
      refused
        ? error.message
        : `the client did not refuse it (${error instanceof Error ? error.message : 'it succeeded'})`,
    );
    const codes = refused ? error.issues.map((issue) => issue.code) : [];
    context.log.expect(
      where,
      `issue code is ${negative.expectedCode}`,
      codes.includes(negative.expectedCode),
      `codes: ${codes.join(', ') || 'none'}`,
    );
    const sent = context.recording.since(mark).length;
    context.log.expect(where, 'nothing was sent', sent === 0, `${sent} request(s) left the client`);
    if (serverBefore !== undefined && context.serverRequestCount) {
      const received = context.serverRequestCount() - serverBefore;
      context.log.expect(
        where,
        'the server received nothing',
        received === 0,
        `the server counted ${received} request(s)`,
      );
    }
  }
}
