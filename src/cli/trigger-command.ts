/**
 * `upvest-webhooks trigger`: sends a correctly signed delivery of generated events to a receiver,
 * the way Upvest would, so a tenant's endpoint can be developed without Upvest or Node code.
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { webhookEventTypes, webhookEventTypesByCategory } from '../../generated/constants.js';
import {
  createDeliveryEvent,
  deliveryKeyPairOf,
  eventTypesNamed,
  signDelivery,
  type DeliveryEventInput,
} from '../testing/deliveries.js';
import { serveVerifyKeys } from '../testing/verify-keys-server.js';
import { UsageError, type Command } from './commands.js';
import { nearest } from './suggest.js';
import { untilStopped } from './until-stopped.js';

/** The event types a positional names: one type, or every type of a category. */
function typesOf(name: string): readonly string[] {
  const types = eventTypesNamed(name);
  if (types.length > 0) return types;
  const suggestion = nearest(name, [
    ...webhookEventTypes,
    ...Object.keys(webhookEventTypesByCategory),
  ]);
  throw new UsageError(
    `${JSON.stringify(name)} is no documented event type or category${suggestion ? `; did you mean ${suggestion}?` : ''}`,
  );
}

/** The signing key: a PEM file of the user's, or a fresh P-521 pair. */
function keyFrom(file: unknown, keyId: unknown): { keyId: string; privateKey: KeyObject } {
  const id = typeof keyId === 'string' ? keyId : randomUUID();
  if (typeof file !== 'string') {
    // A throwaway key per run; its JWKS is printed (or served) so the receiver can trust it.
    return { keyId: id, privateKey: generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey };
  }
  try {
    return { keyId: id, privateKey: createPrivateKey(readFileSync(file, 'utf8')) };
  } catch (error) {
    throw new UsageError(
      `--key ${file} is no readable PEM private key (${(error as NodeJS.ErrnoException).code ?? 'not a key'})`,
    );
  }
}

function whole(name: string, raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(
      `--${name} takes a whole number of at least 1, not ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

/**
 * The `trigger` command.
 *
 * @example
 * ```ts
 * await triggerCommand.run(context); // 0 when every delivery got a 2xx
 * ```
 */
export const triggerCommand: Command = {
  usage:
    'trigger <EVENT.TYPE|CATEGORY> --to URL [--batch N] [--duplicate] [--out-of-order] [--format v6|v15] [--key FILE --key-id ID] [--serve-keys PORT]',
  summary:
    'Send a signed delivery of generated events of a type (or of each type of a category) to your receiver, as Upvest would. Prints each answer and the keys that verify it. Needs no credentials.',
  options: {
    to: { type: 'string', description: 'the receiver URL (its path is signed)' },
    batch: {
      type: 'string',
      description: 'events per delivery (default 1; a category: one per type)',
    },
    duplicate: { type: 'boolean', description: 'send the same delivery twice, as a redelivery' },
    'out-of-order': { type: 'boolean', description: 'put the events in reverse created_at order' },
    format: {
      type: 'string',
      description: 'v6 (default: unquoted base, digest) or v15 (quoted, content-digest)',
    },
    key: {
      type: 'string',
      description: 'a PEM EC P-521 private key to sign with (default: a fresh one)',
    },
    'key-id': { type: 'string', description: 'the keyid to sign under (default: a fresh UUID)' },
    'serve-keys': {
      type: 'string',
      description: 'serve the JWKS at http://127.0.0.1:PORT/auth/verify_keys until Ctrl-C',
    },
  },
  positional: 'event',
  api: false,
  async run(context) {
    const { values } = context;
    const types = typesOf(context.target);
    const to = values['to'];
    if (typeof to !== 'string' || !URL.canParse(to)) {
      throw new UsageError('trigger needs --to URL: where your receiver listens');
    }
    const format = (values['format'] as string | undefined) ?? 'v6';
    if (format !== 'v6' && format !== 'v15') {
      throw new UsageError(`--format takes v6 or v15, not ${format}`);
    }
    const batch = whole('batch', values['batch'], types.length);
    const key = keyFrom(values['key'], values['key-id']);
    const { jwks } = deliveryKeyPairOf(key.keyId, key.privateKey);
    const servePort =
      values['serve-keys'] === undefined ? undefined : whole('serve-keys', values['serve-keys'], 0);
    const keyServer =
      servePort === undefined ? undefined : await serveVerifyKeys(jwks, { port: servePort });

    const webhookId = randomUUID();
    const events: DeliveryEventInput[] = Array.from({ length: batch }, (_, i) =>
      createDeliveryEvent({
        type: types[i % types.length] ?? types[0] ?? 'USER.CREATED',
        webhook_id: webhookId,
        // Our spec leaves each object open (its fields grow between API versions): an id is
        // what every snapshot has.
        object: { id: randomUUID() },
      }),
    );
    if (values['out-of-order']) events.reverse();
    const delivery = signDelivery(events, {
      ...key,
      url: to,
      format: format === 'v15' ? 'rfc9421' : 'upvest-v6',
      digest: format === 'v15' ? 'content-digest' : 'digest',
    });
    const answers: { status: number | undefined; body: string }[] = [];
    for (let copy = 0; copy < (values['duplicate'] ? 2 : 1); copy++) {
      try {
        const response = await fetch(to, {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
          signal: AbortSignal.timeout(30_000),
          redirect: 'manual',
        });
        answers.push({ status: response.status, body: await response.text() });
      } catch (error) {
        answers.push({
          status: undefined,
          body: error instanceof Error ? error.message : String(error),
        });
      }
    }
    context.show(
      { to, format, events: events.map((e) => ({ id: e.id, type: e.type })), answers, jwks },
      () =>
        [
          `Sent ${events.length} event(s) (${events.map((e) => e.type).join(', ')}) to ${to}, signed ${format} under keyid ${key.keyId}:`,
          ...answers.map(
            (a, i) =>
              `  ${i === 0 ? 'delivery' : 'redelivery'}: ${a.status === undefined ? 'no answer' : `HTTP ${a.status}`}${a.body ? ` ${a.body.slice(0, 200)}` : ''}`,
          ),
          '',
          keyServer
            ? `Keys served at ${keyServer.url} until Ctrl-C.`
            : `Keys that verify it (JWKS): ${JSON.stringify(jwks)}`,
        ].join('\n'),
    );
    if (keyServer) {
      await untilStopped(context.stop);
      await keyServer.close();
    }
    return answers.every((a) => a.status !== undefined && a.status >= 200 && a.status < 300)
      ? 0
      : 1;
  },
};
