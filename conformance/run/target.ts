import { createUpvestSigner, type KeyInput, type RequestSigner } from '../../src/index.js';
import { startMockServer, type MockServer } from '../../src/testing/index.js';
import type { ConformanceOptions } from './options.js';
import { startTestDeliveryReceiver, type TestDeliveryReceiver } from './test-delivery-receiver.js';
import type { ConformanceCredentials } from './token.js';

/** The `upvest-client-id` sent when a run has no client id (a spec mock only checks its form). */
export const PLACEHOLDER_CLIENT_ID = '00000000-0000-4000-8000-000000000000';

/**
 * The server a run talks to, and what it talks with: the one given, or the embedded mock with
 * its own tenant, its signing key, and a loopback receiver for its test deliveries.
 */
export interface Target {
  readonly baseUrl: string;
  readonly credentials: ConformanceCredentials | undefined;
  readonly signer: RequestSigner | undefined;
  readonly signingKey: { readonly keyId: string; readonly privateKey: KeyInput } | undefined;
  readonly mock: MockServer | undefined;
  readonly receiver: TestDeliveryReceiver | undefined;
  /** Stops what the run started (the mock, the receiver); nothing for a given server. */
  close(): Promise<void>;
}

/** The credentials of the options, the access-token shorthand folded in. */
function givenCredentials(options: ConformanceOptions): ConformanceCredentials | undefined {
  if (options.accessToken === undefined) return options.credentials;
  return {
    clientId: options.credentials?.clientId ?? PLACEHOLDER_CLIENT_ID,
    ...options.credentials,
    accessToken: options.accessToken,
  };
}

/**
 * The target of a run. Without a base URL the embedded mock starts, which demands v15
 * signatures like the API: the run signs with the throwaway tenant key the mock generated, and
 * receives its test deliveries on loopback.
 *
 * @example
 * ```ts
 * const target = await resolveTarget({});
 * await target.close();
 * ```
 */
export async function resolveTarget(options: ConformanceOptions): Promise<Target> {
  if (options.baseUrl !== undefined) {
    // A real server delivers to the registered URL, which forwards to this receiver's port.
    const receiver = options.deliveries
      ? await startTestDeliveryReceiver(options.deliveries.port)
      : undefined;
    return {
      baseUrl: options.baseUrl,
      credentials: givenCredentials(options),
      signer: options.signer,
      signingKey: options.signingKey,
      mock: undefined,
      receiver,
      close: async () => receiver?.close(),
    };
  }
  const receiver = await startTestDeliveryReceiver();
  const mock = await startMockServer({
    seed: 'documented-examples',
    deliveryTarget: receiver.url,
  }).catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  const { clientId, clientSecret, keyId, privateKey } = mock.credentials;
  return {
    baseUrl: mock.url,
    credentials: { clientId, clientSecret },
    signer: privateKey ? createUpvestSigner({ keyId, privateKey }) : undefined,
    signingKey: privateKey ? { keyId, privateKey } : undefined,
    mock,
    receiver,
    async close() {
      await mock.close();
      await receiver.close();
    },
  };
}
