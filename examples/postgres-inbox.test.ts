import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../src/test-support/postgres.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
let database: TestPostgres;

beforeAll(async () => {
  database = await startPostgres();
}, 120_000);
afterAll(() => database?.stop());

describe('examples/postgres-inbox.ts', () => {
  it('should store a delivery sent twice and apply its event once, against a real PostgreSQL', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'examples/postgres-inbox.ts'],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: database.connectionString },
        timeout: 60_000,
      },
    );
    expect(stdout).toContain('copy 1 answered 200');
    expect(stdout).toContain('copy 2 answered 200');
    expect(stdout).toContain('applied 1 time(s)');
  }, 90_000);

  it('should be printed in docs/postgres.md as it runs', () => {
    const page = readFileSync(new URL('../docs/postgres.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('./postgres-inbox.ts', import.meta.url), 'utf8');
    expect(page).toContain(example);
  });
});
