// Serves check-vectors.ts with Deno.serve (scripts/runtimes/run.ts starts it).
import checker from './check-vectors.ts';

Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT')) }, checker.fetch);
