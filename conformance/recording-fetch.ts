import type { Exchange } from './model.js';

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
  const recordingFetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const requestBody = request.body ? await request.clone().text() : undefined;
    // The caller's signal itself, not only the copy this request follows (see wireRequest).
    const response = await inner(request, init?.signal ? { signal: init.signal } : undefined);
    const responseBody = await response.clone().text();
    exchanges.push({
      method: request.method,
      url: request.url,
      requestHeaders: Object.fromEntries(request.headers),
      requestBody,
      status: response.status,
      responseHeaders: Object.fromEntries(response.headers),
      responseBody,
    });
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
