// Serves check-vectors.ts with Bun.serve (scripts/runtimes/run.ts starts it).
import checker from './check-vectors.ts';

Bun.serve({ hostname: '127.0.0.1', port: Number(Bun.env['PORT']), fetch: checker.fetch });
