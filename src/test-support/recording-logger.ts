/** A logger that keeps every line, for tests of what the package logs. Not part of the package. */
import type { LogFields, Logger } from '../wire/logger.js';

/** One line a {@link recordingLogger} kept. */
export interface LoggedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: LogFields;
}

/**
 * A logger with every level, keeping its lines in `lines`.
 *
 * @example
 * ```ts
 * const logger = recordingLogger();
 * createWebhooksClient({ …, logger });
 * expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn' }));
 * ```
 */
export function recordingLogger(): Required<Logger> & { readonly lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, ...(fields ? { fields } : {}) });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
