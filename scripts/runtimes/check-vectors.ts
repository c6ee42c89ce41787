/**
 * The delivery-verification tests as a runtime-neutral module: `verifyDelivery` of the built
 * package on each vector, the verdict as plain data. Served as a Fetch handler on every runtime
 * (vectors-*.ts, and as a Worker on workerd): POST the vectors, get the verdicts. It uses Web
 * APIs only, as a receiver on that runtime would.
 */
import { verifyDelivery, type JsonWebKeySet } from 'upvest-webhooks/receiver';

/** One delivery and the keys to verify it with (vectors.ts makes them, on Node). */
export interface Vector {
  readonly name: string;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Record<string, string>;
    readonly body: string;
  };
  readonly jwks: JsonWebKeySet;
}

/** What a runtime concluded: the verdict, its reason and how the signature matched. */
export interface Verdict {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Every vector verified as a receiver on this runtime verifies it.
 *
 * @example
 * ```ts
 * const verdicts = await checkVectors(vectors); // [{ name, ok: true, detail: 'upvest-v6 der digest' }, …]
 * ```
 */
export async function checkVectors(vectors: readonly Vector[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const vector of vectors) {
    const result = await verifyDelivery(
      { ...vector.request, body: new TextEncoder().encode(vector.request.body) },
      { keys: vector.jwks },
    );
    const detail = result.ok
      ? `${result.signature.format} ${result.signature.ecdsaEncoding ?? ''} ${result.signature.digestHeader} ${result.events.length} events`
      : result.reason;
    verdicts.push({ name: vector.name, ok: result.ok, detail });
  }
  return verdicts;
}

export default {
  async fetch(this: void, request: Request): Promise<Response> {
    const verdicts = await checkVectors((await request.json()) as Vector[]);
    return new Response(JSON.stringify(verdicts), {
      headers: { 'content-type': 'application/json' },
    });
  },
};
