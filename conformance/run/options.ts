import type {
  RequestSigner,
  WebhooksClient,
  WebhooksClientOptions,
  KeyInput,
} from '../../src/index.js';
import type { FuzzSettings } from '../profiles/fuzz.js';
import type { ServerProfile } from '../report/results.js';
import type { ReportPaths } from '../report/reports.js';
import type { ConformanceCredentials } from './token.js';

/**
 * Options of {@link runConformance}. With none, it starts the embedded mock and runs every
 * profile against it.
 *
 * @example
 * ```ts
 * const options: ConformanceOptions = {
 *   baseUrl: 'https://sandbox.upvest.co',
 *   profiles: ['lifecycle', 'negative'],
 *   credentials: { clientId, clientSecret },
 *   signer,
 *   reports: { junit: 'reports/conformance.junit.xml', json: 'reports/conformance.json' },
 * };
 * ```
 */
export interface ConformanceOptions {
  /**
   * The server to test; omit to start the embedded mock (seeded with the spec's examples, with
   * its own credentials and signing key: `credentials`, `accessToken` and `signer` are ignored).
   */
  readonly baseUrl?: string;
  /** Which profiles to run (default: replay, lifecycle, negative, enforcement). */
  readonly profiles?: readonly ServerProfile[];
  /** Tenant credentials; a client secret is exchanged for a token at `POST /auth/token`. */
  readonly credentials?: ConformanceCredentials;
  /** A bearer token to use as is; shorthand for `credentials.accessToken`. */
  readonly accessToken?: string;
  /** Signs every request (HTTP message signatures). */
  readonly signer?: RequestSigner;
  /**
   * The signing key itself, for the `auth` profile's crafted signatures (expired, unknown key id,
   * …); without it those attacks are skipped. Against the embedded mock the run has its own.
   */
  readonly signingKey?: { readonly keyId: string; readonly privateKey: KeyInput };
  /** The fuzz profile's seed, examples per property and time budget. */
  readonly fuzz?: FuzzSettings;
  /**
   * The target is a spec mock that answers with the spec's examples (Prism): send
   * `Prefer: code=<status>, example=<name>` so it picks the paired response, check that the
   * answer is that example, and treat the target as stateless. Default false.
   */
  readonly preferHeader?: boolean;
  /** @deprecated Use {@link ConformanceOptions.preferHeader}; the same switch. */
  readonly specMock?: boolean;
  /**
   * Whether the target keeps what it is sent, so answers must echo requests and what a profile
   * creates must be deleted. Default: true, false with `preferHeader`.
   */
  readonly stateful?: boolean;
  /** Write the JUnit XML and JSON reports to these files as well (directories are created). */
  readonly reports?: ReportPaths;
  /** How reports name the target, e.g. `Prism 5.16.0`; the base URL follows in brackets. */
  readonly targetName?: string;
  /** The spec document whose examples drive the run; the package's own by default. */
  readonly document?: unknown;
  /** The `fetch` under the recording layer. */
  readonly fetch?: typeof globalThis.fetch;
  /** Builds the client under test; tests of the suite inject a faulty one here. */
  readonly clientFactory?: (options: WebhooksClientOptions) => WebhooksClient;
  /**
   * A time limit for the whole run. When it passes, the profile under way stops being waited
   * for, the ones after it are reported as skipped, and the report holds what was checked.
   */
  readonly timeoutMs?: number;
  /**
   * Where a server that is not the embedded mock can deliver to the suite: `registerUrl` is the
   * public HTTPS URL the suite registers its webhooks with (a tunnel, say), `port` the loopback
   * port that URL forwards to, where the suite receives and verifies the test delivery with the
   * keys the server serves at `GET /auth/verify_keys`. Without it, that check is skipped, with
   * this reason. `waitMs`: how long to wait for a delivery (default 15 s).
   */
  readonly deliveries?: {
    readonly registerUrl: string;
    readonly port: number;
    readonly waitMs?: number;
  };
  /**
   * The largest request body the server reads; a body of exactly this size must be judged (400
   * for its content), one byte more refused with 413. Upvest documents no limit; the default is
   * the embedded mock's (1 MiB). `0` skips the check.
   */
  readonly bodyLimitBytes?: number;
  /** Called as each profile ends, for a progress line. */
  readonly onProgress?: (progress: ProfileProgress) => void;
}

/**
 * One finished profile, for a progress line.
 *
 * @example
 * ```ts
 * const onProgress = (p: ProfileProgress) => console.error(`${p.profile}: ${p.checks} checks, ${p.failed} failed`);
 * ```
 */
export interface ProfileProgress {
  readonly profile: ServerProfile;
  readonly checks: number;
  readonly failed: number;
  readonly durationMs: number;
}
