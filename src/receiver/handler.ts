import type { IncomingMessage, ServerResponse } from 'node:http';
import { UpvestConfigurationError } from '../errors.js';
import {
  createProcessor,
  withLogger,
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  earlyAnswer,
  problemAnswer,
  type DeliveryAnswer,
  type DeliveryHandlerOptions,
} from './processor.js';
import { endDeliveryTrace, startDeliveryTrace } from './delivery-trace.js';
import { quietTelemetry } from '../wire/telemetry.js';

class BodyTooLarge extends Error {}
class BodyTimeout extends Error {}

/** The answer when the body could not be read; reading errors reach `onError`. */
function readFailure(error: unknown, options: DeliveryHandlerOptions): DeliveryAnswer {
  if (error instanceof BodyTimeout) {
    return problemAnswer(
      408,
      'request_timeout',
      'Request timeout',
      `the delivery body did not arrive within ${options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS} ms`,
      { connection: 'close' },
    );
  }
  if (error instanceof BodyTooLarge) {
    // Closing the connection stops the sender; otherwise Node would read the rest to reuse it.
    return problemAnswer(
      413,
      'payload_too_large',
      'Payload too large',
      `the delivery exceeds ${options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes`,
      { connection: 'close' },
    );
  }
  try {
    options.onError?.(error);
  } catch {
    // see report() in processor.ts
  }
  return error instanceof UpvestConfigurationError
    ? problemAnswer(500, 'receiver_misconfigured', 'Receiver misconfigured', error.message)
    : problemAnswer(400, 'incomplete_body', 'Incomplete body', 'the delivery could not be read');
}

/**
 * Reads a Node request's body, up to `limit` bytes and within `timeoutMs`. (A declared
 * `content-length` above the limit was refused before, from the headers alone.)
 */
function readNodeBody(
  request: IncomingMessage,
  limit: number,
  timeoutMs: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    let size = 0;
    const settle = (error: Error | undefined) => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) {
        // Stop taking bytes; the answer closes the connection.
        request.pause();
        reject(error);
      } else resolve(concat(parts, size));
    };
    const onData = (chunk: Uint8Array | string) => {
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
      size += bytes.byteLength;
      if (size > limit) settle(new BodyTooLarge());
      else parts.push(bytes);
    };
    const onEnd = () => settle(undefined);
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error('the connection closed before the body was complete'));
    const timer = setTimeout(() => settle(new BodyTimeout()), timeoutMs);
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

async function readStream(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  timeoutMs: number,
): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BodyTimeout()), timeoutMs);
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), timedOut]);
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw new BodyTooLarge();
      parts.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return concat(parts, size);
}

/** Chunks as one array, without `Buffer`: this module runs where only Web APIs exist. */
function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const whole = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.byteLength;
  }
  return whole;
}

/**
 * The raw body of a Node request, or of an Express request whose body a parser already read:
 * `express.raw()` leaves the bytes in `req.body` (usable); `express.json()` leaves an object, and
 * the bytes the signature covers are gone.
 */
async function nodeBody(
  request: IncomingMessage,
  limit: number,
  timeoutMs: number,
): Promise<Uint8Array> {
  if (!request.readableEnded) return readNodeBody(request, limit, timeoutMs);
  const parsed = (request as IncomingMessage & { body?: unknown }).body;
  if (parsed instanceof Uint8Array) {
    if (parsed.byteLength > limit) throw new BodyTooLarge();
    return parsed;
  }
  if (typeof parsed === 'string') return new TextEncoder().encode(parsed);
  throw new UpvestConfigurationError(
    'the request body was already read by a body parser; mount the delivery handler before ' +
      "express.json() (or use express.raw({ type: 'application/json' })): it needs the raw bytes",
  );
}

/** What both handlers make once from their options: the processor, telemetry and limits. */
function handlerParts(given: DeliveryHandlerOptions) {
  const options = withLogger(given);
  return {
    options,
    process: createProcessor(options),
    telemetry: quietTelemetry(options.telemetry),
    limit: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    timeoutMs: options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
  };
}

/**
 * A delivery handler for Node's `http` server, and for Express and other frameworks that pass
 * Node's request and response (mount it before any JSON body parser: it needs the raw bytes;
 * `express.raw()` works). Refuses from the headers alone what cannot verify (401, 405, 413,
 * before a byte of the body is read), reads the body up to `maxBodyBytes` within
 * `bodyTimeoutMs` (else 408), verifies, parses, deduplicates, calls `onEvents`, and answers 200
 * once it resolved (R14); 400 for a malformed body, 401 for a bad signature, 500 when
 * `onEvents` threw, 503 to ask for a retry. The path comes from the request line; `Host` only
 * ever sets the authority. Never rejects.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const handler = createNodeDeliveryHandler({
 *   keys: createVerificationKeyProvider({ fetchKeys: () => client.verificationKeys() }),
 *   onEvents: (events) => queue.push(events),
 * });
 * createServer((req, res) => void handler(req, res)).listen(8080);
 * ```
 */
export function createNodeDeliveryHandler(
  given: DeliveryHandlerOptions,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { options, process, telemetry, limit, timeoutMs } = handlerParts(given);
  return async (request, response) => {
    let answer: DeliveryAnswer;
    const trace = startDeliveryTrace(telemetry);
    try {
      const head = {
        method: request.method ?? 'GET',
        // Express strips the mount path from `url` and keeps the full one in `originalUrl`.
        url:
          (request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '/',
        // Every field line, even of fields Node would keep once (a repeated covered header must
        // not be silently dropped).
        headers: request.headersDistinct,
      };
      if (Number(request.headers['content-length'] ?? 0) > limit) throw new BodyTooLarge();
      const early = await earlyAnswer(head, options, trace);
      answer =
        early.answer ??
        (await process(
          { ...head, body: await nodeBody(request, limit, timeoutMs) },
          early.read,
          trace,
        ));
    } catch (error) {
      answer = readFailure(error, options);
    }
    endDeliveryTrace(trace, answer);
    if (response.headersSent) return;
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };
}

/**
 * A delivery handler for the Fetch API (`Request` in, `Response` out): Hono, Next.js route
 * handlers, Bun, Deno, Cloudflare Workers, edge runtimes. Same steps and answers as
 * {@link createNodeDeliveryHandler}; needs Web APIs only (Web Crypto, streams), no Node
 * built-in, so it runs wherever the endpoint runs (docs/deliveries.md has the runtimes tested).
 *
 * @example
 * ```ts
 * // app/webhooks/upvest/route.ts (Next.js)
 * const handle = createFetchDeliveryHandler({ keys, onEvents });
 * export const POST = (request: Request) => handle(request);
 *
 * // Hono
 * app.post('/webhooks/upvest', (c) => handle(c.req.raw));
 * ```
 */
export function createFetchDeliveryHandler(
  given: DeliveryHandlerOptions,
): (request: Request) => Promise<Response> {
  const { options, process, telemetry, limit, timeoutMs } = handlerParts(given);
  return async (request) => {
    let answer: DeliveryAnswer;
    const trace = startDeliveryTrace(telemetry);
    try {
      const head = { method: request.method, url: request.url, headers: request.headers };
      if (Number(request.headers.get('content-length') ?? 0) > limit) throw new BodyTooLarge();
      const early = await earlyAnswer(head, options, trace);
      if (early.answer) {
        endDeliveryTrace(trace, early.answer);
        await request.body?.cancel().catch(() => undefined);
        const { body, status, headers } = early.answer;
        return new Response(body ?? null, { status, headers });
      }
      if (request.bodyUsed) {
        throw new UpvestConfigurationError(
          'the request body was already read; pass the untouched Request: the handler needs the raw bytes',
        );
      }
      answer = await process(
        { ...head, body: await readStream(request.body, limit, timeoutMs) },
        early.read,
        trace,
      );
    } catch (error) {
      answer = readFailure(error, options);
    }
    endDeliveryTrace(trace, answer);
    return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers });
  };
}
