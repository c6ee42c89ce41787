import type { ProfileContext } from './context.js';

/** The title and detail of a problem document, or the start of a body that is none. */
function problemWords(body: string): string {
  try {
    const problem = JSON.parse(body) as { title?: unknown; detail?: unknown };
    return [problem.title, problem.detail].filter((p) => typeof p === 'string').join(': ');
  } catch {
    return body.slice(0, 200);
  }
}

/**
 * Before any profile: one authenticated, signed `GET /webhooks?limit=1`. Refused credentials or
 * signing, or a server error, stop the run at once with the server's own words, instead of
 * hundreds of 401s or 500s.
 */
export async function runPreflight(
  context: ProfileContext,
): Promise<{ ok: true } | { ok: false; why: string }> {
  const where = {
    profile: 'preflight' as const,
    operation: 'list_webhooks' as const,
    case: 'preflight',
  };
  const exchange = await context.sendRaw({ method: 'GET', path: '/webhooks?limit=1' });
  if (!exchange) {
    context.log.add({
      ...where,
      check: 'the server answers',
      outcome: 'fail',
      detail: 'no answer: check the base URL and the network',
    });
    return { ok: false, why: 'the server did not answer the preflight request' };
  }
  if (exchange.status === 401 || exchange.status === 403) {
    const said = problemWords(exchange.responseBody);
    const why = `the server refused the credentials or the signature (HTTP ${exchange.status}${said ? `: ${said}` : ''}); check UPVEST_CLIENT_ID, the secret or token, UPVEST_KEY_ID and the private key`;
    context.log.add({
      ...where,
      check: 'credentials and signing are accepted',
      outcome: 'fail',
      detail: why,
    });
    return { ok: false, why: 'the preflight request was refused (see preflight)' };
  }
  if (exchange.status >= 500) {
    const said = problemWords(exchange.responseBody);
    context.log.add({
      ...where,
      check: 'the server serves a plain list request',
      outcome: 'fail',
      detail: `HTTP ${exchange.status}${said ? `: ${said}` : ''}; a server that fails the simplest read would fail every check after it`,
    });
    return {
      ok: false,
      why: `the server answered the preflight request with HTTP ${exchange.status}`,
    };
  }
  context.log.add({
    ...where,
    check: 'credentials and signing are accepted',
    outcome: 'pass',
    detail: `HTTP ${exchange.status}`,
  });
  return { ok: true };
}
