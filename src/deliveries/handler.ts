import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMemoryDedupeStore, type DeliveryDedupeStore } from './dedupe.js';
import type { DeliveryEvent } from './events.js';
import {
  verifyDelivery,
  type DeliveryRequest,
  type VerifiedDelivery,
  type VerifyDeliveryOptions,
} from './verify.js';

/** What `onEvents` is told besides the events. */
export interface DeliveryContext {
  /** How the delivery was verified (key, format, encoding, digest header). */
  readonly signature: Extract<VerifiedDelivery, { ok: true }>['signature'];
  /** Events of the batch already processed earlier and skipped now (a retried batch, R15). */
  readonly duplicates: number;
}

/**
 * Options of the delivery handlers.
 *
 * @example
 * ```ts
 * const options: DeliveryHandlerOptions = {
 *   keys: createVerificationKeyProvider({ fetchKeys: () => client.verificationKeys() }),
 *   onEvents: async (events) => queue.push(...events),
 * };
 * ```
 */
export interface DeliveryHandlerOptions extends VerifyDeliveryOptions {
  /**
   * Receives the verified, not yet processed events in `created_at` order. Answer fast: Upvest
   * blocks later deliveries until this one succeeds (R16). Throwing makes the handler answer 500
   * so Upvest retries the batch; the events are then handed over again.
   */
  readonly onEvents: (
    events: readonly DeliveryEvent[],
    context: DeliveryContext,
  ) => Promise<void> | void;
  /** Exactly-once per event id; an in-memory store by default. */
  readonly dedupe?: DeliveryDedupeStore;
  /** Largest body read (default 10 MiB: one event larger than max_package_size is still sent whole, R6). */
  readonly maxBodyBytes?: number;
  /** Called with errors thrown by `onEvents`, which the 500 answer does not reveal. */
  readonly onError?: (error: unknown) => void;
}

/** A handler's answer. */
export interface DeliveryAnswer {
  readonly status: number;
  readonly body: string | undefined;
  readonly headers: Record<string, string>;
}

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;

function problem(status: number, title: string, detail: string): DeliveryAnswer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: `https://upvest-webhooks.invalid/problems/${title.toLowerCase().replaceAll(' ', '_')}`,
      status,
      title,
      detail,
    }),
  };
}

/** Verification failures that are the body's fault answer 400; the rest are signature failures. */
const BAD_BODY = new Set(['invalid_json', 'invalid_delivery']);

/**
 * Verifies, deduplicates and hands over one delivery; the framework-neutral core of the handlers.
 */
export async function processDelivery(
  request: DeliveryRequest,
  options: DeliveryHandlerOptions,
  dedupe: DeliveryDedupeStore,
): Promise<DeliveryAnswer> {
  if (request.method.toUpperCase() !== 'POST')
    return {
      ...problem(405, 'Method not allowed', 'deliveries are POSTed'),
      headers: { allow: 'POST', 'content-type': 'application/problem+json' },
    };
  const verified = await verifyDelivery(request, options);
  if (!verified.ok) {
    return BAD_BODY.has(verified.reason)
      ? problem(
          400,
          'Invalid delivery',
          `${verified.message}: ${(verified.issues ?? []).map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`,
        )
      : problem(401, 'Unauthorised', `${verified.reason}: ${verified.message}`);
  }
  const firstOfEach = verified.events.filter(
    (event, index, all) => all.findIndex((e) => e.id === event.id) === index,
  );
  const claimed = new Set(await dedupe.claim(firstOfEach.map((event) => event.id)));
  const fresh = firstOfEach.filter((event) => claimed.has(event.id));
  const ids = fresh.map((event) => event.id);
  try {
    if (fresh.length > 0) {
      await options.onEvents(fresh, {
        signature: verified.signature,
        duplicates: verified.events.length - fresh.length,
      });
    }
  } catch (error) {
    await dedupe.release(ids);
    options.onError?.(error);
    return problem(
      500,
      'Processing failed',
      'the receiver failed to process the events; the batch will be retried',
    );
  }
  await dedupe.commit(ids);
  return { status: 200, headers: {}, body: undefined };
}

class BodyTooLarge extends Error {}

/** The answer when the body could not be read: too large (413), or the connection failed (500). */
function readFailure(error: unknown, options: DeliveryHandlerOptions): DeliveryAnswer {
  if (error instanceof BodyTooLarge)
    return problem(413, 'Payload too large', 'the delivery exceeds the size limit');
  options.onError?.(error);
  return problem(500, 'Processing failed', 'the delivery could not be read');
}

async function readCapped(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) throw new BodyTooLarge();
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * A handler for Node's `http` server (and Express, which passes the same objects; mount it
 * before any body parser, it needs the raw bytes). Answers 200 once `onEvents` resolved, 400 for
 * a malformed body, 401 for a bad signature, 413 above the size cap, 500 when `onEvents` threw.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(createNodeDeliveryHandler({ keys, onEvents: (events) => save(events) })).listen(8443);
 * ```
 */
export function createNodeDeliveryHandler(options: DeliveryHandlerOptions) {
  const dedupe = options.dedupe ?? createMemoryDedupeStore();
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let answer: DeliveryAnswer;
    try {
      const body = await readCapped(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const host = headers['host'] ?? 'localhost';
      answer = await processDelivery(
        {
          method: request.method ?? 'GET',
          url: `https://${host}${request.url ?? '/'}`,
          headers,
          body,
        },
        options,
        dedupe,
      );
    } catch (error) {
      answer = readFailure(error, options);
    }
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };
}

/**
 * A handler for the Fetch API (`Request` in, `Response` out): Hono, Next.js route handlers, Bun,
 * Deno, Cloudflare-style runtimes. Same answers as {@link createNodeDeliveryHandler}.
 *
 * @example
 * ```ts
 * const handle = createFetchDeliveryHandler({ keys, onEvents });
 * export const POST = (request: Request) => handle(request); // Next.js app route
 * ```
 */
export function createFetchDeliveryHandler(options: DeliveryHandlerOptions) {
  const dedupe = options.dedupe ?? createMemoryDedupeStore();
  return async (request: Request): Promise<Response> => {
    let answer: DeliveryAnswer;
    try {
      const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
      const declared = Number(request.headers.get('content-length') ?? '0');
      if (declared > limit) throw new BodyTooLarge();
      const body = request.body ? await readCapped(request.body, limit) : new Uint8Array();
      answer = await processDelivery(
        { method: request.method, url: request.url, headers: request.headers, body },
        options,
        dedupe,
      );
    } catch (error) {
      answer = readFailure(error, options);
    }
    return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers });
  };
}
