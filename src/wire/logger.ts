/**
 * The logger the package reports to where it would otherwise stay silent about something an
 * operator needs: a retry, a refused delivery and why, a key refetch, a failing or dead event.
 * Silent unless one is given; the package never writes to the console itself. Messages and fields
 * carry no payloads and no secrets: operation names, reasons, statuses, ids, counts.
 */

/** Structured context of a log line: ids, reasons, counts; never a payload or a secret. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Any logger with these methods: `console`, pino, winston, or your own. Each method is optional.
 *
 * @example
 * ```ts
 * const logger: Logger = { warn: (message, fields) => pino.warn(fields, message) };
 * const client = createWebhooksClient({ baseUrl, clientId, accessToken, logger });
 * ```
 */
export interface Logger {
  /** Detail for debugging (a key refetch that found the key). */
  readonly debug?: (message: string, fields?: LogFields) => void;
  /** Normal events worth a line (a token refreshed after a 401, keys fetched). */
  readonly info?: (message: string, fields?: LogFields) => void;
  /** Something an operator should look at (a retry, a refused delivery, a failing event). */
  readonly warn?: (message: string, fields?: LogFields) => void;
  /** Something that needs a person (a dead letter, keys that cannot be fetched). */
  readonly error?: (message: string, fields?: LogFields) => void;
}

/**
 * Writes one line to `logger` at `level`, if it has that method; a logger that throws never
 * breaks the work it reports on.
 *
 * @example
 * ```ts
 * log(options.logger, 'warn', 'delivery refused', { reason: 'expired', status: 401 });
 * ```
 */
export function log(
  logger: Logger | undefined,
  level: keyof Logger,
  message: string,
  fields?: LogFields,
): void {
  try {
    logger?.[level]?.(message, fields);
  } catch {
    // A logger that throws must not turn a retry, a refusal or an event into a failure.
  }
}
