import { NOT_RECORDED, type Exchange } from '../report/results.js';

/** Form fields that hold credentials (the token request's `client_secret`). */
const SECRET_FIELD = /secret|password|token|assertion/i;

/**
 * What may be kept of a request body. A form is the token request, which carries the client
 * secret: its credential fields are never recorded, so no report can leak them in any encoding.
 */
function recordable(request: Request, body: string): string {
  const type = request.headers.get('content-type') ?? '';
  if (/^application\/json\b/i.test(type)) return recordableJson(body);
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return body;
  const form = new URLSearchParams(body);
  for (const name of [...new Set(form.keys())]) {
    if (SECRET_FIELD.test(name)) form.set(name, NOT_RECORDED);
  }
  return form.toString();
}

/** A JSON object's credential members, as in a token request sent as JSON, not recorded. */
function recordableJson(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
  const entries = Object.entries(parsed);
  if (!entries.some(([name]) => SECRET_FIELD.test(name))) return body;
  return JSON.stringify(
    Object.fromEntries(entries.map(([n, v]) => [n, SECRET_FIELD.test(n) ? NOT_RECORDED : v])),
  );
}

/**
 * A `fetch` that remembers every exchange, so the suite can check what really went over the
 * wire: status, headers and the raw body, which the client itself hides behind typed results.
 * It is injected into the client; nothing global is patched.
 *
 * @example
 * ```ts
 * const recording = createRecordingFetch();
 * const client = createWebhooksClient({ baseUrl, clientId, accessToken, fetch: recording.fetch });
 * const mark = recording.mark();
 * await client.list();
 * console.log(recording.since(mark)[0]?.status);
 * ```
 */
export function createRecordingFetch(inner: typeof globalThis.fetch = globalThis.fetch) {
  const exchanges: Exchange[] = [];
  // Which exchange a response belongs to, for callers that send several requests at once.
  const byResponse = new WeakMap<Response, Exchange>();
  const recordingFetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const requestBody = request.body
      ? recordable(request, await request.clone().text())
      : undefined;
    // The caller's signal itself, not only the copy this request follows (see wireRequest).
    const response = await inner(request, init?.signal ? { signal: init.signal } : undefined);
    const responseBody = await response.clone().text();
    const exchange: Exchange = {
      method: request.method,
      url: request.url,
      requestHeaders: Object.fromEntries(request.headers),
      requestBody,
      status: response.status,
      responseHeaders: Object.fromEntries(response.headers),
      responseBody,
    };
    exchanges.push(exchange);
    byResponse.set(response, exchange);
    return response;
  };
  return {
    fetch: recordingFetch,
    exchanges,
    /** The exchanges recorded since `mark`, which `mark()` returned. */
    since(mark: number): Exchange[] {
      return exchanges.slice(mark);
    },
    mark(): number {
      return exchanges.length;
    },
    /** The exchange a response of this `fetch` belongs to. */
    exchangeOf(response: Response): Exchange | undefined {
      return byResponse.get(response);
    },
  };
}

/**
 * What {@link createRecordingFetch} returns: the `fetch` to inject and what it recorded.
 *
 * @example
 * ```ts
 * const recording: RecordingFetch = createRecordingFetch();
 * ```
 */
export type RecordingFetch = ReturnType<typeof createRecordingFetch>;
