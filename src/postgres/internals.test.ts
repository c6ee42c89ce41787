import { describe, expect, it } from 'vitest';
import { UpvestConfigurationError } from '../errors.js';
import { internalsOf, withInternals } from './internals.js';
import { inboxTables } from './schema.js';
import { createInboxWorker } from './worker.js';
import type { PostgresInbox } from './inbox.js';

const pool = {
  query: () => Promise.resolve({ rows: [], rowCount: 0 }),
  connect: () => Promise.reject(new Error('unused')),
};

describe('the internals of an inbox', () => {
  it('should give the worker the pool and tables an inbox was made with', () => {
    const inbox = withInternals({}, { pool, tables: inboxTables() });
    expect(internalsOf(inbox)).toEqual({ pool, tables: inboxTables() });
  });

  it('should refuse a worker for an object that only looks like an inbox', () => {
    const lookalike = { store: () => Promise.resolve(0) } as unknown as PostgresInbox;
    expect(() => createInboxWorker(lookalike, { onEvent: () => undefined })).toThrow(
      UpvestConfigurationError,
    );
  });
});
