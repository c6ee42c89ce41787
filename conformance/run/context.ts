import { type RequestSigner, type WebhooksClient, type KeyInput } from '../../src/index.js';
import type { CheckLog, Exchange } from '../report/results.js';
import type { RecordingFetch } from './recording-fetch.js';
import type { TokenRequestChange } from './token.js';

/**
 * How much the fuzz profile generates.
 *
 * @example
 * ```ts
 * const settings: FuzzSettings = { seed: 42, maxExamples: 200, timeBudgetMs: 20_000 };
 * ```
 */
export interface FuzzSettings {
  /** fast-check's seed; a run with the same seed against the same server sends the same inputs. */
  readonly seed?: number;
  /** Examples per property (default 25; five properties). */
  readonly maxExamples?: number;
  /** Time per property after which it stops generating (default 5 s). */
  readonly timeBudgetMs?: number;
}

/**
 * What every profile gets: a client wired to record its exchanges, and the target's traits.
 *
 * @example
 * ```ts
 * async function runSmoke(context: ProfileContext): Promise<void> {
 *   const mark = context.recording.mark();
 *   await context.client.list().catch(() => undefined);
 *   for (const exchange of context.recording.since(mark))
 *     checkExchange(context.log, { profile: 'replay', operation: 'list_webhooks', case: 'smoke' }, exchange);
 * }
 * ```
 */
export interface ProfileContext {
  readonly log: CheckLog;
  readonly client: WebhooksClient;
  readonly recording: RecordingFetch;
  /** Replay cases sent, as `caseKey(operationId, name)`, for the coverage table. */
  readonly exercised: Set<string>;
  /** The spec document whose examples drive the cases. */
  readonly document: unknown;
  /** Requests the server has seen, when the target can tell (the embedded mock can). */
  readonly serverRequestCount: (() => number) | undefined;
  /** Whether the target keeps state (a real API or the embedded mock) or answers examples (Prism). */
  readonly stateful: boolean;
  /** Whether the target is a spec mock that picks its answer by `Prefer` (Prism). */
  readonly preferHeader: boolean;
  /** Sets a `Prefer` header for the next requests (a spec mock's way to pick an example). */
  readonly setPrefer: (value: string | undefined) => void;
  /** Sends `POST /auth/token` with the run's credentials; undefined when the run has none. */
  readonly requestToken: (() => Promise<void>) | undefined;
  /**
   * Waits for the test delivery of a webhook and says whether it arrived and verified; only when
   * the suite can receive it (the embedded mock, or a server given `deliveries`).
   */
  readonly awaitTestDelivery:
    ((webhookId: string) => Promise<{ ok: boolean; detail: string }>) | undefined;
  /** The URL to register a webhook with so that its deliveries reach the suite (a real server). */
  readonly deliveryUrl: string | undefined;
  /**
   * Sends a request around the client (which would refuse it), signed like every other request
   * and recorded; `token: null` sends no `authorization` at all.
   */
  readonly sendRaw: (request: RawRequest) => Promise<Exchange | undefined>;
  /**
   * Sends a token request changed to attack the token endpoint (a wrong secret, another grant
   * type, no signature), recorded; undefined when the run has no client secret.
   */
  readonly sendTokenRequest:
    ((change: TokenRequestChange) => Promise<Exchange | undefined>) | undefined;
  /** The client secret of the run, to look for in answers; undefined without one. */
  readonly clientSecret: string | undefined;
  /** A token with the read scope only; undefined when the run has no client secret. */
  readonly readOnlyToken: (() => Promise<string | undefined>) | undefined;
  /**
   * The tenant's signing key, for attacks that need a signature crafted on purpose (expired,
   * from the future, under an unknown key id, not covering a required component); undefined
   * when the run was given only a `signer`.
   */
  readonly signingKey: { readonly keyId: string; readonly privateKey: KeyInput } | undefined;
  /** The client id the run sends. */
  readonly clientId: string;
  /** The largest request body the server reads (413 above it); undefined: not checked. */
  readonly bodyLimitBytes: number | undefined;
  /** Settings of the fuzz profile. */
  readonly fuzz: FuzzSettings;
}

/**
 * The bytes of a raw request once signed, which an attack may change before they are sent.
 *
 * @example
 * ```ts
 * const dropSignature = (wire: WireRequest) => (wire.headers.delete('signature'), wire);
 * ```
 */
export interface WireRequest {
  readonly headers: Headers;
  readonly body: Uint8Array | undefined;
}

/**
 * A request the enforcement profile sends on purpose, bypassing the client's validation.
 *
 * @example
 * ```ts
 * const exchange = await context.sendRaw({ method: 'GET', path: '/webhooks', token: null });
 * ```
 */
export interface RawRequest {
  readonly method: string;
  readonly path: string;
  /** `undefined`: the run's token; `null`: none; a string: that token. */
  readonly token?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  /** Headers every request carries that this one leaves out, before it is signed. */
  readonly omitHeaders?: readonly string[];
  /** A JSON value, or the exact bytes (`Uint8Array`) to send. */
  readonly body?: unknown;
  /** How it is signed: by the run's signer (default), not at all, or by this signer. */
  readonly signWith?: 'run' | 'none' | RequestSigner;
  /**
   * Changes the signed request before it is sent: a body altered after signing, a header dropped.
   * May be asynchronous (a digest to compute).
   */
  readonly tamper?: (wire: WireRequest) => WireRequest | Promise<WireRequest>;
}
