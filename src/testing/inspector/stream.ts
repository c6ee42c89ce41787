/**
 * The inspector's live updates as server-sent events (`GET /__mock/stream`): a snapshot first,
 * then each request, delivery and change of state as it happens. One listener per open page;
 * the page's connection closing (a closed tab) removes it, a page that stops reading is dropped
 * at `MAX_UNSENT_BYTES`, and the mock closing ends every stream, so none of them leaks.
 */
import type { ServerResponse } from 'node:http';
import type { InspectorFeed, InspectorMessage } from './feed.js';

/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * How much unsent data a stream may hold beyond its snapshot. A page that reads slower than the mock writes (a tab
 * the browser froze in the background, a stalled proxy) is dropped at this mark instead of
 * holding every later message in the mock's memory; the page connects again and starts over
 * from a fresh snapshot, which carries the history a dropped stream missed.
 */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/** One message in the event-stream format; JSON has no raw line break, so one `data:` line. */
function frame({ event, data }: InspectorMessage): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The open streams of one mock, so that closing the mock ends them all.
 *
 * @example
 * ```ts
 * const streams = new InspectorStreams(feed);
 * streams.serve(response); // in the admin handler, after the access check
 * streams.closeAll(); // in mock.close()
 * ```
 */
export class InspectorStreams {
  readonly #open = new Set<() => void>();

  constructor(private readonly feed: InspectorFeed) {}

  /** How many streams are open. */
  get size(): number {
    return this.#open.size;
  }

  /** Answers with the stream; it stays open until the page or the mock closes it. */
  serve(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    // A page reconnects a second after a dropped stream, and gets a fresh snapshot.
    const first = `retry: 1000\n\n${frame({ event: 'snapshot', data: this.feed.snapshot() })}`;
    response.write(first);
    // The limit comes on top of the snapshot: a history larger than it (500 deliveries with
    // their headers can be) must not get a page dropped before it could read a byte, again at
    // every reconnection.
    const limit = MAX_UNSENT_BYTES + Buffer.byteLength(first);
    const send = (text: string) => {
      if (response.writableLength <= limit) return void response.write(text);
      // Ending would queue behind what the page does not read: the connection goes at once.
      end();
      response.destroy();
    };
    const unsubscribe = this.feed.subscribe((message) => send(frame(message)));
    const heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const end = () => {
      if (!this.#open.delete(end)) return;
      clearInterval(heartbeat);
      unsubscribe();
      response.end();
    };
    this.#open.add(end);
    // Emitted when the page goes away (a closed tab closes the connection) as when it ends.
    response.once('close', end);
  }

  /** Ends every open stream (the mock is closing). */
  closeAll(): void {
    for (const end of [...this.#open]) end();
  }
}
