/**
 * `upvest-webhooks verify`: checks a captured delivery offline and says exactly why it fails.
 */
import { readFileSync } from 'node:fs';
import { verifyDelivery } from '../receiver/verify.js';
import type { JsonWebKeySet } from '../types.js';
import { UsageError, type Command } from './commands.js';

/**
 * Headers as captured: a JSON object, or `name: value` lines (a request line or blank lines
 * are skipped, so a raw HTTP head works too).
 *
 * @example
 * ```ts
 * parseHeaders('content-type: application/json\nsignature: sig1=:AA==:'); // { 'content-type': [...], … }
 * ```
 */
function parseHeaders(text: string): Record<string, string[]> {
  const trimmed = text.trim();
  const headers: Record<string, string[]> = {};
  const add = (name: string, value: string) => {
    const key = name.trim().toLowerCase();
    (headers[key] ??= []).push(value.trim());
  };
  if (trimmed.startsWith('{')) {
    for (const [name, value] of Object.entries(JSON.parse(trimmed) as Record<string, unknown>))
      for (const each of Array.isArray(value) ? value : [value]) add(name, String(each));
    return headers;
  }
  for (const line of trimmed.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /^[A-Z]+ \S+ HTTP\//.test(line)) continue;
    add(line.slice(0, colon), line.slice(colon + 1));
  }
  return headers;
}

/** The bytes of a file a flag names; a missing flag or an unreadable file is a usage error. */
function readBytes(flag: string, file: unknown): Buffer {
  if (typeof file !== 'string') throw new UsageError(`verify needs --${flag} FILE`);
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(
      `--${flag} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

const readText = (flag: string, file: unknown): string => readBytes(flag, file).toString('utf8');

/**
 * What to try when time is the likely cause: a delivery captured earlier is judged at its signing
 * time with `--now`; a key id the JWKS lacks may be a key rotated since the JWKS was saved.
 *
 * @example
 * ```ts
 * hintFor('expired', { 'signature-input': ['sig1=(…);created=1700000000'] }, false);
 * // 'Captured earlier? Judge it at its signing time: --now 1700000000'
 * ```
 */
function hintFor(
  reason: string,
  headers: Readonly<Record<string, readonly string[]>>,
  nowGiven: boolean,
): string | undefined {
  const created = /;\s*created=(\d+)/.exec((headers['signature-input'] ?? []).join(', '))?.[1];
  if ((reason === 'expired' || reason === 'created_in_future') && !nowGiven && created) {
    return `Captured earlier? Judge it at its signing time: --now ${created}`;
  }
  if (reason === 'unknown_key') {
    return 'The keyid is not in --jwks: save the keys again (upvest-webhooks keys --json), since Upvest may have rotated them; a receiver using createVerificationKeyProvider refetches at most once per minRefetchIntervalMs (60 s by default).';
  }
  return undefined;
}

/**
 * The `verify` command of the table in commands.ts.
 *
 * @example
 * ```ts
 * await verifyCommand.run(context); // 0 when the delivery verifies, 1 when it does not
 * ```
 */
export const verifyCommand: Command = {
  usage: 'verify --headers FILE --body FILE --jwks FILE --url URL [--now UNIX-SECONDS]',
  summary:
    'Check a captured delivery offline: signature, digest, time window and events, with the exact reason it fails. Needs no credentials.',
  options: {
    headers: {
      type: 'string',
      description: 'the delivery headers: `name: value` lines or a JSON object',
    },
    body: { type: 'string', description: 'the body, byte for byte as received' },
    jwks: { type: 'string', description: "Upvest's keys (GET /auth/verify_keys, as JSON)" },
    url: { type: 'string', description: 'the URL the delivery was sent to (its path is signed)' },
    now: {
      type: 'string',
      description: 'the time to judge created/expires at, in Unix seconds (default now)',
    },
  },
  api: false,
  async run(context) {
    const { values } = context;
    const headers = parseHeaders(readText('headers', values['headers']));
    const body = readBytes('body', values['body']);
    let jwks: JsonWebKeySet;
    try {
      jwks = JSON.parse(readText('jwks', values['jwks'])) as JsonWebKeySet;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError('--jwks is not JSON');
    }
    const url = values['url'];
    if (typeof url !== 'string') throw new UsageError('verify needs --url: the path is signed');
    const now = values['now'];
    if (now !== undefined && !/^\d+$/.test(String(now))) {
      throw new UsageError(`--now takes Unix seconds, not ${String(now)}`);
    }
    const result = await verifyDelivery(
      { method: 'POST', url, headers, body },
      { keys: jwks, ...(now !== undefined ? { now: () => Number(now) } : {}) },
    );
    if (result.ok) {
      context.show(
        {
          ok: true,
          events: result.events.length,
          types: result.events.map((event) => event.type),
          signature: result.signature,
        },
        () =>
          `The delivery verifies: ${result.events.length} event(s), ${result.signature.format} base, ${result.signature.digestHeader} digest, key ${result.signature.keyId ?? '(no keyid)'}.`,
      );
      return 0;
    }
    const hint = hintFor(result.reason, headers, now !== undefined);
    context.show(
      {
        ok: false,
        reason: result.reason,
        message: result.message,
        issues: result.issues ?? [],
        ...(hint ? { hint } : {}),
      },
      () =>
        `The delivery does not verify: ${result.reason}: ${result.message}${hint ? `\n${hint}` : ''}`,
    );
    return 1;
  },
};
