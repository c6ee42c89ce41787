/**
 * `npx tsx conformance/self-test/holdout-run.ts`: runs the unchanged suite against the holdout
 * faults (holdout-faults.ts), one faulty server each, and prints one line per fault and the kill
 * rate. Exits 0 only when the clean server passes and every holdout fault is caught.
 */
import { selfTest } from './run.js';

process.exitCode = await selfTest('holdout');
