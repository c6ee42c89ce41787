import { upvestApiVersion } from '../../generated/constants.js';
import type { RequestSigner } from '../../src/index.js';
import type { CheckLog, Exchange } from '../report/results.js';
import type { RawRequest } from './context.js';
import type { RecordingFetch } from './recording-fetch.js';

/** What a raw request is sent with. */
export interface RawSenderSettings {
  readonly baseUrl: string;
  readonly clientId: string;
  /** The run's token, when a request does not name its own. */
  readonly token: () => string | undefined;
  readonly signer: RequestSigner | undefined;
  readonly recording: RecordingFetch;
  readonly log: CheckLog;
}

/** A raw request's body as bytes: JSON for a value, as is for bytes. */
function bodyOf(raw: RawRequest): Uint8Array | undefined {
  if (raw.body === undefined) return undefined;
  return raw.body instanceof Uint8Array
    ? raw.body
    : new TextEncoder().encode(JSON.stringify(raw.body));
}

/**
 * Sends requests around the client (which would refuse them): the three headers every request
 * carries, the run's token unless the request names another (or none), signed by the run's
 * signer unless told otherwise, then changed by the request's `tamper`. Each is recorded and
 * becomes the exchange the next checks are about. Never throws: no answer is `undefined`.
 *
 * @example
 * ```ts
 * const sendRaw = createRawSender(settings);
 * const exchange = await sendRaw({ method: 'GET', path: '/webhooks', token: null });
 * ```
 */
export function createRawSender(
  settings: RawSenderSettings,
): (raw: RawRequest) => Promise<Exchange | undefined> {
  const { baseUrl, clientId, recording, log } = settings;
  return async (raw) => {
    const url = `${baseUrl.replace(/\/+$/, '')}${raw.path}`;
    const body = bodyOf(raw);
    const headers = new Headers({
      'upvest-client-id': clientId,
      'upvest-api-version': upvestApiVersion,
      accept: 'application/json, application/problem+json',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...raw.headers,
    });
    for (const name of raw.omitHeaders ?? []) headers.delete(name);
    const bearer = raw.token === undefined ? settings.token() : raw.token;
    if (bearer) headers.set('authorization', `Bearer ${bearer}`);
    const signWith = raw.signWith ?? 'run';
    const sign = signWith === 'none' ? undefined : signWith === 'run' ? settings.signer : signWith;
    if (sign) {
      for (const [name, value] of Object.entries(
        await sign({ method: raw.method, url, headers, body }),
      )) {
        headers.set(name, value);
      }
    }
    const wire = raw.tamper ? await raw.tamper({ headers, body }) : { headers, body };
    // The exchange of this very response: other requests may be under way at the same time.
    const exchange = await recording
      .fetch(url, {
        method: raw.method,
        headers: wire.headers,
        redirect: 'manual',
        ...(wire.body ? { body: wire.body } : {}),
      })
      .then(async (response) => {
        await response.body?.cancel();
        return recording.exchangeOf(response);
      })
      .catch(() => undefined);
    log.about(exchange);
    return exchange;
  };
}
