import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../test-support/recording-logger.js';
import { log, type Logger } from './logger.js';

describe('log', () => {
  it('should write the line at its level', () => {
    const logger = recordingLogger();
    log(logger, 'warn', 'a retry', { attempt: 2 });
    expect(logger.lines).toEqual([{ level: 'warn', message: 'a retry', fields: { attempt: 2 } }]);
  });

  it('should stay silent without a logger or without the level', () => {
    expect(() => log(undefined, 'error', 'nobody listens')).not.toThrow();
    const onlyErrors: Logger = { error: () => undefined };
    expect(() => log(onlyErrors, 'debug', 'no debug method')).not.toThrow();
  });

  it('should never let a logger that throws break the work it reports on', () => {
    const broken: Logger = {
      warn: () => {
        throw new Error('the log sink is full');
      },
    };
    expect(() => log(broken, 'warn', 'a retry')).not.toThrow();
  });
});
