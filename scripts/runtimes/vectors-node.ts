// Serves check-vectors.ts on Node through @hono/node-server (scripts/runtimes/run.ts starts it).
import { serve } from '@hono/node-server';
import checker from './check-vectors.ts';

serve({ fetch: checker.fetch, hostname: '127.0.0.1', port: Number(process.env['PORT']) });
