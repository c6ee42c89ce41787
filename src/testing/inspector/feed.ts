/**
 * What the inspector page shows, kept by the running mock: the last API requests and deliveries
 * (with what `mock.requests` and `mock.deliveries` do not carry: the signature verdict, the
 * token's scopes, the events, the signed headers, the latency), the webhooks and the pending
 * faults. A page that connects gets a snapshot, then every change as it happens (stream.ts).
 * It imports nothing of the mock, so the mock can import it without a cycle.
 */

/**
 * One API request as the inspector shows it.
 *
 * @example
 * ```ts
 * const refused: InspectedRequest = { seq: 3, at: '2026-01-01T00:00:00.000Z', method: 'GET', path: '/webhooks', status: 401, signature: { ok: false, reason: 'bad_signature', message: 'does not verify' } };
 * ```
 */
export interface InspectedRequest {
  /** Its place in the mock's order of arrival, from 1. */
  readonly seq: number;
  /** When it arrived (ISO 8601, the mock's clock). */
  readonly at: string;
  readonly method: string;
  readonly path: string;
  /** The status answered; 0 for a reset connection. */
  readonly status: number;
  readonly operationId?: string | undefined;
  readonly fault?: string | undefined;
  /** The signature check's verdict, when the mock checked one. */
  readonly signature?:
    { readonly ok: boolean; readonly reason?: string; readonly message?: string } | undefined;
  /** The scopes of the bearer token the request carried, when the mock knew the token. */
  readonly scopes?: readonly string[] | undefined;
}

/**
 * One delivery as the inspector shows it: its events and signed headers, and how the receiver
 * answered, and how fast.
 *
 * @example
 * ```ts
 * const answered: InspectedDelivery = { id: 'f3…', at: '2026-01-01T00:00:00.000Z', webhookId: 'a8…', target: 'http://127.0.0.1:4001/hooks', events: [], headers: {}, status: 200, error: undefined, latencyMs: 4 };
 * ```
 */
export interface InspectedDelivery {
  readonly id: string;
  /** When it was sent (ISO 8601, the mock's clock). */
  readonly at: string;
  readonly webhookId: string;
  readonly target: string;
  readonly events: readonly { readonly id: string; readonly type: string }[];
  /** The headers it was sent with: the signature, its input and the digest among them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number | undefined;
  readonly error: string | undefined;
  /** From sending the request to the receiver's answer (or the failure), in milliseconds. */
  readonly latencyMs: number | undefined;
  /** The id of the delivery this one repeats, when it is a redelivery. */
  readonly redeliveryOf?: string | undefined;
}

/**
 * The webhooks and pending faults, as the page shows them; plain JSON values.
 *
 * @example
 * ```ts
 * const state: InspectedState = { webhooks: mock.webhooks(), faults: mock.pendingFaults() };
 * ```
 */
export interface InspectedState {
  readonly webhooks: readonly unknown[];
  readonly faults: readonly unknown[];
}

/**
 * What a connecting page gets first: the recent history, the state, and the event types and
 * categories its trigger control offers.
 *
 * @example
 * ```ts
 * const { requests, deliveries } = feed.snapshot();
 * ```
 */
export interface InspectorSnapshot extends InspectedState {
  readonly requests: readonly InspectedRequest[];
  readonly deliveries: readonly InspectedDelivery[];
  readonly eventNames: readonly string[];
}

/**
 * One message to the pages: its server-sent event name and its data.
 *
 * @example
 * ```ts
 * const message: InspectorMessage = { event: 'request', data: request };
 * ```
 */
export type InspectorMessage =
  | { readonly event: 'snapshot'; readonly data: InspectorSnapshot }
  | { readonly event: 'request'; readonly data: InspectedRequest }
  | { readonly event: 'delivery'; readonly data: InspectedDelivery }
  | { readonly event: 'state'; readonly data: InspectedState };

/** How many requests and deliveries the feed keeps: a page shows the recent past, not a log. */
export const HISTORY_LIMIT = 500;

/** Appends to a list kept at `HISTORY_LIMIT` entries, the oldest dropped. */
function keep<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > HISTORY_LIMIT) list.splice(0, list.length - HISTORY_LIMIT);
}

/**
 * The inspector's side of one running mock: history, state and the pages listening.
 *
 * @example
 * ```ts
 * const feed = new InspectorFeed(() => ({ webhooks: state.all(), faults: faults.pending() }), ['USER']);
 * const stop = feed.subscribe((message) => console.log(message.event));
 * stop();
 * ```
 */
export class InspectorFeed {
  readonly #requests: InspectedRequest[] = [];
  readonly #deliveries: InspectedDelivery[] = [];
  /** The events of each kept delivery, for a redelivery: the whole events, not just their ids. */
  readonly #events = new Map<string, { webhookId: string; events: readonly unknown[] }>();
  readonly #listeners = new Set<(message: InspectorMessage) => void>();
  #lastState = '';

  constructor(
    private readonly readState: () => InspectedState,
    private readonly eventNames: readonly string[],
  ) {}

  /** How many pages listen: a closed tab must take its listener with it. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  snapshot(): InspectorSnapshot {
    return {
      ...this.readState(),
      requests: [...this.#requests],
      deliveries: [...this.#deliveries],
      eventNames: this.eventNames,
    };
  }

  /** Calls `listener` with every message from now on; returns what stops it. */
  subscribe(listener: (message: InspectorMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #publish(message: InspectorMessage): void {
    for (const listener of this.#listeners) listener(message);
  }

  request(request: InspectedRequest): void {
    keep(this.#requests, request);
    this.#publish({ event: 'request', data: request });
    this.stateChanged();
  }

  /** A delivery answered or failed, with its whole events (kept for a redelivery). */
  delivery(delivery: InspectedDelivery, events: readonly unknown[]): void {
    keep(this.#deliveries, delivery);
    this.#events.set(delivery.id, { webhookId: delivery.webhookId, events });
    if (this.#events.size > HISTORY_LIMIT) {
      const [oldest] = this.#events.keys();
      if (oldest !== undefined) this.#events.delete(oldest);
    }
    this.#publish({ event: 'delivery', data: delivery });
  }

  /** The events of a kept delivery; undefined for an unknown one or one too old to be kept. */
  eventsOf(id: string): { webhookId: string; events: readonly unknown[] } | undefined {
    return this.#events.get(id);
  }

  /** Tells the pages the webhooks or faults changed, when they did; cheap when none listens. */
  stateChanged(): void {
    if (this.#listeners.size === 0) return;
    const state = this.readState();
    const text = JSON.stringify(state);
    if (text === this.#lastState) return;
    this.#lastState = text;
    this.#publish({ event: 'state', data: state });
  }

  /** Forgets the history (`mock.reset()`); the pages get a fresh snapshot. */
  reset(): void {
    this.#requests.length = 0;
    this.#deliveries.length = 0;
    this.#events.clear();
    if (this.#listeners.size === 0) return;
    this.#publish({ event: 'snapshot', data: this.snapshot() });
  }
}
