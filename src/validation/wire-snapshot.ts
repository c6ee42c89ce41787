import { frozenRefusal, type ValidationResult } from '../validation-issue.js';

const NOT_JSON = frozenRefusal(
  'body.not_json',
  'the body cannot be sent as JSON: it has a cycle, a BigInt, or a property that threw when read',
);

/**
 * The body as the wire will carry it: `JSON.parse(JSON.stringify(input))`, a plain copy the
 * caller cannot reach. The client validates this copy and sends it, so what was checked is
 * what is sent, byte for byte: a caller that changes its object after `create()` was called
 * (while the token is fetched, between retries), a getter that answers differently on each
 * read, or a `toJSON` cannot slip an unchecked value onto the wire. An input JSON cannot
 * write (a cycle, a BigInt, a getter that throws) is refused with `body.not_json`; one it
 * writes as nothing (`undefined`, a function) comes back as `undefined`, for the schema to
 * refuse.
 *
 * @example
 * ```ts
 * wireSnapshot({ title: 'a', when: new Date(0) }); // { ok: true, value: { title: 'a', when: '1970-01-01T00:00:00.000Z' } }
 * wireSnapshot({ n: 1n }).ok; // false, code body.not_json
 * ```
 */
export function wireSnapshot(input: unknown): ValidationResult<unknown> {
  let text: string | undefined;
  try {
    // `undefined` for undefined, a function or a symbol, whatever lib.d.ts says.
    text = JSON.stringify(input);
  } catch {
    return NOT_JSON;
  }
  return { ok: true, value: text === undefined ? undefined : (JSON.parse(text) as unknown) };
}
